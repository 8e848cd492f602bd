"""The CP-SAT model of a planning problem, and its lexicographic objective as integer stages.

Each objective stage is a weighted sum of boolean variables, maximised or minimised. Stage
coefficients are divided by their greatest common divisor, and consecutive stages are folded
into one maximised sum by place values while its range stays below ``MERGE_LIMIT``, so most
problems need one solve. Small coefficients also keep the LP relaxation, which proves the
optimum of cardinality-limited plans, numerically sound.

Prerequisites: a chosen credential implies its required credentials, and for each prerequisite
skill at least one chosen candidate that teaches the skill at that level. When the graph of
"may come before" links between candidates has no cycle, every such selection has a valid
order, so no position variables are needed. Otherwise each link also orders two position
variables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from advisor.engine.candidates import Candidate, PlanProblem
from advisor.engine.presolve import SkillTeachers
from advisor.engine.scaling import (
    COST_SCALE,
    HOURS_SCALE,
    scaled_cost,
    scaled_effort,
    scaled_hours,
    scaled_weight,
)

# Folded stages up to this range solved exactly and fast on the benchmarks/bench_engine.py
# catalogs (ortools 9.15). Far larger coefficients slowed the LP relaxation down there.
MERGE_LIMIT = 2**50


@dataclass
class Stage:
    """One objective stage: a weighted sum of variables to maximise, with its range."""

    name: str
    terms: dict[int, tuple[cp_model.IntVar, int]]

    @property
    def lowest(self) -> int:
        """Return the smallest value the sum can take."""
        return sum(min(coefficient, 0) for _var, coefficient in self.terms.values())

    @property
    def highest(self) -> int:
        """Return the largest value the sum can take."""
        return sum(max(coefficient, 0) for _var, coefficient in self.terms.values())

    def expression(self) -> cp_model.LinearExprT:
        """Return the sum as a CP-SAT linear expression."""
        variables = [var for var, _coefficient in self.terms.values()]
        coefficients = [coefficient for _var, coefficient in self.terms.values()]
        return cp_model.LinearExpr.weighted_sum(variables, coefficients)


def make_stage(name: str, sense: str, variables: list[cp_model.IntVar], coefficients: list[int]) -> Stage:
    """Return a stage to maximise, negated for ``sense == "min"`` and divided by its coefficients' GCD."""
    sign = -1 if sense == "min" else 1
    terms: dict[int, tuple[cp_model.IntVar, int]] = {}
    for var, coefficient in zip(variables, coefficients):
        if coefficient:
            previous = terms.get(var.index, (var, 0))[1]
            terms[var.index] = (var, previous + sign * coefficient)
    return _divided(Stage(name, {key: value for key, value in terms.items() if value[1]}))


def merge_stages(stages: list[Stage], limit: int = MERGE_LIMIT) -> list[Stage]:
    """Fold consecutive stages into one by place values while the folded range stays below ``limit``.

    With ``b`` in [low(b), high(b)], the sum ``a * span(b) + b`` orders plans by ``a`` first,
    then ``b``, where ``span(b) = high(b) - low(b) + 1``.
    """
    merged: list[Stage] = []
    for stage in stages:
        if not stage.terms:
            continue
        if merged:
            previous = merged[-1]
            span = stage.highest - stage.lowest + 1
            if max(abs(previous.lowest), abs(previous.highest)) * span + span < limit:
                terms = {key: (var, coefficient * span) for key, (var, coefficient) in previous.terms.items()}
                for key, (var, coefficient) in stage.terms.items():
                    terms[key] = (var, terms.get(key, (var, 0))[1] + coefficient)
                merged[-1] = _divided(Stage(f"{previous.name}+{stage.name}", terms))
                continue
        merged.append(stage)
    return merged


