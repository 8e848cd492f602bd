"""Tests of the catalog importers: the project's own format and the Coursera and edX scrapes."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.domain import CredentialKind
from advisor.ingest.catalog_format import import_catalog_file
from advisor.ingest.coursera import import_coursera
from advisor.ingest.edx import import_edx

GOOD = {"id": "demo:sql", "title": "SQL Basics", "kind": "course", "hours": 12, "skills": [{"skill_id": "esco:skill:x"}]}


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    return path


def test_jsonl_good_records(tmp_path: Path) -> None:
    result = import_catalog_file(write_jsonl(tmp_path / "c.jsonl", [GOOD, {**GOOD, "id": "demo:r"}]))
    assert result.report.accepted == 2
    assert result.report.rejected == []


def test_jsonl_unknown_field_kept(tmp_path: Path) -> None:
    result = import_catalog_file(write_jsonl(tmp_path / "c.jsonl", [{**GOOD, "credit_points": 5}]))
    assert result.items[0].model_extra == {"credit_points": 5}


def test_jsonl_missing_id(tmp_path: Path) -> None:
    record = {key: value for key, value in GOOD.items() if key != "id"}
    result = import_catalog_file(write_jsonl(tmp_path / "c.jsonl", [record, GOOD]))
    rejection = result.report.rejected[0]
    assert result.report.accepted == 1
    assert rejection.position == "line 1"
    assert rejection.field == "id"


def test_jsonl_duplicate_id(tmp_path: Path) -> None:
    result = import_catalog_file(write_jsonl(tmp_path / "c.jsonl", [GOOD, GOOD]))
    rejection = result.report.rejected[0]
    assert result.report.accepted == 1
    assert rejection.position == "line 2"
    assert "first seen at line 1" in rejection.reason


def test_jsonl_negative_hours(tmp_path: Path) -> None:
    result = import_catalog_file(write_jsonl(tmp_path / "c.jsonl", [{**GOOD, "hours": -3}]))
    rejection = result.report.rejected[0]
    assert result.report.accepted == 0
    assert rejection.field == "hours"
    assert rejection.value == "-3"


def test_jsonl_wrong_type(tmp_path: Path) -> None:
    result = import_catalog_file(write_jsonl(tmp_path / "c.jsonl", [{**GOOD, "skills": "SQL"}, {**GOOD, "id": "demo:b"}]))
    assert result.report.accepted == 1
    assert result.report.rejected[0].field == "skills"


def test_jsonl_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + '{"id": "demo:x", "title": \n', encoding="utf-8")
    result = import_catalog_file(path)
    assert result.report.accepted == 1
    assert result.report.rejected[0].position == "line 2"


def test_json_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "id": "demo:b"}])[:-20], encoding="utf-8")
    result = import_catalog_file(path)
    assert result.report.accepted == 0
    assert "invalid JSON" in result.report.rejected[0].reason


def test_json_paths_in_positions(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"credentials": [GOOD, {**GOOD, "id": "demo:b", "cost": "free"}]}), encoding="utf-8")
    result = import_catalog_file(path)
    assert result.report.accepted == 1
    assert result.report.rejected[0].position == "$.credentials[1]"
    assert result.report.rejected[0].field == "cost"


def test_csv_lists_levels_and_extras(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "id,title,kind,hours,cost,skills,has_part,source_dataset,credit_points\n"
        "demo:p,Data Program,certificate,,,esco:skill:a@advanced;esco:skill:b,demo:c1;demo:c2,demo,6\n",
        encoding="utf-8",
    )
    credential = import_catalog_file(path).items[0]
    assert credential.hours is None
    assert credential.cost is None
    assert [skill.level.value for skill in credential.skills] == [3, 2]
    assert credential.has_part == ["demo:c1", "demo:c2"]
    assert credential.source is not None and credential.source.dataset == "demo"
    assert credential.model_extra == {"credit_points": "6"}


def test_csv_bad_rows_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "id,title,hours,skills\n"
        "demo:a,Good,10,esco:skill:a\n"
        ",Missing id,10,\n"
        "demo:c,Negative,-1,\n"
        "demo:d,Bad level,2,esco:skill:a@guru\n",
        encoding="utf-8",
    )
    report = import_catalog_file(path).report
    assert report.accepted == 1
    assert {(item.position, item.field) for item in report.rejected} == {
        ("line 3", "id"),
        ("line 4", "hours"),
        ("line 5", "skills"),
    }


def test_coursera_real_file(shared_data: Path) -> None:
    result = import_coursera(shared_data / "coursera_catalog" / "coursera_courses.csv")
    by_id = {credential.id: credential for credential in result.items}
    assert result.report.accepted == 1000
    assert result.report.rejected == []
    assert by_id["coursera:dot-net-fullstack"].provider == "Board Infinity"
    assert by_id["coursera:dot-net-fullstack"].kind == CredentialKind.MICROCREDENTIAL
    assert by_id["coursera:sscp-training"].model_extra["enrolled_count"] == 6706


def test_coursera_unknown_cost(shared_data: Path) -> None:
    result = import_coursera(shared_data / "coursera_catalog" / "coursera_courses.csv")
    assert all(credential.cost is None for credential in result.items)


def test_coursera_shared_slug_ids(shared_data: Path) -> None:
    ids = {credential.id for credential in import_coursera(shared_data / "coursera_catalog" / "coursera_courses.csv").items}
    assert "coursera:python" in ids
    assert "coursera:specializations:python" in ids


def test_edx_real_file(shared_data: Path) -> None:
    result = import_edx(shared_data / "edx_catalog" / "edx_courses.csv")
    courses = [item for item in result.items if not item.id.startswith("edx:program:")]
    programs = [item for item in result.items if item.id.startswith("edx:program:")]
    assert len(courses) == 783
    assert len(programs) == 278
    assert [rejection.position for rejection in result.report.rejected] == ["line 98", "line 99"]


def test_edx_title_repaired(shared_data: Path) -> None:
    result = import_edx(shared_data / "edx_catalog" / "edx_courses.csv")
    titles = {credential.title for credential in result.items}
    assert "CS50's Introduction to Computer Science" in titles


def test_edx_program_links(shared_data: Path) -> None:
    result = import_edx(shared_data / "edx_catalog" / "edx_courses.csv")
    by_id = {credential.id: credential for credential in result.items}
    program = by_id["edx:program:professional-certificate-in-data-science"]
    assert program.kind == CredentialKind.CERTIFICATE
    assert program.has_part
    assert all(program.id in by_id[part].is_part_of for part in program.has_part)


def test_edx_hours_unknown(shared_data: Path) -> None:
    result = import_edx(shared_data / "edx_catalog" / "edx_courses.csv")
    assert all(credential.hours is None for credential in result.items)
