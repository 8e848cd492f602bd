"""The ``advisor recommend`` command on the shipped knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app

KNOWLEDGE_BASE_DIR = Path(__file__).resolve().parents[1] / "knowledge_base"
RECORDS_DIR = KNOWLEDGE_BASE_DIR / "records"

pytestmark = pytest.mark.skipif(
    not (KNOWLEDGE_BASE_DIR / "credentials.jsonl").is_file(),
    reason="the shipped knowledge base has not been built",
)


def run(*arguments: str) -> dict:
    result = CliRunner().invoke(app, ["recommend", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def shipped_ids() -> tuple[set[str], set[str], set[str]]:
    from advisor.ingest.knowledge_base import load_knowledge_base

    kb, _reports = load_knowledge_base(KNOWLEDGE_BASE_DIR)
    return set(kb.credentials), set(kb.skills), set(kb.occupations)


@pytest.fixture(scope="module")
def ids() -> tuple[set[str], set[str], set[str]]:
    return shipped_ids()


def check_citations(advice: dict, credentials: set[str], skills: set[str], record_items: set[str]) -> None:
    for step in advice["pathway"]["steps"]:
        assert step["credential_id"] in credentials
        for cited in step["citations"]:
            assert cited in credentials or cited in record_items, cited
        for closure in step["closes"]:
            assert closure["skill_id"] in skills
    for item in advice["pathway"]["open_gaps"]:
        assert set(item["credential_ids"]) <= credentials


def test_cold_start_cited(ids: tuple[set[str], set[str], set[str]]) -> None:
    credentials, skills, occupations = ids
    advice = run("--goal", "data scientist", "--hours-per-week", "8", "--max-credentials", "5")
    assert advice["goal"]["occupation_id"] in occupations
    assert 0 < len(advice["pathway"]["steps"]) <= 5
    check_citations(advice, credentials, skills, set())


def test_skill_list_with_exclude(ids: tuple[set[str], set[str], set[str]]) -> None:
    credentials, skills, _occupations = ids
    first = run("--goal", "python, sql, machine learning")
    excluded = first["pathway"]["steps"][0]["credential_id"]
    second = run("--goal", "python, sql, machine learning", "--exclude", excluded)
    assert excluded not in [step["credential_id"] for step in second["pathway"]["steps"]]
    check_citations(second, credentials, skills, set())


def test_text_output_cites() -> None:
    result = CliRunner().invoke(app, ["recommend", "--goal", "python:3, sql", "--deadline", "2030-01-01"])
    assert result.exit_code == 0, result.output
    assert "Pathway:" in result.stdout
    assert "[" in result.stdout


def test_unknown_goal_fails() -> None:
    result = CliRunner().invoke(app, ["recommend", "--goal", "zzqx vrrp wizard"])
    assert result.exit_code == 1
    assert "Closest" in result.output


@pytest.mark.parametrize("name", ["plain-helpdesk-to-data-analyst.json", "ob3-it-support-badge.json"])
def test_sample_record_cited(name: str, ids: tuple[set[str], set[str], set[str]]) -> None:
    record = RECORDS_DIR / name
    if not record.is_file():
        pytest.skip(f"sample record {name} is not shipped")
    from advisor.ingest.knowledge_base import load_knowledge_base
    from advisor.ingest.records import import_record

    credentials, skills, _occupations = ids
    kb, _reports = load_knowledge_base(KNOWLEDGE_BASE_DIR)
    items = import_record(record, knowledge_base=kb).items[0].item_ids()
    advice = run("--record", str(record), "--goal", "software developer")
    check_citations(advice, credentials, skills, items)