def _divided(stage: Stage) -> Stage:
    divisor = math.gcd(*(coefficient for _var, coefficient in stage.terms.values())) or 1
    if divisor > 1:
        stage.terms = {key: (var, coefficient // divisor) for key, (var, coefficient) in stage.terms.items()}
    return stage


class PlanModel:
    """The CP-SAT model over a set of kept candidates."""

    def __init__(self, problem: PlanProblem, candidates: dict[str, Candidate]) -> None:
        self.problem = problem
        self.candidates = candidates
        self.model = cp_model.CpModel()
        self.ids = sorted(candidates)
        self.x = {item: self.model.new_bool_var(f"x[{item}]") for item in self.ids}
        self.teachers = SkillTeachers(candidates)
        self.positions: dict[str, cp_model.IntVar] = {}
        self.ordered = has_cycle(candidates, self.teachers)
        self.add_prerequisites()
        self.coverage_steps, self.coverage_weights, self.coverage_essential = self.coverage_terms()
        self.add_limits()

    def position(self, credential_id: str) -> cp_model.IntVar:
        """Return the position variable of a credential, made on first use."""
        if credential_id not in self.positions:
            self.positions[credential_id] = self.model.new_int_var(0, len(self.ids) - 1, f"pos[{credential_id}]")
        return self.positions[credential_id]

    def add_prerequisites(self) -> None:
        """Require every chosen credential's prerequisites, earlier in the plan when order matters."""
        for credential_id in self.ids:
            candidate = self.candidates[credential_id]
            chosen = self.x[credential_id]
            if candidate.blocked:
                self.model.add(chosen == 0)
                continue

            for needed in candidate.needs_credentials:
                if needed not in self.x:
                    self.model.add(chosen == 0)
                    continue
                self.model.add_implication(chosen, self.x[needed])
                if self.ordered:
                    self.model.add(self.position(needed) < self.position(credential_id)).only_enforce_if(chosen)

            for key in candidate.needs_skills:
                self.add_skill_prerequisite(credential_id, key)

    def add_skill_prerequisite(self, credential_id: str, key: tuple[str, int]) -> None:
        """Require a chosen candidate teaching a prerequisite skill at its level."""
        chosen = self.x[credential_id]
        providers = self.teachers.providers(key, credential_id)
        if not providers:
            self.model.add(chosen == 0)
            return
        if not self.ordered:
            self.model.add_bool_or([self.x[item] for item in providers]).only_enforce_if(chosen)
            return

        links = []
        for provider in providers:
            link = self.model.new_bool_var(f"via[{credential_id},{provider}]")
            self.model.add_implication(link, self.x[provider])
            self.model.add(self.position(provider) < self.position(credential_id)).only_enforce_if(link)
            links.append(link)
        self.model.add_bool_or(links).only_enforce_if(chosen)

    def coverage_terms(self) -> tuple[list[cp_model.IntVar], list[int], list[bool]]:
        """Return one indicator per gap skill level some candidate reaches, its scaled weight and essential flag."""
        teachers: dict[str, list[tuple[int, str]]] = {}
        for credential_id in self.ids:
            for skill_id, level in self.candidates[credential_id].gains.items():
                teachers.setdefault(skill_id, []).append((level, credential_id))

        steps: list[cp_model.IntVar] = []
        weights: list[int] = []
        essential: list[bool] = []
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
                essential.append(item.essential)
        return steps, weights, essential

    def coverage(self) -> cp_model.LinearExprT:
        """Return the scaled importance-weighted gap covered."""
        return cp_model.LinearExpr.weighted_sum(self.coverage_steps, self.coverage_weights)

    def add_limits(self) -> None:
        """Add the deadline, budget and count limits."""
        constraints = self.problem.constraints
        chosen = [self.x[item] for item in self.ids]
        if self.problem.hours_capacity is not None:
            hours = [scaled_hours(self.candidates[item]) for item in self.ids]
            limit = math.floor(self.problem.hours_capacity * HOURS_SCALE + 1e-6)
            self.model.add(cp_model.LinearExpr.weighted_sum(chosen, hours) <= limit)
        if constraints.budget is not None:
            costs = [scaled_cost(self.candidates[item]) for item in self.ids]
            limit = math.floor(constraints.budget * COST_SCALE + 1e-6)
            self.model.add(cp_model.LinearExpr.weighted_sum(chosen, costs) <= limit)
        if constraints.max_credentials is not None:
            self.model.add(sum(chosen) <= constraints.max_credentials)

    def stages(self, objective: str) -> list[Stage]:
        """Return the objective's stages, first stage first.

        The coverage objective maximises essential coverage, then minimises effort (hours
        weighted by distance from the goal, see ``scaling``), then maximises optional coverage,
        so an optional skill is covered only by steps that cost no extra effort. Every objective
        ends with the same tie-breaks: more steps that stack into a larger credential toward the
        goal, fewer credentials of unknown cost, then less known cost.
        """
        candidates = [self.candidates[item] for item in self.ids]
        chosen = [self.x[item] for item in self.ids]
        coverage = make_stage("coverage", "max", self.coverage_steps, self.coverage_weights)
        essential_weights = [weight if flag else 0 for weight, flag in zip(self.coverage_weights, self.coverage_essential)]
        optional_weights = [0 if flag else weight for weight, flag in zip(self.coverage_weights, self.coverage_essential)]
        essential = make_stage("essential coverage", "max", self.coverage_steps, essential_weights)
        optional = make_stage("optional coverage", "max", self.coverage_steps, optional_weights)
        hours = make_stage("hours", "min", chosen, [scaled_hours(item) for item in candidates])
        effort = make_stage("effort", "min", chosen, [scaled_effort(item) for item in candidates])
        stacking = make_stage("stacking", "max", chosen, [1 if item.stacks else 0 for item in candidates])
        unknown = make_stage("unknown cost", "min", chosen, [1 if item.cost is None else 0 for item in candidates])
        cost = make_stage("known cost", "min", chosen, [scaled_cost(item) for item in candidates])
        if objective == "cheapest":
            return [unknown, cost, coverage, hours, stacking]
        if objective == "fastest":
            return [hours, coverage, stacking, unknown, cost]
        return [essential, effort, optional, stacking, unknown, cost]


def has_cycle(candidates: dict[str, Candidate], teachers: SkillTeachers) -> bool:
    """Return True when the "may come before" links between candidates contain a cycle."""
    successors: dict[str, set[str]] = {item: set() for item in candidates}
    for candidate in candidates.values():
        for needed in candidate.needs_credentials:
            if needed in successors:
                successors[needed].add(candidate.id)
        for key in candidate.needs_skills:
            for provider in teachers.providers(key, candidate.id):
                successors[provider].add(candidate.id)

    state: dict[str, int] = {}
    for root in sorted(successors):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(successors[root])))]
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                state[node] = 2
                stack.pop()
            elif state.get(following) == 1:
                return True
            elif following not in state:
                state[following] = 1
                stack.append((following, iter(sorted(successors[following]))))
    return False
