"""The ``advisor recommend`` command on the shipped knowledge base."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.domain import KnowledgeBase

KNOWLEDGE_BASE_DIR = Path(__file__).resolve().parents[1] / "knowledge_base"
RECORDS_DIR = KNOWLEDGE_BASE_DIR / "records"

pytestmark = pytest.mark.skipif(
    not (KNOWLEDGE_BASE_DIR / "credentials.jsonl").is_file(),
    reason="the shipped knowledge base has not been built",
)


@pytest.fixture(scope="module", autouse=True)
def shipped_kb() -> Iterator[KnowledgeBase]:
    """Load the shipped knowledge base once and serve it to every CLI run of this module.

    Loading is tested in test_knowledge_base.py; sharing one object also shares the engine's
    lookup tables, which are built once per knowledge base.
    """
    from advisor.ingest import knowledge_base

    loaded = knowledge_base.load_knowledge_base(KNOWLEDGE_BASE_DIR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(knowledge_base, "load_knowledge_base", lambda _directory, *args, **kwargs: loaded)
        yield loaded[0]


def run(*arguments: str) -> dict:
    result = CliRunner().invoke(app, ["recommend", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ids(shipped_kb: KnowledgeBase) -> tuple[set[str], set[str], set[str]]:
    return set(shipped_kb.credentials), set(shipped_kb.skills), set(shipped_kb.occupations)


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


def test_posting_goal_skips_everyday_words() -> None:
    posting = (
        "We are hiring a junior data analyst. You will write SQL queries, build dashboards in Tableau, "
        "clean data with Python and pandas, and present findings to stakeholders."
    )
    advice = run("--goal", posting)
    labels = [item["label"] for item in advice["goal"]["matches"]]
    assert "Hiring" not in labels
    assert "SQL" in labels


def test_unknown_goal_fails() -> None:
    result = CliRunner().invoke(app, ["recommend", "--goal", "zzqx vrrp wizard"])
    assert result.exit_code == 1
    assert "Closest" in result.output


@pytest.mark.parametrize("name", ["plain-helpdesk-to-data-analyst.json", "ob3-it-support-badge.json"])
def test_sample_record_cited(name: str, ids: tuple[set[str], set[str], set[str]], shipped_kb: KnowledgeBase) -> None:
    record = RECORDS_DIR / name
    if not record.is_file():
        pytest.skip(f"sample record {name} is not shipped")
    from advisor.ingest.records import import_record

    credentials, skills, _occupations = ids
    items = import_record(record, knowledge_base=shipped_kb).items[0].item_ids()
    advice = run("--record", str(record), "--goal", "software developer")
    check_citations(advice, credentials, skills, items)
    steps = {step["credential_id"] for step in advice["pathway"]["steps"]}
    assert not steps & set(advice["profile"]["held_credentials"])
