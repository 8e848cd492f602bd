"""Planner on small hand-built catalogs with exact expected plans."""

from __future__ import annotations

from datetime import date

import pytest

from advisor.domain import (
    Constraints,
    Credential,
    EarnedAchievement,
    Goal,
    GoalKind,
    GoalSkill,
    KnowledgeBase,
    LearnerRecord,
    Occupation,
    OpenGapReason,
    RequiredSkill,
    SelfReportedSkill,
    Skill,
    SkillLevel,
)
from advisor.engine import advise, compare_credentials, faster_alternative
from advisor.engine.explain import render_advice

TODAY = date(2026, 1, 5)


def skill(skill_id: str) -> Skill:
    return Skill(id=skill_id, label=f"skill {skill_id}", framework="esco")


def teaches(*pairs: tuple[str, int]) -> list[SkillLevel]:
    return [SkillLevel(skill_id=skill_id, level=level) for skill_id, level in pairs]


def catalog(credentials: list[Credential], skill_ids: list[str], required: list[tuple[str, int]]) -> KnowledgeBase:
    occupation = Occupation(
        id="occ",
        title="target role",
        framework="esco",
        required_skills=[RequiredSkill(skill_id=item, level=level) for item, level in required],
    )
    return KnowledgeBase.from_items(credentials, [skill(item) for item in skill_ids], [occupation])


GOAL = Goal(kind=GoalKind.OCCUPATION, occupation="occ")


def plan(kb: KnowledgeBase, record: LearnerRecord | None = None, **limits: object):
    return advise(kb, record, GOAL, Constraints(hours_per_week=10, **limits), today=TODAY)


def test_prerequisite_chain_ordered() -> None:
    kb = catalog(
        [
            Credential(id="c3", title="C", skills=teaches(("z", 2)), hours=10, prerequisite_credentials=["c2"]),
            Credential(id="c2", title="B", skills=teaches(("y", 2)), hours=10, prerequisite_skills=teaches(("x", 2))),
            Credential(id="c1", title="A", skills=teaches(("x", 2)), hours=10),
        ],
        ["x", "y", "z"],
        [("z", 2)],
    )
    pathway = plan(kb).pathway
    assert pathway.credential_ids == ["c1", "c2", "c3"]
    assert pathway.steps[0].needed_by == ["c2"]
    assert pathway.steps[2].prerequisites[0].satisfied_by == "plan"


def test_prerequisite_satisfied_by_profile() -> None:
    kb = catalog(
        [
            Credential(id="c2", title="B", skills=teaches(("y", 2)), hours=10, prerequisite_skills=teaches(("x", 2))),
            Credential(id="c1", title="A", skills=teaches(("x", 2)), hours=10),
        ],
        ["x", "y"],
        [("y", 2)],
    )
    record = LearnerRecord(
        learner_id="l1",
        achievements=[EarnedAchievement(id="a1", title="A", verified=True, credential_id="c1")],
    )
    pathway = plan(kb, record).pathway
    assert pathway.credential_ids == ["c2"]
    assert pathway.steps[0].prerequisites[0].citations == ["a1"]


def test_stacking_preferred() -> None:
    kb = catalog(
        [
            Credential(id="lone", title="Standalone", skills=teaches(("x", 2)), hours=10),
            Credential(id="part", title="Part", skills=teaches(("x", 2)), hours=10, is_part_of=["cert"]),
            Credential(id="cert", title="Certificate", kind="certificate", has_part=["part", "other"],
                       skills=teaches(("x", 2), ("y", 2)), hours=200),
            Credential(id="other", title="Other part", skills=teaches(("y", 2)), hours=10),
        ],
        ["x", "y"],
        [("x", 2)],
    )
    pathway = plan(kb).pathway
    assert pathway.credential_ids == ["part"]
    assert pathway.steps[0].stacks_into[0].credential_id == "cert"


def test_held_credential_excluded() -> None:
    kb = catalog(
        [
            Credential(id="held", title="Held", skills=teaches(("x", 3)), hours=5),
            Credential(id="next", title="Next", skills=teaches(("x", 3)), hours=30),
        ],
        ["x"],
        [("x", 3)],
    )
    record = LearnerRecord(
        learner_id="l1",
        achievements=[EarnedAchievement(id="a1", title="Held", credential_id="held")],
    )
    advice = plan(kb, record)
    assert advice.gap.skills[0].current_level == 2
    assert advice.pathway.credential_ids == ["next"]


