"""Presolve: the candidates it drops are never needed for the optimum."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from test_planner_properties import catalogs, fits, order_is_valid

from advisor.domain import Constraints, Credential, Goal, GoalKind, KnowledgeBase, Occupation, RequiredSkill, Skill, SkillLevel
from advisor.engine.advice import prepare
from advisor.engine.candidates import PlanProblem
from advisor.engine.presolve import reduce_candidates

TODAY = date(2026, 1, 5)
GOAL = Goal(kind=GoalKind.OCCUPATION, occupation="occ")


def problem_for(kb: KnowledgeBase, constraints: Constraints) -> PlanProblem:
    return prepare(kb, None, GOAL, constraints, today=TODAY).problem


def catalog(credentials: list[Credential], required: list[tuple[str, int]]) -> KnowledgeBase:
    skill_ids = sorted({item.skill_id for credential in credentials for item in credential.skills} | {item for item, _ in required})
    occupation = Occupation(
        id="occ",
        title="role",
        framework="esco",
        required_skills=[RequiredSkill(skill_id=item, level=level) for item, level in required],
    )
    skills = [Skill(id=item, label=f"skill {item}", framework="esco") for item in skill_ids]
    return KnowledgeBase.from_items(credentials, skills, [occupation])


def teaches(*pairs: tuple[str, int]) -> list[SkillLevel]:
    return [SkillLevel(skill_id=skill_id, level=level) for skill_id, level in pairs]


def kept_ids(credentials: list[Credential], required: list[tuple[str, int]]) -> set[str]:
    kb = catalog(credentials, required)
    return set(reduce_candidates(problem_for(kb, Constraints(hours_per_week=10))))


def lexicographic_value(kb: KnowledgeBase, problem: PlanProblem, chosen: tuple[str, ...]) -> tuple:
    levels: dict[str, int] = {}
    for credential_id in chosen:
        for taught in kb.credentials[credential_id].skills:
            levels[taught.skill_id] = max(levels.get(taught.skill_id, 0), int(taught.level))
    coverage = sum(
        item.importance * min(levels.get(item.skill_id, 0), int(item.level))
        for item in kb.occupations["occ"].required_skills
    )
    candidates = [problem.candidates[item] for item in chosen]
    return (
        coverage,
        -sum(item.hours for item in candidates),
        sum(1 for item in candidates if item.stacks),
        -sum(1 for item in candidates if item.cost is None),
        -sum(item.cost or 0 for item in candidates),
    )


def best_value(kb: KnowledgeBase, problem: PlanProblem, constraints: Constraints, ids: list[str]) -> tuple:
    best = lexicographic_value(kb, problem, ())
    for size in range(1, len(ids) + 1):
        for chosen in itertools.combinations(sorted(ids), size):
            if not fits(kb, constraints, chosen):
                continue
            if any(order_is_valid(kb, list(order)) for order in itertools.permutations(chosen)):
                best = max(best, lexicographic_value(kb, problem, chosen))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_dropped_never_needed(case: tuple[KnowledgeBase, Constraints]) -> None:
    kb, constraints = case
    problem = problem_for(kb, constraints)
    kept = reduce_candidates(problem)
    assert set(kept) <= set(problem.candidates)
    assert best_value(kb, problem, constraints, list(kept)) == best_value(kb, problem, constraints, list(problem.candidates))


def test_slower_twin_dropped() -> None:
    kept = kept_ids(
        [
            Credential(id="fast", title="Fast", skills=teaches(("x", 2)), hours=10, cost=50, currency="USD"),
            Credential(id="slow", title="Slow", skills=teaches(("x", 2)), hours=20, cost=50, currency="USD"),
        ],
        [("x", 2)],
    )
    assert kept == {"fast"}


def test_equal_twins_keep_lower_id() -> None:
    kept = kept_ids(
        [
            Credential(id="b", title="B", skills=teaches(("x", 2)), hours=10),
            Credential(id="a", title="A", skills=teaches(("x", 2)), hours=10),
        ],
        [("x", 2)],
    )
    assert kept == {"a"}


def test_wider_gain_kept() -> None:
    kept = kept_ids(
        [
            Credential(id="narrow", title="Narrow", skills=teaches(("x", 2)), hours=10),
            Credential(id="wide", title="Wide", skills=teaches(("x", 2), ("y", 1)), hours=12),
        ],
        [("x", 2), ("y", 1)],
    )
    assert kept == {"narrow", "wide"}


def test_known_cost_not_replaced_by_unknown() -> None:
    kept = kept_ids(
        [
            Credential(id="known", title="Known", skills=teaches(("x", 2)), hours=10, cost=10, currency="USD"),
            Credential(id="unknown", title="Unknown", skills=teaches(("x", 2)), hours=5),
        ],
        [("x", 2)],
    )
    assert kept == {"known", "unknown"}


def test_fewer_prerequisites_kept() -> None:
    kept = kept_ids(
        [
            Credential(id="base", title="Base", skills=teaches(("z", 1)), hours=40),
            Credential(id="quick", title="Quick", skills=teaches(("x", 2)), hours=5, prerequisite_credentials=["base"]),
            Credential(id="open", title="Open", skills=teaches(("x", 2)), hours=10),
        ],
        [("x", 2)],
    )
    assert kept == {"base", "quick", "open"}


def test_required_credential_kept() -> None:
    kept = kept_ids(
        [
            Credential(id="intro", title="Intro", skills=teaches(("x", 1)), hours=20),
            Credential(id="other", title="Other", skills=teaches(("x", 1)), hours=5),
            Credential(id="next", title="Next", skills=teaches(("y", 2)), hours=10, prerequisite_credentials=["intro"]),
        ],
        [("x", 1), ("y", 2)],
    )
    assert {"intro", "next", "other"} <= kept


def test_stacking_part_kept() -> None:
    kept = kept_ids(
        [
            Credential(id="lone", title="Lone", skills=teaches(("x", 2)), hours=5),
            Credential(id="part", title="Part", skills=teaches(("x", 2)), hours=10, is_part_of=["cert"]),
            Credential(id="cert", title="Cert", kind="certificate", has_part=["part"], skills=teaches(("x", 1)), hours=200),
        ],
        [("x", 2)],
    )
    assert {"lone", "part"} <= kept


def test_unneeded_prerequisite_provider_dropped() -> None:
    kept = kept_ids(
        [
            Credential(id="provider", title="Provider", skills=teaches(("z", 2)), hours=10),
            Credential(id="gated", title="Gated", skills=teaches(("x", 2)), hours=10, prerequisite_skills=teaches(("z", 2))),
            Credential(id="free", title="Free", skills=teaches(("x", 2)), hours=10),
        ],
        [("x", 2)],
    )
    assert kept == {"free"}
