"""Facts about a set of chosen credentials: the gap it covers, a valid order, and whether it fits."""

from __future__ import annotations

import math

from advisor.engine.candidates import Candidate, PlanProblem
from advisor.engine.scaling import COST_SCALE, HOURS_SCALE, scaled_cost, scaled_hours, scaled_weight


def coverage_units(problem: PlanProblem, selected: list[str] | set[str]) -> int:
    """Return the scaled importance-weighted gap a set of credentials covers."""
    return _covered_units(problem, selected, essential_only=False)


def essential_units(problem: PlanProblem, selected: list[str] | set[str]) -> int:
    """Return the scaled importance-weighted gap a set of credentials covers in essential skills."""
    return _covered_units(problem, selected, essential_only=True)


def _covered_units(problem: PlanProblem, selected: list[str] | set[str], essential_only: bool) -> int:
    current = problem.current
    reached = dict(current)
    for credential_id in selected:
        for skill_id, level in problem.candidates[credential_id].gains.items():
            reached[skill_id] = max(reached[skill_id], level)

    return sum(
        scaled_weight(item.importance) * (reached[item.skill_id] - current[item.skill_id])
        for item in problem.gap.skills
        if item.essential or not essential_only
    )


def order_selection(problem: PlanProblem, selected: list[str] | set[str]) -> list[str] | None:
    """Return the selection in an order that meets every prerequisite, or None when none exists.

    Among the credentials whose prerequisites are met, the next step is the one that others
    need, then the one closing the most weighted gap, then the shorter, then the lower id.
    """
    remaining = set(selected)
    placed: list[str] = []
    skill_levels: dict[str, int] = {}
    needed_by_others = {
        needed
        for credential_id in remaining
        for needed in problem.candidates[credential_id].needs_credentials
    }
    weights = problem.weights

    def ready(candidate: Candidate) -> bool:
        if any(needed not in placed for needed in candidate.needs_credentials):
            return False
        return all(skill_levels.get(skill, 0) >= level for skill, level in candidate.needs_skills)

    while remaining:
        available = [problem.candidates[item] for item in remaining if ready(problem.candidates[item])]
        if not available:
            return None
        chosen = min(
            available,
            key=lambda item: (
                item.id not in needed_by_others,
                -sum(weights.get(skill, 0.0) * level for skill, level in item.gains.items()),
                item.hours,
                item.id,
            ),
        )
        placed.append(chosen.id)
        remaining.discard(chosen.id)
        for taught in chosen.credential.skills:
            skill_levels[taught.skill_id] = max(skill_levels.get(taught.skill_id, 0), int(taught.level))
    return placed


def fits(problem: PlanProblem, selected: list[str]) -> bool:
    """Return True when a selection respects the deadline, budget and count limits."""
    constraints = problem.constraints
    candidates = [problem.candidates[item] for item in selected]
    if constraints.max_credentials is not None and len(candidates) > constraints.max_credentials:
        return False
    hours = sum(scaled_hours(item) for item in candidates)
    if problem.hours_capacity is not None and hours > math.floor(problem.hours_capacity * HOURS_SCALE + 1e-6):
        return False
    cost = sum(scaled_cost(item) for item in candidates)
    return constraints.budget is None or cost <= math.floor(constraints.budget * COST_SCALE + 1e-6)
