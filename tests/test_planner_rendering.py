"""Advice as a learner reads it: input checks, wording, estimated hours and unpriced budgets."""

from __future__ import annotations

from datetime import date

import pytest

from advisor.domain import (
    Constraints,
    Credential,
    Goal,
    GoalKind,
    GoalSkill,
    KnowledgeBase,
    LearnerRecord,
    Occupation,
    RequiredSkill,
    SelfReportedSkill,
    Skill,
    SkillLevel,
    WorkExperience,
)
from advisor.engine import advise
from advisor.engine.explain import count_phrase, plural, render_advice
from advisor.engine.goals import resolve_goal
from advisor.errors import InvalidInputError

TODAY = date(2026, 1, 5)
GOAL = Goal(kind=GoalKind.OCCUPATION, occupation="occ")


def catalog(credentials: list[Credential], required: list[tuple[str, int]]) -> KnowledgeBase:
    skill_ids = sorted({skill_id for skill_id, _level in required})
    occupation = Occupation(
        id="occ",
        title="target role",
        framework="esco",
        required_skills=[RequiredSkill(skill_id=item, level=level) for item, level in required],
    )
    skills = [Skill(id=item, label=f"skill {item}", framework="esco") for item in skill_ids]
    return KnowledgeBase.from_items(credentials, skills, [occupation])


def teaches(skill_id: str, level: int) -> list[SkillLevel]:
    return [SkillLevel(skill_id=skill_id, level=level)]


def test_past_deadline_rejected() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 2), hours=10)], [("x", 2)])

    with pytest.raises(InvalidInputError) as raised:
        advise(kb, None, GOAL, Constraints(deadline=date(2020, 1, 1)), today=TODAY)

    assert "2020-01-01" in str(raised.value)
    assert "2026-01-05" in str(raised.value)
    assert raised.value.hint


def test_deadline_today_accepted() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 2), hours=10)], [("x", 2)])

    advice = advise(kb, None, GOAL, Constraints(deadline=TODAY, hours_per_week=10), today=TODAY)

    assert advice.pathway is not None


def test_plural_agreement() -> None:
    assert plural(1, "skill") == "1 skill"
    assert plural(2, "skill") == "2 skills"
    assert count_phrase(1, 11, "part") == "1 of the 11 parts has"
    assert count_phrase(2, 11, "part") == "2 of the 11 parts have"


def test_rendering_wording() -> None:
    kb = catalog(
        [
            Credential(id="c1", title="A", skills=teaches("x", 2), hours=15, is_part_of=["p"]),
            Credential(id="c2", title="B", skills=teaches("y", 2), hours=15, is_part_of=["p"]),
            Credential(id="c3", title="C", skills=teaches("w", 2), hours=5, is_part_of=["p"]),
            Credential(id="p", title="Program", kind="certificate", has_part=["c1", "c2", "c3"]),
        ],
        [("x", 2), ("y", 2), ("z", 1)],
    )

    text = render_advice(advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert "from none to Intermediate (required: Intermediate)" in text
    assert "->" not in text
    assert "2 of its 3 parts are in the plan" in text
    assert "above level 0" not in text
    assert "skill z (reached: none, required: Foundational)" in text
    assert "weeks 2-3 (starting in week 2, as soon as step 1 ends)" in text
    assert "Gap: 3 skills missing" in text


def test_single_part_is_singular() -> None:
    kb = catalog(
        [
            Credential(id="c1", title="A", skills=teaches("x", 2), hours=10, is_part_of=["p"]),
            Credential(id="c2", title="B", skills=teaches("w", 2), hours=10, is_part_of=["p"]),
            Credential(id="p", title="Program", kind="certificate", has_part=["c1", "c2"]),
        ],
        [("x", 2)],
    )

    text = render_advice(advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert "1 of its 2 parts is in the plan" in text
    assert "Gap: 1 skill missing" in text


def test_derived_hours_marked_estimated() -> None:
    kb = catalog(
        [Credential(id="c1", title="A", skills=teaches("x", 2), hours=195, derived=["hours", "description"])],
        [("x", 2)],
    )

    advice = advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY)

    assert advice.pathway.steps[0].hours_estimated
    assert advice.model_dump(mode="json")["pathway"]["steps"][0]["hours_estimated"] is True
    assert "195 h (estimated)" in render_advice(advice)


def test_source_hours_not_estimated() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 2), hours=20)], [("x", 2)])

    advice = advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY)

    assert not advice.pathway.steps[0].hours_estimated


