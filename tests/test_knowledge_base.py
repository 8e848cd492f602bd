"""Tests of the shipped knowledge base folder and of load_knowledge_base."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from advisor.domain import KnowledgeBase
from advisor.ingest.derivation import find_cycle
from advisor.ingest.knowledge_base import load_knowledge_base
from tests.conftest import KNOWLEDGE_BASE_DIR


@pytest.fixture(scope="module")
def shipped() -> tuple[KnowledgeBase, list, float]:
    started = time.perf_counter()
    knowledge_base, reports = load_knowledge_base(KNOWLEDGE_BASE_DIR)
    return knowledge_base, reports, time.perf_counter() - started


def test_loads_quickly(shipped: tuple[KnowledgeBase, list, float]) -> None:
    assert shipped[2] < 10.0


def test_reports_clean(shipped: tuple[KnowledgeBase, list, float]) -> None:
    for report in shipped[1]:
        assert report.rejected == [], report.source
        assert report.warnings == [], report.source


def test_catalog_size(shipped: tuple[KnowledgeBase, list, float]) -> None:
    assert len(shipped[0].credentials) >= 1000


def test_credential_skills_exist(shipped: tuple[KnowledgeBase, list, float]) -> None:
    knowledge_base = shipped[0]
    missing = {
        skill.skill_id
        for credential in knowledge_base.credentials.values()
        for skill in credential.skills
        if skill.skill_id not in knowledge_base.skills
    }
    assert missing == set()


def test_credential_links_exist(shipped: tuple[KnowledgeBase, list, float]) -> None:
    knowledge_base = shipped[0]
    for credential in knowledge_base.credentials.values():
        for other in [*credential.prerequisite_credentials, *credential.has_part, *credential.is_part_of]:
            assert other in knowledge_base.credentials, (credential.id, other)


def test_part_links_symmetric(shipped: tuple[KnowledgeBase, list, float]) -> None:
    credentials = shipped[0].credentials
    for credential in credentials.values():
        for part in credential.has_part:
            assert credential.id in credentials[part].is_part_of


def test_no_prerequisite_cycle(shipped: tuple[KnowledgeBase, list, float]) -> None:
    assert find_cycle(shipped[0].credentials) is None


def test_derived_prerequisites_named(shipped: tuple[KnowledgeBase, list, float]) -> None:
    with_prerequisites = [c for c in shipped[0].credentials.values() if c.prerequisite_credentials]
    assert with_prerequisites
    assert all("prerequisite_credentials" in c.derived for c in with_prerequisites)


def test_no_zero_cost(shipped: tuple[KnowledgeBase, list, float]) -> None:
    assert all(credential.cost != 0 for credential in shipped[0].credentials.values())


def test_occupation_skills_exist(shipped: tuple[KnowledgeBase, list, float]) -> None:
    knowledge_base = shipped[0]
    missing = {
        skill.skill_id
        for occupation in knowledge_base.occupations.values()
        for skill in occupation.required_skills
        if skill.skill_id not in knowledge_base.skills
    }
    assert missing == set()


def test_occupation_counts(shipped: tuple[KnowledgeBase, list, float]) -> None:
    ids = shipped[0].occupations
    assert sum(key.startswith("esco:occupation:") for key in ids) == 3007
    assert sum(key.startswith("onet:occupation:") for key in ids) == 1016


def test_no_scraped_prose(shipped: tuple[KnowledgeBase, list, float]) -> None:
    for credential in shipped[0].credentials.values():
        assert "prerequisites_text" not in (credential.model_extra or {})


def test_some_skills_mapped(shipped: tuple[KnowledgeBase, list, float]) -> None:
    rules = {
        (skill.mapping_rule or "").split(":")[0]
        for credential in shipped[0].credentials.values()
        for skill in credential.skills
    }
    assert {"exact", "variant", "fuzzy", "embedding", "verb_object", "synonym", "reverse_embedding", "new"} <= rules


def test_scored_rules_carry_score(shipped: tuple[KnowledgeBase, list, float]) -> None:
    for credential in shipped[0].credentials.values():
        for skill in credential.skills:
            rule, _, score = (skill.mapping_rule or "").partition(":")
            if rule in ("fuzzy", "embedding", "reverse_embedding"):
                assert float(score) > 0, (credential.id, skill.skill_id)


def test_sql_closes_query_language_gap(shipped: tuple[KnowledgeBase, list, float]) -> None:
    taught = {skill.skill_id for credential in shipped[0].credentials.values() for skill in credential.skills}
    assert "esco:skill:75f839c2-fd9a-4ad3-8921-6e734608568d" in taught


def test_bad_line_rejected(tmp_path: Path) -> None:
    (tmp_path / "skills.jsonl").write_text(
        json.dumps({"id": "esco:skill:a", "label": "a", "framework": "esco"}) + "\n" + '{"id": "x"}\n',
        encoding="utf-8",
    )
    (tmp_path / "credentials.jsonl").write_text(
        json.dumps({"id": "c1", "title": "C", "skills": [{"skill_id": "esco:skill:missing"}]}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "occupations.jsonl").write_text("", encoding="utf-8")
    knowledge_base, reports = load_knowledge_base(tmp_path)
    credentials_report, skills_report, _, references_report = reports
    assert len(knowledge_base.skills) == 1
    assert skills_report.rejected[0].position == "line 2"
    assert credentials_report.accepted == 1
    assert references_report.warnings[0].value == "esco:skill:missing"
