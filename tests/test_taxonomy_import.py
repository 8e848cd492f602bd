"""Tests of the ESCO and O*NET importers on the real files, and of the skill mapping rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.domain import Framework, Proficiency, Skill, SkillType
from advisor.ingest.esco import import_esco_occupations, import_esco_skills
from advisor.ingest.onet import (
    import_onet_occupations,
    import_onet_skills,
    import_onet_technology,
    importance_from_im,
    proficiency_from_lv,
)
from advisor.ingest.skill_mapping import SkillMapper

DATA_SCIENTIST = "esco:occupation:258e46f9-0075-4a2e-adae-1ff0477e0f30"


@pytest.fixture(scope="module")
def esco_skills() -> list[Skill]:
    from tests.conftest import SHARED_DATA_DIR

    if not SHARED_DATA_DIR.is_dir():
        pytest.skip("public data folder is absent")
    return import_esco_skills(SHARED_DATA_DIR / "esco_v1.1.1").items


def test_esco_skill_counts(esco_skills: list[Skill]) -> None:
    concepts = [skill for skill in esco_skills if not (skill.model_extra or {}).get("is_group")]
    assert len(concepts) == 13896
    assert len(esco_skills) - len(concepts) == 647


def test_esco_skill_fields(esco_skills: list[Skill]) -> None:
    by_id = {skill.id: skill for skill in esco_skills}
    skill = by_id["esco:skill:0005c151-5b5a-4a66-8aac-60e734beb1ab"]
    assert skill.label == "manage musical staff"
    assert "manage music staff" in skill.alt_labels
    assert skill.framework_uri == "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"
    assert skill.broader


def test_esco_skill_types(esco_skills: list[Skill]) -> None:
    types = {skill.skill_type for skill in esco_skills}
    assert types >= {SkillType.SKILL, SkillType.KNOWLEDGE, SkillType.LANGUAGE, SkillType.TRANSVERSAL}


def test_esco_no_descriptions(esco_skills: list[Skill]) -> None:
    assert all("description" not in (skill.model_extra or {}) for skill in esco_skills)


def test_esco_occupations(shared_data: Path) -> None:
    result = import_esco_occupations(shared_data / "esco_v1.1.1")
    by_id = {occupation.id: occupation for occupation in result.items}
    scientist = by_id[DATA_SCIENTIST]
    assert result.report.accepted == 3007
    assert len(result.report.rejected) == 67
    assert sum(skill.essential for skill in scientist.required_skills) == 54
    assert sum(not skill.essential for skill in scientist.required_skills) == 21
    assert {skill.importance for skill in scientist.required_skills} == {1.0, 0.5}


def test_onet_skills(shared_data: Path) -> None:
    result = import_onet_skills(shared_data / "onet" / "skills_onet26_im_lv.csv")
    by_id = {skill.id: skill for skill in result.items}
    assert len(result.items) == 35
    assert by_id["onet:skill:2.A.1.a"].framework_code == "2.A.1.a"
    assert by_id["onet:skill:2.B.3.e"].label == "Programming"


def test_onet_technology(shared_data: Path) -> None:
    result = import_onet_technology(shared_data / "onet" / "technology_skills.txt")
    flagged = [skill for skill in result.items if skill.model_extra["hot"] or skill.model_extra["in_demand"]]
    assert len(result.items) == 8775
    assert len(flagged) == 319
    assert all(skill.skill_type == SkillType.TECHNOLOGY for skill in result.items)


def test_onet_occupations(shared_data: Path) -> None:
    result = import_onet_occupations(shared_data / "onet")
    by_id = {occupation.id: occupation for occupation in result.items}
    chiefs = by_id["onet:occupation:11-1011.00"]
    scientists = by_id["onet:occupation:15-2051.00"]
    assert result.report.accepted == 1016
    assert len(result.report.warnings) == 3557
    assert any(skill.skill_id == "onet:skill:2.A.1.a" for skill in chiefs.required_skills)
    assert any(skill.skill_id == "onet:tech:python" for skill in scientists.required_skills)
    assert "Data Analyst" in scientists.alt_titles


def test_onet_importance_scale() -> None:
    assert importance_from_im(1.0) == 0.0
    assert importance_from_im(5.0) == 1.0
    assert importance_from_im(3.0) == 0.5


def test_onet_level_scale() -> None:
    assert proficiency_from_lv(0.0) == Proficiency.FOUNDATIONAL
    assert proficiency_from_lv(2.0) == Proficiency.INTERMEDIATE
    assert proficiency_from_lv(4.5) == Proficiency.ADVANCED
    assert proficiency_from_lv(6.0) == Proficiency.EXPERT


def small_taxonomy() -> list[Skill]:
    return [
        Skill(id="esco:skill:py", label="Python (computer programming)", framework=Framework.ESCO),
        Skill(id="esco:skill:ml", label="machine learning", alt_labels=["ML"], framework=Framework.ESCO),
        Skill(id="esco:skill:acc", label="accounting", framework=Framework.ESCO),
        Skill(id="esco:skill:db", label="database", framework=Framework.ESCO),
        Skill(id="onet:tech:python", label="Python", framework=Framework.ONET, skill_type=SkillType.TECHNOLOGY),
        Skill(id="onet:tech:acc", label="Accounting software", framework=Framework.ONET, skill_type=SkillType.TECHNOLOGY),
        Skill(id="onet:tech:alteryx", label="Alteryx software", framework=Framework.ONET, skill_type=SkillType.TECHNOLOGY),
    ]


def test_mapping_exact_both_frameworks() -> None:
    matches = SkillMapper(small_taxonomy()).map_names(["Python Programming"])["Python Programming"]
    assert {match.skill_id for match in matches} == {"esco:skill:py", "onet:tech:python"}
    assert {match.rule for match in matches} == {"exact"}


def test_mapping_alternative_label() -> None:
    matches = SkillMapper(small_taxonomy()).map_names(["Machine Learning (ML)"])["Machine Learning (ML)"]
    assert [match.skill_id for match in matches] == ["esco:skill:ml"]


def test_mapping_software_suffix_only_for_tools() -> None:
    mapping = SkillMapper(small_taxonomy()).map_names(["Accounting", "Alteryx"])
    assert [match.skill_id for match in mapping["Accounting"]] == ["esco:skill:acc"]
    assert [match.skill_id for match in mapping["Alteryx"]] == ["onet:tech:alteryx"]


def test_mapping_plural_variant() -> None:
    matches = SkillMapper(small_taxonomy()).map_names(["Databases"])["Databases"]
    assert [(match.skill_id, match.rule) for match in matches] == [("esco:skill:db", "variant")]


def test_mapping_fuzzy() -> None:
    matches = SkillMapper(small_taxonomy()).map_names(["Machine Lerning"])["Machine Lerning"]
    assert [(match.skill_id, match.rule) for match in matches] == [("esco:skill:ml", "fuzzy")]


def test_mapping_nothing_matches() -> None:
    assert SkillMapper(small_taxonomy()).map_names(["Baking"])["Baking"] == []