def test_budget_over_unpriced_noted() -> None:
    kb = catalog(
        [
            Credential(id="c1", title="A", skills=teaches("x", 2), hours=20),
            Credential(id="c2", title="B", skills=teaches("x", 2), hours=30),
        ],
        [("x", 2)],
    )

    advice = advise(kb, None, GOAL, Constraints(hours_per_week=10, budget=100), today=TODAY)
    text = render_advice(advice)

    assert "known cost 0 USD" in text
    assert "the budget of 100 USD was applied to known prices only" in text
    assert "2 of the 2 candidate credentials have no price" in text
    assert "1 of the 1 chosen step has no price" in text


def test_budget_with_prices_has_no_note() -> None:
    kb = catalog(
        [Credential(id="c1", title="A", skills=teaches("x", 2), hours=20, cost=50, currency="EUR")],
        [("x", 2)],
    )

    text = render_advice(advise(kb, None, GOAL, Constraints(hours_per_week=10, budget=100), today=TODAY))

    assert "known prices only" not in text
    assert "known cost 50 EUR" in text


def test_unpriced_alternative_not_called_cheaper() -> None:
    kb = catalog(
        [
            Credential(
                id="c1", title="A", skills=[*teaches("x", 3), *teaches("w", 3)], hours=20
            ),
            Credential(id="c2", title="B", skills=teaches("y", 1), hours=20),
        ],
        [("x", 3), ("w", 3), ("y", 1)],
    )

    advice = advise(
        kb, None, GOAL, Constraints(hours_per_week=10, budget=100), today=TODAY, alternatives=True
    )
    text = render_advice(advice)

    assert advice.alternatives is not None
    assert advice.alternatives.cheaper is not None
    assert not advice.alternatives.cheaper_proven
    assert "Cheaper alternative (" not in text
    assert "not shown to be cheaper" in text


def test_self_reported_discount_stated_once() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 3), hours=10)], [("x", 3), ("y", 1)])
    record = LearnerRecord(
        learner_id="l1",
        self_reported_skills=[
            SelfReportedSkill(id="s1", name="skill x", level=3),
            SelfReportedSkill(id="s2", name="skill y", level=3),
        ],
    )

    text = render_advice(advise(kb, record, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert text.count("self-reported skills count one level lower until verified") == 1


def test_no_discount_note_without_self_reported() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 3), hours=10)], [("x", 3)])

    text = render_advice(advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert "one level lower" not in text


def test_unrecognised_record_skills_listed() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 2), hours=10)], [("x", 2)])
    record = LearnerRecord(
        learner_id="l1",
        work_experience=[WorkExperience(id="w1", title="Clerk", skills=["skill xyzw", "juggling"])],
        self_reported_skills=[SelfReportedSkill(id="s1", name="juggling")],
    )

    text = render_advice(advise(kb, record, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert text.count("These skills in your record were not recognised") == 1
    assert "'skill xyzw' [w1] (did you mean skill x?)" in text
    assert "'juggling' [w1, s1]" in text
    assert "No skill in your record was recognised" in text
    assert "starts from scratch" not in text


def test_record_without_skills_not_scratch() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 2), hours=10)], [("x", 2)])
    record = LearnerRecord(learner_id="l1", work_experience=[WorkExperience(id="w1", title="Clerk")])

    text = render_advice(advise(kb, record, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert "No item in your record names a skill the advisor knows" in text
    assert "[w1]" in text
    assert "starts from scratch" not in text


def test_cold_start_starts_from_scratch() -> None:
    kb = catalog([Credential(id="c1", title="A", skills=teaches("x", 2), hours=10)], [("x", 2)])

    text = render_advice(advise(kb, None, GOAL, Constraints(hours_per_week=10), today=TODAY))

    assert "this plan starts from scratch" in text
    assert "not recognised" not in text


def test_swapped_goal_skill_keeps_level() -> None:
    kb = KnowledgeBase.from_items([], [Skill(id="python", label="Python", framework="esco")], [])
    goal = Goal(kind=GoalKind.SKILLS, skills=[GoalSkill(text="pyhton", level=3)])

    resolved = resolve_goal(kb, goal)

    assert [item.skill_id for item in resolved.required] == ["python"]
    assert int(resolved.required[0].level) == 3
    assert not resolved.unmatched
