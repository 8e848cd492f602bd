"""Pathway planner: choose the credentials that close the most gap within the constraints.

The objective is lexicographic, solved in stages with OR-Tools CP-SAT, each stage fixing the
optimum of the one before:

1. maximise the importance-weighted gap covered, where a skill raised from level a to level b
   counts ``importance * (b - a)`` (partial progress counts);
2. minimise total study hours (estimated hours where the catalog gives none);
3. prefer, in this order: more steps that stack into a larger credential toward the goal, fewer
   credentials of unknown cost, then the lowest known cost.

Hard constraints: prerequisites (a required credential, or for a required skill at least one
credential teaching it at that level, comes earlier in the plan, unless the learner's profile
already satisfies it), the hours available before the deadline, the budget over known costs, and
the maximum number of credentials. Weights are scaled to integers: importance by 1000, hours by
10 and costs by 100, so the optimum is exact for values given to those precisions.

When CP-SAT finds no solution within the time limit, a greedy planner (best covered gap per hour
first, with the prerequisites each pick needs) runs instead and the result says so.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from enum import StrEnum

from ortools.sat.python import cp_model

from advisor.engine.candidates import Candidate, PlanProblem

logger = logging.getLogger(__name__)

WEIGHT_SCALE = 1000
HOURS_SCALE = 10
COST_SCALE = 100
# NOTE: on catalogs of thousands of credentials about one plan in ten does not prove optimal
# within this limit (benchmarks/bench_engine.py); such a plan is reported with optimal=False.
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


def scaled_weight(importance: float) -> int:
    """Return an importance as an integer weight."""
    return int(round(importance * WEIGHT_SCALE))


def scaled_hours(candidate: Candidate) -> int:
    """Return a candidate's hours as an integer."""
    return int(round(candidate.hours * HOURS_SCALE))


def scaled_cost(candidate: Candidate) -> int:
    """Return a candidate's known cost as an integer; 0 when unknown (unknown costs are counted apart)."""
    return int(round(candidate.cost * COST_SCALE)) if candidate.cost is not None else 0


