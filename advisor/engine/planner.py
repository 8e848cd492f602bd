"""Pathway planner: choose the credentials that close the most gap within the constraints.

The objective is lexicographic:

1. maximise the importance-weighted gap covered in the goal's essential skills, where a skill
   raised from level a to level b counts ``importance * (b - a)`` (partial progress counts);
2. minimise total study hours (estimated hours where the catalog gives none);
3. maximise the importance-weighted gap covered in optional skills, so optional skills come
   with the steps taken for essential ones and are otherwise left open, never bought with hours;
4. prefer, in this order: more steps that stack into a larger credential toward the goal, fewer
   credentials of unknown cost, then the lowest known cost.

Hard constraints: prerequisites (a required credential, or for a required skill at least one
credential teaching it at that level, comes earlier in the plan, unless the learner's profile
already satisfies it), the hours available before the deadline, the budget over known costs, and
the maximum number of credentials. Quantities are scaled to integers (see ``scaling``).

The exact solve first drops candidates no optimal plan needs (``presolve``), then runs OR-Tools
CP-SAT on the rest with the stages folded into as few solves as fit (``plan_model``); the plan
is optimal over the pruned candidate set. When CP-SAT finds no solution within the time limit,
a greedy planner runs instead and the result says so.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from enum import StrEnum

from ortools.sat.python import cp_model

from advisor.engine.candidates import Candidate, PlanProblem
from advisor.engine.greedy import solve_greedy
from advisor.engine.plan_model import PlanModel, merge_stages
from advisor.engine.presolve import reduce_candidates
from advisor.engine.scaling import COST_SCALE, HOURS_SCALE, WEIGHT_SCALE, scaled_cost, scaled_hours, scaled_weight
from advisor.engine.selection import coverage_units, order_selection

logger = logging.getLogger(__name__)

__all__ = [
    "COST_SCALE",
    "DEFAULT_TIME_LIMIT",
    "HOURS_SCALE",
    "WEIGHT_SCALE",
    "Objective",
    "Solution",
    "coverage_units",
    "order_selection",
    "scaled_cost",
    "scaled_hours",
    "scaled_weight",
    "solve",
]

# NOTE: a plan that hits this limit is reported with optimal=False. On the synthetic catalogs of
# benchmarks/bench_engine.py (up to 10,000 credentials) no plan came near it.
DEFAULT_TIME_LIMIT = 0.5


class Objective(StrEnum):
    """Quantity a plan optimises first."""

    COVERAGE = "coverage"
    CHEAPEST = "cheapest"
    FASTEST = "fastest"


@dataclass
class Solution:
    """The chosen credentials in a valid order, and how they were found."""

    order: list[str]
    solver: str
    optimal: bool
    notes: list[str] = field(default_factory=list)


def solve(
    problem: PlanProblem,
    objective: Objective = Objective.COVERAGE,
    min_coverage: int = 0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    exact: bool = True,
) -> Solution:
    """Choose and order credentials for a problem: CP-SAT when ``exact``, else or on timeout greedy."""
    if not problem.gap.skills or not problem.candidates:
        return Solution(order=[], solver="cp-sat", optimal=True)

    if not exact:
        order = solve_greedy(problem)
        return Solution(order=order, solver="greedy", optimal=False, notes=["greedy plan requested"])

    kept = reduce_candidates(problem)
    solution = _solve_cp_sat(problem, kept, objective, min_coverage, time_limit)
    if solution is not None:
        return solution

    notes = [f"CP-SAT found no plan within {time_limit:g} s, so a greedy plan was made instead"]
    order = solve_greedy(problem, kept)
    return Solution(order=order, solver="greedy", optimal=False, notes=notes)


def _solver(time_limit: float) -> cp_model.CpSolver:
    """Return a CP-SAT solver set up for small boolean plan models."""
    solver = cp_model.CpSolver()
    # One worker: the default portfolio of several workers on 2 cores ran about 40 times slower
    # on the benchmark's cardinality-limited plans, which the single LP-based worker proves fast.
    solver.parameters.num_workers = 1
    # Probing, symmetry detection and presolve cost more than they save on these models, and the
    # full LP relaxation (level 2) proves coverage bounds that the default level misses
    # (measured with benchmarks/bench_engine.py).
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_presolve = False
    solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = time_limit
    return solver


def _solve_cp_sat(
    problem: PlanProblem,
    kept: dict[str, Candidate],
    objective: Objective,
    min_coverage: int,
    time_limit: float,
) -> Solution | None:
    started = time.perf_counter()
    if not kept:
        return Solution(order=[], solver="cp-sat", optimal=True) if min_coverage <= 0 else None

    built = PlanModel(problem, kept)
    if min_coverage > 0:
        built.model.add(built.coverage() >= min_coverage)

    solver = _solver(time_limit)
    optimal = True
    chosen: list[str] | None = None
    for stage in merge_stages(built.stages(objective.value)):
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0.01:
            optimal = False
            break
        solver.parameters.max_time_in_seconds = remaining
        expression = stage.expression()
        built.model.maximize(expression)

        status = solver.solve(built.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            logger.debug("CP-SAT stage %s ended with %s", stage.name, solver.status_name(status))
            if chosen is None:
                return None
            optimal = False
            break

        chosen = [item for item in built.ids if solver.boolean_value(built.x[item])]
        if status != cp_model.OPTIMAL:
            optimal = False
            break
        built.model.add(expression >= int(solver.objective_value))
        built.model.clear_hints()
        for item in built.ids:
            built.model.add_hint(built.x[item], item in chosen)

    if chosen is None:
        return None
    order = order_selection(problem, chosen)
    if order is None:
        logger.warning("CP-SAT plan %s has no valid order; falling back to greedy", chosen)
        return None
    elapsed = (time.perf_counter() - started) * 1000
    logger.debug("CP-SAT chose %d of %d kept candidates in %.1f ms", len(order), len(built.ids), elapsed)
    notes = [] if optimal else [f"CP-SAT stopped at its {time_limit:g} s limit; the plan may not be optimal"]
    return Solution(order=order, solver="cp-sat", optimal=optimal, notes=notes)
