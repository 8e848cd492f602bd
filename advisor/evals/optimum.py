"""The exact optimum of small planning problems by brute force, to check the planner against.

The planner's first three objective stages are compared. The first is the importance-weighted
gap covered in essential skills (``essential_units``). The second is total effort, which is
hours weighted by distance from the goal (``scaled_effort``). The third is the whole weighted
gap covered (``coverage_units``), which orders plans as the optional coverage does. Every subset of the unblocked candidates is tried, so
this runs only when there are at most ``MAX_CANDIDATES`` of them.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass

from advisor.engine.candidates import PlanProblem
from advisor.engine.planner import (
    COST_SCALE,
    HOURS_SCALE,
    coverage_units,
    order_selection,
    scaled_cost,
    scaled_hours,
)
from advisor.engine.scaling import scaled_effort
from advisor.engine.selection import essential_units

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 14


@dataclass(frozen=True)
class PlanValue:
    """A plan's essential coverage (scaled weight units), total hours, whole coverage and scaled effort."""

    coverage: int
    hours: float
    total_coverage: int = 0
    effort: int = 0


def plan_value(problem: PlanProblem, selected: list[str]) -> PlanValue:
    """Return the coverage and hours of a selection."""
    hours = sum(problem.candidates[item].hours for item in selected if item in problem.candidates)
    known = [item for item in selected if item in problem.candidates]
    return PlanValue(
        coverage=essential_units(problem, known),
        hours=hours,
        total_coverage=coverage_units(problem, known),
        effort=sum(scaled_effort(problem.candidates[item]) for item in known),
    )


def fits_limits(problem: PlanProblem, selected: tuple[str, ...]) -> bool:
    """Return True when a selection respects the deadline, budget and count limits, as the planner counts them."""
    constraints = problem.constraints
    if constraints.max_credentials is not None and len(selected) > constraints.max_credentials:
        return False
    candidates = [problem.candidates[item] for item in selected]
    hours = sum(scaled_hours(item) for item in candidates)
    if problem.hours_capacity is not None and hours > math.floor(problem.hours_capacity * HOURS_SCALE + 1e-6):
        return False
    cost = sum(scaled_cost(item) for item in candidates)
    return constraints.budget is None or cost <= math.floor(constraints.budget * COST_SCALE + 1e-6)


def brute_force_optimum(problem: PlanProblem, max_candidates: int = MAX_CANDIDATES) -> PlanValue | None:
    """Return the best (max essential coverage, min effort, max coverage) plan value, or None when too large."""
    ids = sorted(item for item, candidate in problem.candidates.items() if not candidate.blocked)
    if len(ids) > max_candidates:
        return None

    best = PlanValue(coverage=0, hours=0.0)
    for size in range(1, len(ids) + 1):
        for selected in itertools.combinations(ids, size):
            if not fits_limits(problem, selected):
                continue
            value = plan_value(problem, list(selected))
            if (value.coverage, -value.effort, value.total_coverage) <= (best.coverage, -best.effort, best.total_coverage):
                continue
            if order_selection(problem, list(selected)) is None:
                continue
            best = value
    logger.debug("brute force over %d candidates: coverage %d in %.1f h", len(ids), best.coverage, best.hours)
    return best