def test_all_skills_held_excluded() -> None:
    kb = catalog(
        [
            Credential(id="known", title="Known", skills=teaches(("x", 2), ("y", 1)), hours=5),
            Credential(id="new", title="New", skills=teaches(("y", 2)), hours=30),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    record = LearnerRecord(
        learner_id="l1",
        self_reported_skills=[
            SelfReportedSkill(id="s1", name="skill x", level=3),
            SelfReportedSkill(id="s2", name="skill y", level=2),
        ],
    )
    assert plan(kb, record).pathway.credential_ids == ["new"]


def test_budget_infeasible_names_gaps() -> None:
    kb = catalog(
        [
            Credential(id="cheap", title="Cheap", skills=teaches(("x", 2)), hours=10, cost=50, currency="EUR"),
            Credential(id="dear", title="Dear", skills=teaches(("y", 2)), hours=10, cost=500, currency="EUR"),
        ],
        ["x", "y", "z"],
        [("x", 2), ("y", 2), ("z", 2)],
    )
    pathway = plan(kb, budget=100, currency="EUR").pathway
    reasons = {item.skill_id: item.reason for item in pathway.open_gaps}
    assert pathway.credential_ids == ["cheap"]
    assert reasons["y"] is OpenGapReason.OVER_BUDGET
    assert reasons["z"] is OpenGapReason.NO_CREDENTIAL
    assert pathway.known_cost == 50


def test_unknown_cost_policy() -> None:
    kb = catalog(
        [Credential(id="unpriced", title="Unpriced", skills=teaches(("x", 2)), hours=10)],
        ["x"],
        [("x", 2)],
    )
    allowed = plan(kb, budget=10).pathway
    excluded = plan(kb, budget=10, unknown_cost="exclude").pathway
    assert allowed.unknown_cost_ids == ["unpriced"]
    assert excluded.credential_ids == []
    assert excluded.open_gaps[0].reason is OpenGapReason.FILTERED


def test_cold_start_plans_everything() -> None:
    kb = catalog(
        [
            Credential(id="a", title="A", skills=teaches(("x", 1)), hours=10),
            Credential(id="b", title="B", skills=teaches(("x", 2)), hours=20, prerequisite_skills=teaches(("x", 1))),
        ],
        ["x"],
        [("x", 2)],
    )
    advice = plan(kb, None)
    assert advice.profile.skills == {}
    assert advice.pathway.credential_ids == ["a", "b"]
    assert advice.pathway.steps[1].closes[0].from_level == 1


def test_deadline_leaves_gap_open() -> None:
    kb = catalog(
        [
            Credential(id="short", title="Short", skills=teaches(("x", 2)), hours=15),
            Credential(id="long", title="Long", skills=teaches(("y", 2)), hours=40),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    pathway = plan(kb, deadline=date(2026, 1, 25)).pathway
    assert pathway.credential_ids == ["short"]
    assert pathway.open_gaps[0].reason is OpenGapReason.PAST_DEADLINE
    assert pathway.end_date <= date(2026, 1, 25)


def test_schedule_weeks() -> None:
    kb = catalog(
        [
            Credential(id="a", title="A", skills=teaches(("x", 2)), hours=15),
            Credential(id="b", title="B", skills=teaches(("y", 2)), hours=10),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    steps = plan(kb).pathway.steps
    assert [step.credential_id for step in steps] == ["b", "a"]
    assert [(step.start_week, step.end_week) for step in steps] == [(1, 1), (2, 3)]
    assert steps[0].start_date == TODAY


def test_excluded_and_modality() -> None:
    kb = catalog(
        [
            Credential(id="a", title="A", skills=teaches(("x", 2)), hours=10),
            Credential(id="b", title="B", skills=teaches(("y", 2)), hours=10, modality="in_person"),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    pathway = plan(kb, exclude=["a"], modalities=["online"]).pathway
    reasons = {item.skill_id: item.reason for item in pathway.open_gaps}
    assert pathway.credential_ids == []
    assert reasons == {"x": OpenGapReason.EXCLUDED, "y": OpenGapReason.FILTERED}


def test_max_credentials() -> None:
    kb = catalog(
        [
            Credential(id="a", title="A", skills=teaches(("x", 2)), hours=10),
            Credential(id="b", title="B", skills=teaches(("y", 2)), hours=10),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    pathway = plan(kb, max_credentials=1).pathway
    assert len(pathway.steps) == 1
    assert pathway.open_gaps[0].reason is OpenGapReason.MAX_CREDENTIALS


def test_fewer_hours_preferred() -> None:
    kb = catalog(
        [
            Credential(id="big", title="Big", skills=teaches(("x", 2), ("y", 2)), hours=50),
            Credential(id="x1", title="X", skills=teaches(("x", 2)), hours=10),
            Credential(id="y1", title="Y", skills=teaches(("y", 2)), hours=10),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    assert sorted(plan(kb).pathway.credential_ids) == ["x1", "y1"]


def test_unknown_hours_estimated() -> None:
    kb = catalog([Credential(id="a", title="A", skills=teaches(("x", 2)))], ["x"], [("x", 2)])
    step = plan(kb).pathway.steps[0]
    assert step.hours == 20
    assert step.hours_estimated


def test_greedy_fallback_reported() -> None:
    kb = catalog(
        [
            Credential(id="a", title="A", skills=teaches(("x", 2)), hours=10),
            Credential(id="b", title="B", skills=teaches(("y", 2)), hours=10, prerequisite_credentials=["a"]),
        ],
        ["x", "y"],
        [("y", 2)],
    )
    pathway = advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY, exact=False).pathway
    assert pathway.solver == "greedy"
    assert pathway.credential_ids == ["a", "b"]


def test_citations_exist() -> None:
    kb = catalog(
        [Credential(id="a", title="A", skills=teaches(("x", 3)), hours=10)],
        ["x"],
        [("x", 3)],
    )
    record = LearnerRecord(learner_id="l1", self_reported_skills=[SelfReportedSkill(id="s1", name="skill x", level=2)])
    advice = plan(kb, record)
    known = set(kb.credentials) | record.item_ids()
    for step in advice.pathway.steps:
        assert set(step.citations) <= known
    assert "s1" in advice.pathway.steps[0].citations
    assert "[a]" in render_advice(advice)


def test_faster_alternative_found() -> None:
    kb = catalog(
        [
            Credential(id="full", title="Full", skills=teaches(("x", 2), ("y", 2), ("w", 2)), hours=50),
            Credential(id="part", title="Part", skills=teaches(("x", 2), ("y", 1), ("w", 2)), hours=10),
        ],
        ["x", "y", "w"],
        [("x", 2), ("y", 2), ("w", 2)],
    )
    found, _note = faster_alternative(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY)
    assert found is not None
    assert found.credential_ids == ["part"]


def test_compare_credentials() -> None:
    kb = catalog(
        [
            Credential(id="a", title="A", skills=teaches(("x", 2), ("y", 2)), hours=30, cost=10, currency="USD"),
            Credential(id="b", title="B", skills=teaches(("x", 2)), hours=10, cost=5, currency="USD"),
        ],
        ["x", "y"],
        [("x", 2), ("y", 2)],
    )
    comparison = compare_credentials(kb, None, GOAL, "a", "b")
    assert comparison.more_gap_closed == "a"
    assert comparison.fewer_hours == "b"
    assert comparison.cheaper == "b"


def test_compare_unknown_id() -> None:
    kb = catalog([], ["x"], [("x", 2)])
    with pytest.raises(Exception, match="not in the catalog"):
        compare_credentials(kb, None, GOAL, "a", "b")


def test_skills_goal_with_levels() -> None:
    kb = catalog([Credential(id="a", title="A", skills=teaches(("x", 3)), hours=10)], ["x"], [])
    goal = Goal(kind=GoalKind.SKILLS, skills=[GoalSkill(text="Skill X", level=3)])
    advice = advise(kb, None, goal, Constraints(hours_per_week=5), today=TODAY)
    assert advice.gap.skills[0].required_level == 3
    assert advice.pathway.credential_ids == ["a"]