def coverage_units(problem: PlanProblem, selected: list[str] | set[str]) -> int:
    """Return the scaled importance-weighted gap a set of credentials covers."""
    current = problem.current
    reached = dict(current)
    for credential_id in selected:
        for skill_id, level in problem.candidates[credential_id].gains.items():
            reached[skill_id] = max(reached[skill_id], level)
    return sum(
        scaled_weight(item.importance) * (reached[item.skill_id] - current[item.skill_id])
        for item in problem.gap.skills
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

    if exact:
        solution = _solve_cp_sat(problem, objective, min_coverage, time_limit)
        if solution is not None:
            return solution
        notes = [f"CP-SAT found no plan within {time_limit:g} s, so a greedy plan was made instead"]
    else:
        notes = ["greedy plan requested"]

    order = _solve_greedy(problem)
    return Solution(order=order, solver="greedy", optimal=False, notes=notes)


Stage = tuple[str, cp_model.LinearExpr, int, int]


class _Model:
    """The CP-SAT model of a planning problem."""

    def __init__(self, problem: PlanProblem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.ids = sorted(problem.candidates)
        self.x = {item: self.model.new_bool_var(f"x[{item}]") for item in self.ids}
        self.positions: dict[str, cp_model.IntVar] = {}
        candidates = [problem.candidates[item] for item in self.ids]
        self.add_prerequisites()

        self.coverage, self.coverage_max = self.coverage_expression()
        self.hours_max = sum(scaled_hours(item) for item in candidates)
        self.hours = cp_model.LinearExpr.weighted_sum(
            [self.x[item.id] for item in candidates], [scaled_hours(item) for item in candidates]
        )
        self.cost_max = sum(scaled_cost(item) for item in candidates)
        self.known_cost = cp_model.LinearExpr.weighted_sum(
            [self.x[item.id] for item in candidates], [scaled_cost(item) for item in candidates]
        )
        self.unknown_count = sum(self.x[item.id] for item in candidates if item.cost is None)
        self.stacking = sum(self.x[item.id] for item in candidates if item.stacks)
        self.add_limits()

    def position(self, credential_id: str) -> cp_model.IntVar:
        """Return the position variable of a credential, made on first use."""
        if credential_id not in self.positions:
            self.positions[credential_id] = self.model.new_int_var(
                0, len(self.ids) - 1, f"pos[{credential_id}]"
            )
        return self.positions[credential_id]

    def add_prerequisites(self) -> None:
        """Require every chosen credential's prerequisites earlier in the plan."""
        for credential_id in self.ids:
            candidate = self.problem.candidates[credential_id]
            chosen = self.x[credential_id]
            if candidate.blocked:
                self.model.add(chosen == 0)
                continue

            for needed in candidate.needs_credentials:
                if needed not in self.x:
                    self.model.add(chosen == 0)
                    continue
                self.model.add_implication(chosen, self.x[needed])
                self.model.add(self.position(needed) < self.position(credential_id)).only_enforce_if(chosen)

            for skill_id, level in candidate.needs_skills:
                providers = [
                    item
                    for item in self.problem.providers.get((skill_id, level), [])
                    if item != credential_id and item in self.x
                ]
                if not providers:
                    self.model.add(chosen == 0)
                    continue
                links = []
                for provider in providers:
                    link = self.model.new_bool_var(f"via[{credential_id},{provider}]")
                    self.model.add_implication(link, self.x[provider])
                    self.model.add(self.position(provider) < self.position(credential_id)).only_enforce_if(link)
                    links.append(link)
                self.model.add_bool_or(links).only_enforce_if(chosen)

    def coverage_expression(self) -> tuple[cp_model.LinearExpr, int]:
        """Return the scaled weighted gap covered, one indicator per gap skill and level, and its maximum."""
        teachers: dict[str, list[tuple[int, str]]] = {}
        for credential_id in self.ids:
            for skill_id, level in self.problem.candidates[credential_id].gains.items():
                teachers.setdefault(skill_id, []).append((level, credential_id))

        steps: list[cp_model.IntVar] = []
        weights: list[int] = []
        for item in self.problem.gap.skills:
            weight = scaled_weight(item.importance)
            taught = teachers.get(item.skill_id, [])
            for level in range(item.current_level + 1, int(item.required_level) + 1):
                reaching = [self.x[credential_id] for reached, credential_id in taught if reached >= level]
                if not reaching or weight == 0:
                    continue
                step = self.model.new_bool_var(f"reach[{item.skill_id},{level}]")
                self.model.add_bool_or(reaching).only_enforce_if(step)
                steps.append(step)
                weights.append(weight)
        return cp_model.LinearExpr.weighted_sum(steps, weights), sum(weights)

    def add_limits(self) -> None:
        """Add the deadline, budget and count limits."""
        constraints = self.problem.constraints
        if self.problem.hours_capacity is not None:
            self.model.add(self.hours <= math.floor(self.problem.hours_capacity * HOURS_SCALE + 1e-6))
        if constraints.budget is not None:
            self.model.add(self.known_cost <= math.floor(constraints.budget * COST_SCALE + 1e-6))
        if constraints.max_credentials is not None:
            self.model.add(sum(self.x.values()) <= constraints.max_credentials)

    def stages(self, objective: Objective) -> list[Stage]:
        """Return the (sense, expression, lowest, highest) stages of an objective, first stage first.

        The last stage prefers stacking steps, then fewer credentials of unknown cost, then
        less known cost, folded into one expression by place values.
        """
        count = len(self.ids)
        cost_span = self.cost_max + 1
        count_span = (count + 1) * cost_span
        tie_break = count_span * self.stacking - cost_span * self.unknown_count - self.known_cost
        tie = ("max", tie_break, -(count_span - 1), count_span * count)
        cost = ("min", cost_span * self.unknown_count + self.known_cost, 0, cost_span * count + self.cost_max)
        coverage = ("max", self.coverage, 0, self.coverage_max)
        hours = ("min", self.hours, 0, self.hours_max)
        if objective is Objective.CHEAPEST:
            return [cost, coverage, hours, tie]
        if objective is Objective.FASTEST:
            return [hours, coverage, tie]
        return [coverage, hours, tie]


def merge_stages(stages: list[Stage], limit: int = 2**50) -> list[Stage]:
    """Fold consecutive stages into one maximised expression by place values while it fits ``limit``.

    A stage maximised as ``a * span(b) + b`` with ``b`` in [0, span(b)) is lexicographic in
    (a, b), so one solve gives the optimum of several stages.
    """
    merged: list[Stage] = []
    for sense, expression, lowest, highest in stages:
        if sense == "min":
            expression, lowest, highest = -expression, -highest, -lowest
        if merged:
            _, previous, previous_low, previous_high = merged[-1]
            span = highest - lowest + 1
            new_low = previous_low * span
            new_high = previous_high * span + span - 1
            if max(abs(new_low), abs(new_high)) < limit:
                merged[-1] = ("max", previous * span + (expression - lowest), new_low, new_high)
                continue
        merged.append(("max", expression, lowest, highest))
    return merged


def _solve_cp_sat(
    problem: PlanProblem, objective: Objective, min_coverage: int, time_limit: float
) -> Solution | None:
    started = time.perf_counter()
    built = _Model(problem)
    if min_coverage > 0:
        built.model.add(built.coverage >= min_coverage)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    # Plans are small boolean models; probing, symmetry detection and LP relaxation cost more
    # time than they save on them (measured on the shipped catalog).
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.linearization_level = 0
    optimal = True
    chosen: list[str] | None = None
    for _sense, expression, _lowest, _highest in merge_stages(built.stages(objective)):
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0.01:
            optimal = False
            break
        solver.parameters.max_time_in_seconds = remaining
        built.model.maximize(expression)

        status = solver.solve(built.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            logger.debug("CP-SAT stage ended with %s", solver.status_name(status))
            if chosen is None:
                return None
            optimal = False
            break

        chosen = [item for item in built.ids if solver.value(built.x[item])]
        if status != cp_model.OPTIMAL:
            optimal = False
            break
        built.model.add(expression >= solver.value(expression))
        built.model.clear_hints()
        for item in built.ids:
            built.model.add_hint(built.x[item], solver.value(built.x[item]))

    if chosen is None:
        return None
    order = order_selection(problem, chosen)
    if order is None:
        logger.warning("CP-SAT plan %s has no valid order; falling back to greedy", chosen)
        return None
    elapsed = (time.perf_counter() - started) * 1000
    logger.debug("CP-SAT chose %d of %d candidates in %.1f ms", len(order), len(built.ids), elapsed)
    notes = [] if optimal else [f"CP-SAT stopped at its {time_limit:g} s limit; the plan may not be optimal"]
    return Solution(order=order, solver="cp-sat", optimal=optimal, notes=notes)


def _solve_greedy(problem: PlanProblem) -> list[str]:
    """Add, one bundle at a time, the candidate with its missing prerequisites that covers the
    most weighted gap per hour and still fits every limit."""
    selected: list[str] = []
    while True:
        base = coverage_units(problem, selected)
        best: tuple[float, list[str]] | None = None
        for credential_id in sorted(problem.candidates):
            if credential_id in selected:
                continue
            bundle = _bundle(problem, credential_id, selected)
            if bundle is None:
                continue
            gain = coverage_units(problem, selected + bundle) - base
            if gain <= 0 or not _fits(problem, selected + bundle):
                continue
            hours = sum(problem.candidates[item].hours for item in bundle) or 1e-9
            score = gain / hours
            if best is None or score > best[0]:
                best = (score, bundle)
        if best is None:
            break
        selected += [item for item in best[1] if item not in selected]

    return order_selection(problem, selected) or []


def _bundle(problem: PlanProblem, credential_id: str, selected: list[str], depth: int = 0) -> list[str] | None:
    """Return a credential with the prerequisites it still needs, prerequisites first, or None."""
    candidate = problem.candidates[credential_id]
    if candidate.blocked or depth > 4:
        return None
    bundle: list[str] = []
    for needed in candidate.needs_credentials:
        if needed in selected or needed in bundle:
            continue
        if needed not in problem.candidates:
            return None
        sub = _bundle(problem, needed, selected + bundle, depth + 1)
        if sub is None:
            return None
        bundle += [item for item in sub if item not in bundle]

    for skill_id, level in candidate.needs_skills:
        have = selected + bundle
        if any(problem.candidates[item].credential_teaches(skill_id, level) for item in have):
            continue
        providers = [
            item for item in problem.providers.get((skill_id, level), []) if item != credential_id
        ]
        options = [_bundle(problem, item, have, depth + 1) for item in providers]
        options = [option for option in options if option is not None]
        if not options:
            return None
        cheapest = min(options, key=lambda option: sum(problem.candidates[i].hours for i in option))
        bundle += [item for item in cheapest if item not in bundle]
    return bundle + [credential_id]


def _fits(problem: PlanProblem, selected: list[str]) -> bool:
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
