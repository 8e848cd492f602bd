"""Property test: on random small catalogs the plan is valid and its objective is the brute-force optimum."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.domain import (
    Constraints,
    Credential,
    Goal,
    GoalKind,
    KnowledgeBase,
    Occupation,
    RequiredSkill,
    Skill,
    SkillLevel,
)
from advisor.engine import advise
from advisor.engine import scaling

SKILLS = ["a", "b", "c", "d"]
TODAY = date(2026, 1, 5)


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[KnowledgeBase, Constraints]:
    count = draw(st.integers(min_value=1, max_value=6))
    credentials = []
    for index in range(count):
        taught = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), min_size=1, max_size=2))
        earlier = [f"c{item}" for item in range(index)]
        needs = draw(st.lists(st.sampled_from(earlier), max_size=1, unique=True)) if earlier else []
        needs_skill = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 2), max_size=1))
        credentials.append(
            Credential(
                id=f"c{index}",
                title=f"C{index}",
                skills=[SkillLevel(skill_id=key, level=value) for key, value in taught.items()],
                prerequisite_credentials=needs,
                prerequisite_skills=[SkillLevel(skill_id=key, level=value) for key, value in needs_skill.items()],
                hours=draw(st.integers(1, 30)),
                cost=draw(st.integers(0, 100)),
                currency="USD",
            )
        )
    required = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), min_size=1, max_size=4))
    occupation = Occupation(
        id="occ",
        title="role",
        framework="esco",
        required_skills=[
            RequiredSkill(
                skill_id=key,
                level=value,
                importance=draw(st.sampled_from([0.5, 1.0])),
                essential=draw(st.booleans()),
            )
            for key, value in required.items()
        ],
    )
    kb = KnowledgeBase.from_items(credentials, [Skill(id=item, label=f"skill {item}", framework="esco") for item in SKILLS], [occupation])
    constraints = Constraints(
        hours_per_week=10,
        budget=draw(st.none() | st.integers(0, 200)),
        max_credentials=draw(st.none() | st.integers(1, 4)),
        deadline=draw(st.none() | st.sampled_from([date(2026, 1, 25), date(2026, 2, 22)])),
    )
    return kb, constraints


def reached_levels(kb: KnowledgeBase, chosen: list[str]) -> dict[str, int]:
    levels: dict[str, int] = {}
    for credential_id in chosen:
        for taught in kb.credentials[credential_id].skills:
            levels[taught.skill_id] = max(levels.get(taught.skill_id, 0), int(taught.level))
    return levels


def order_is_valid(kb: KnowledgeBase, order: list[str]) -> bool:
    placed: list[str] = []
    for credential_id in order:
        credential = kb.credentials[credential_id]
        if any(needed not in placed for needed in credential.prerequisite_credentials):
            return False
        levels = reached_levels(kb, placed)
        if any(levels.get(item.skill_id, 0) < int(item.level) for item in credential.prerequisite_skills):
            return False
        placed.append(credential_id)
    return True


def orderable(kb: KnowledgeBase, chosen: tuple[str, ...]) -> bool:
    return any(order_is_valid(kb, list(order)) for order in itertools.permutations(chosen))


def effort(kb: KnowledgeBase, credential_id: str) -> int:
    """Return hours * 10 * (10 + alpha * 10 * (1 - focus)), focus being the taught skills' share the goal requires."""
    credential = kb.credentials[credential_id]
    required = {item.skill_id for item in kb.occupations["occ"].required_skills}
    taught = {item.skill_id for item in credential.skills}
    focus = len(taught & required) / len(taught)
    factor = scaling.EFFORT_STEPS + round(scaling.EFFORT_ALPHA * (1.0 - focus) * scaling.EFFORT_STEPS)
    return round((credential.hours or 0) * 10) * factor


def score(kb: KnowledgeBase, chosen: list[str] | tuple[str, ...]) -> tuple[float, float, float, float]:
    """Return the planner's objective: essential coverage, -effort, optional coverage, -cost."""
    levels = reached_levels(kb, list(chosen))
    covered = {
        item.skill_id: item.importance * min(levels.get(item.skill_id, 0), int(item.level))
        for item in kb.occupations["occ"].required_skills
    }
    essential = sum(covered[item.skill_id] for item in kb.occupations["occ"].required_skills if item.essential)
    optional = sum(covered[item.skill_id] for item in kb.occupations["occ"].required_skills if not item.essential)
    cost = sum(kb.credentials[item].cost or 0 for item in chosen)
    return essential, -sum(effort(kb, item) for item in chosen), optional, -cost


def fits(kb: KnowledgeBase, constraints: Constraints, chosen: tuple[str, ...]) -> bool:
    hours = sum(kb.credentials[item].hours or 0 for item in chosen)
    cost = sum(kb.credentials[item].cost or 0 for item in chosen)
    if constraints.budget is not None and cost > constraints.budget:
        return False
    if constraints.max_credentials is not None and len(chosen) > constraints.max_credentials:
        return False
    if constraints.deadline is not None:
        weeks = ((constraints.deadline - TODAY).days + 1) // 7
        if hours > 10 * weeks:
            return False
    return True


def brute_force(kb: KnowledgeBase, constraints: Constraints) -> tuple[float, float, float, float]:
    best = score(kb, ())
    ids = sorted(kb.credentials)
    for size in range(1, len(ids) + 1):
        for chosen in itertools.combinations(ids, size):
            if fits(kb, constraints, chosen) and orderable(kb, chosen):
                best = max(best, score(kb, chosen))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_plan_optimal_and_valid(case: tuple[KnowledgeBase, Constraints]) -> None:
    kb, constraints = case
    pathway = advise(kb, None, Goal(kind=GoalKind.OCCUPATION, occupation="occ"), constraints, today=TODAY).pathway
    chosen = tuple(pathway.credential_ids)
    assert order_is_valid(kb, list(chosen))
    assert fits(kb, constraints, chosen)
    assert score(kb, chosen) == brute_force(kb, constraints)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_plan_optimal_with_effort_weight(case: tuple[KnowledgeBase, Constraints]) -> None:
    kb, constraints = case
    shipped = scaling.EFFORT_ALPHA
    scaling.EFFORT_ALPHA = 2.0
    try:
        pathway = advise(kb, None, Goal(kind=GoalKind.OCCUPATION, occupation="occ"), constraints, today=TODAY).pathway
        chosen = tuple(pathway.credential_ids)
        assert fits(kb, constraints, chosen)
        assert score(kb, chosen) == brute_force(kb, constraints)
    finally:
        scaling.EFFORT_ALPHA = shipped
