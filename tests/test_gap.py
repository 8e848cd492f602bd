"""Gap analysis and goal resolution."""

from __future__ import annotations

import pytest

from advisor.domain import (
    Credential,
    Goal,
    GoalKind,
    GoalSkill,
    KnowledgeBase,
    LearnerRecord,
    Occupation,
    Proficiency,
    RequiredSkill,
    SelfReportedSkill,
    Skill,
    SkillLevel,
    EarnedAchievement,
)
from advisor.engine.gap import compute_gap
from advisor.engine.goals import extract_posting_skills, find_occupation, goal_from_text, resolve_goal
from advisor.engine.profile import build_profile
from advisor.errors import InvalidInputError


@pytest.fixture
def kb() -> KnowledgeBase:
    skills = [
        Skill(id="py", label="Python", framework="esco"),
        Skill(id="sql", label="SQL", framework="esco"),
        Skill(id="ml", label="machine learning", framework="esco"),
        Skill(id="comm", label="communication", framework="onet"),
        Skill(id="excel", label="Microsoft Excel", alt_labels=["Excel"], framework="onet"),
    ]
    credentials = [
        Credential(id="c-py", title="Py", skills=[SkillLevel(skill_id="py", level=3)]),
        Credential(id="c-ml", title="ML", skills=[SkillLevel(skill_id="ml", level=3)]),
    ]
    required = [RequiredSkill(skill_id="py", level=3), RequiredSkill(skill_id="ml", level=2, importance=0.5)]
    occupations = [
        Occupation(id="esco:ds", title="data scientist", alt_titles=["data science expert"], framework="esco",
                   framework_uri="http://data.europa.eu/esco/occupation/ds", required_skills=required),
        Occupation(id="onet:15-2051.00", title="Data Scientists", framework="onet", framework_code="15-2051.00",
                   required_skills=[RequiredSkill(skill_id="comm", level=3)]),
        Occupation(id="esco:dev1", title="software developer", framework="esco", required_skills=required),
        Occupation(id="esco:dev2", title="software developer", framework="esco", required_skills=required),
    ]
    return KnowledgeBase.from_items(credentials, skills, occupations)


def gap_for(kb: KnowledgeBase, record: LearnerRecord | None, goal: Goal):
    return compute_gap(build_profile(kb, record), resolve_goal(kb, goal))


SKILLS_GOAL = Goal(
    kind=GoalKind.SKILLS,
    skills=[GoalSkill(text="python", level=Proficiency.ADVANCED), GoalSkill(text="sql", level=Proficiency.INTERMEDIATE)],
)


def test_cold_start_gap(kb: KnowledgeBase) -> None:
    gap = gap_for(kb, None, SKILLS_GOAL)
    assert [item.skill_id for item in gap.skills] == ["py", "sql"]
    assert gap.total_weight == 5


def test_self_reported_counts_lower(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        self_reported_skills=[
            SelfReportedSkill(id="s1", name="python", level=3),
            SelfReportedSkill(id="s2", name="sql", level=3),
        ],
    )
    gap = gap_for(kb, record, SKILLS_GOAL)
    assert [item.skill_id for item in gap.skills] == ["py"]
    assert gap.skills[0].current_level == 2
    assert gap.skills[0].record_item_ids == ["s1"]
    assert [item.skill_id for item in gap.met] == ["sql"]


def test_verified_counts_full(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        achievements=[EarnedAchievement(id="a1", title="Py", verified=True, credential_id="c-py")],
    )
    gap = gap_for(kb, record, SKILLS_GOAL)
    assert [item.skill_id for item in gap.met] == ["py"]


def test_importance_weights(kb: KnowledgeBase) -> None:
    gap = gap_for(kb, None, Goal(kind=GoalKind.OCCUPATION, occupation="esco:ds"))
    weights = {item.skill_id: item.weighted_gap for item in gap.skills}
    assert weights == {"py": 3.0, "ml": 1.0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("esco:ds", "esco:ds"),
        ("http://data.europa.eu/esco/occupation/ds", "esco:ds"),
        ("15-2051.00", "onet:15-2051.00"),
        ("15-2051", "onet:15-2051.00"),
        ("Data Science Expert", "esco:ds"),
        ("data scientst", "esco:ds"),
    ],
)
def test_find_occupation(kb: KnowledgeBase, text: str, expected: str) -> None:
    assert find_occupation(kb, text).id == expected


def test_title_prefers_covered(kb: KnowledgeBase) -> None:
    assert find_occupation(kb, "Data Scientist").id == "esco:ds"


def test_ambiguous_title_raises(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidInputError, match="several occupations"):
        find_occupation(kb, "software developer")


def test_unknown_title_raises(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidInputError, match="Closest"):
        find_occupation(kb, "astronaut")


def test_posting_extraction(kb: KnowledgeBase) -> None:
    text = "We need a data person.\nSkills: Python, SQL, machien learning, Excel, juggling flaming torches"
    found, unmatched = extract_posting_skills(kb, text)
    assert [item.skill_id for item in found] == ["py", "sql", "excel", "ml"]
    assert [item.text for item in unmatched] == ["juggling flaming torches"]


def test_skills_goal_unknown_raises(kb: KnowledgeBase) -> None:
    goal = Goal(kind=GoalKind.SKILLS, skills=[GoalSkill(text="juggling")])
    with pytest.raises(InvalidInputError, match="juggling"):
        resolve_goal(kb, goal)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("data scientist", GoalKind.OCCUPATION),
        ("python:3, sql", GoalKind.SKILLS),
        ("skills: python", GoalKind.SKILLS),
        ("We are hiring an analyst who knows Python and SQL and can explain results to the business team", GoalKind.POSTING),
    ],
)
def test_goal_from_text(text: str, kind: GoalKind) -> None:
    assert goal_from_text(text).kind is kind


def test_goal_levels_parsed() -> None:
    goal = goal_from_text("python:3, sql (advanced), excel")
    assert [(item.text, item.level) for item in goal.skills] == [
        ("python", Proficiency.ADVANCED),
        ("sql", Proficiency.ADVANCED),
        ("excel", None),
    ]


def test_posting_skips_everyday_words() -> None:
    skills = [
        Skill(id="stats", label="statistics", alt_labels=["data"], framework="esco"),
        Skill(id="hiring", label="Hiring", framework="onet"),
        Skill(id="excel", label="Microsoft Excel", alt_labels=["Excel"], framework="onet"),
        Skill(id="sql", label="SQL", framework="esco"),
    ]
    kb = KnowledgeBase.from_items([], skills, [])
    found, _unmatched = extract_posting_skills(kb, "We are hiring a junior analyst to clean data with SQL and Excel.")
    assert [item.skill_id for item in found] == ["sql", "excel"]
