"""The engine's entry points: advice for a learner and goal, alternatives, and comparisons.

Constraints given by the caller win; the record's preferences fill the ones left empty (hours
per week, budget and its currency, modalities, languages).

With a ``CredentialRelevance`` port, the credentials that raise a gap skill are scored against
the goal text (the occupation's title, the posting's text, or the skill list) before the
candidates are chosen. The most relevant credentials outside the plan are then listed as further
options (see ``options``). Without the port the engine plans on the catalog's skill mappings alone
and lists no further options.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import date

from advisor.domain import (
    Advice,
    Alternatives,
    Comparison,
    Constraints,
    Gap,
    Goal,
    GoalKind,
    KnowledgeBase,
    LearnerProfile,
    LearnerRecord,
    Pathway,
    ResolvedGoal,
)
from advisor.engine.candidates import PlanProblem, build_problem, gap_teacher_ids
from advisor.engine.explain import assess_credential, compare_assessments
from advisor.engine.gap import compute_gap
from advisor.engine.goals import resolve_goal
from advisor.engine.options import further_options
from advisor.engine.planner import DEFAULT_TIME_LIMIT, Objective, coverage_units, solve
from advisor.engine.ports import CredentialRelevance, SkillSearch
from advisor.engine.profile import build_profile
from advisor.engine.schedule import build_pathway
from advisor.errors import InvalidInputError, NotFoundError

logger = logging.getLogger(__name__)

ALTERNATIVE_COVERAGE_SHARE = 0.8


@dataclass
class PlanContext:
    """The intermediate results of one piece of advice, reused by alternatives."""

    goal: ResolvedGoal
    profile: LearnerProfile
    gap: Gap
    constraints: Constraints
    problem: PlanProblem
    relevance: dict[str, float] | None = None


def merge_preferences(constraints: Constraints | None, record: LearnerRecord | None) -> Constraints:
    """Return the constraints with empty fields filled from the record's preferences."""
    merged = (constraints or Constraints()).model_copy(deep=True)
    if record is None:
        return merged
    preferences = record.preferences
    if merged.hours_per_week is None and preferences.hours_per_week:
        merged.hours_per_week = preferences.hours_per_week
    if merged.budget is None and preferences.budget is not None:
        merged.budget = preferences.budget
        merged.currency = merged.currency or preferences.currency
    if not merged.modalities:
        merged.modalities = list(preferences.modalities)
    if not merged.languages:
        merged.languages = list(preferences.languages)
    return merged


def check_deadline(constraints: Constraints | None, today: date | None = None) -> None:
    """Raise ``InvalidInputError`` when the deadline is before the start date (today unless set)."""
    if constraints is None or constraints.deadline is None:
        return
    start = constraints.start or today or date.today()
    if constraints.deadline < start:
        what = "the start date" if constraints.start else "today's date"
        raise InvalidInputError(
            f"The deadline {constraints.deadline.isoformat()} is in the past: it is before {what} "
            f"{start.isoformat()}.",
            value=constraints.deadline.isoformat(),
            hint="Give a deadline after that date, or leave the deadline out.",
        )


def goal_text(goal: Goal, resolved: ResolvedGoal) -> str:
    """Return the text that credentials are scored against: title, posting text or skill list."""
    if goal.kind is GoalKind.POSTING and goal.text:
        return goal.text
    if goal.kind is GoalKind.SKILLS and goal.skills:
        return ", ".join(skill.text for skill in goal.skills)
    return resolved.title


def prepare(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal: Goal,
    constraints: Constraints | None = None,
    skill_search: SkillSearch | None = None,
    today: date | None = None,
    relevance: CredentialRelevance | None = None,
) -> PlanContext:
    """Resolve the goal, build the profile and the gap, and collect the planning candidates.

    Raises ``InvalidInputError`` for a deadline before the plan's start date.
    """
    check_deadline(constraints, today)
    resolved = resolve_goal(kb, goal, skill_search)
    profile = build_profile(kb, record, skill_search)
    gap = compute_gap(profile, resolved)
    merged = merge_preferences(constraints, record)
    scores = None
    if relevance is not None:
        scores = relevance.relevance(goal_text(goal, resolved), gap_teacher_ids(kb, gap))
    problem = build_problem(kb, profile, gap, merged, today=today, relevance=scores)
    return PlanContext(goal=resolved, profile=profile, gap=gap, constraints=merged, problem=problem, relevance=scores)


def advise(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal: Goal,
    constraints: Constraints | None = None,
    skill_search: SkillSearch | None = None,
    *,
    today: date | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    exact: bool = True,
    alternatives: bool = False,
    relevance: CredentialRelevance | None = None,
) -> Advice:
    """Work out the gap toward a goal and the pathway that closes most of it within the constraints.

    ``record`` of ``None`` is a cold start. ``exact=False`` skips CP-SAT and plans greedily.
    Raises ``InvalidInputError`` for a goal that is unknown, ambiguous or has no known skill.
    """
    started = time.perf_counter()
    context = prepare(kb, record, goal, constraints, skill_search, today, relevance)
    solution = solve(context.problem, time_limit=time_limit, exact=exact)
    pathway = build_pathway(kb, context.problem, solution)
    pathway.further_options = further_options(kb, context.problem, pathway, context.relevance or {})

    found = None
    if alternatives:
        found = find_alternatives(kb, context, pathway, time_limit=time_limit)
    logger.info(
        "advice for %s toward %r: %d steps, %.0f%% of the gap covered, solver %s, %.1f ms",
        context.profile.learner_id or "cold start",
        context.goal.title,
        len(pathway.steps),
        100 * pathway.covered_weight / pathway.total_weight if pathway.total_weight else 100,
        pathway.solver,
        (time.perf_counter() - started) * 1000,
    )
    return Advice(
        goal=context.goal,
        profile=context.profile,
        gap=context.gap,
        pathway=pathway,
        constraints=context.constraints,
        alternatives=found,
    )


def find_alternatives(
    kb: KnowledgeBase,
    context: PlanContext,
    pathway: Pathway,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Alternatives:
    """Find a cheaper and a faster pathway that keep ``ALTERNATIVE_COVERAGE_SHARE`` of the coverage."""
    cheaper, cheaper_note = _alternative(kb, context, pathway, Objective.CHEAPEST, time_limit)
    faster, faster_note = _alternative(kb, context, pathway, Objective.FASTEST, time_limit)
    return Alternatives(
        cheaper=cheaper,
        cheaper_note=cheaper_note,
        cheaper_proven=cheaper is None or is_proven_cheaper(cheaper, pathway),
        faster=faster,
        faster_note=faster_note,
    )


def is_proven_cheaper(found: Pathway, pathway: Pathway) -> bool:
    """Return True when ``found`` costs less than ``pathway`` whatever the unknown prices are.

    A pathway with no unknown price and a lower known cost is cheaper, because an unknown price
    is never negative. Fewer credentials of unknown price alone proves nothing.
    """
    return not found.unknown_cost_ids and found.known_cost < pathway.known_cost - 1e-9


def cheaper_alternative(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal: Goal,
    constraints: Constraints | None = None,
    skill_search: SkillSearch | None = None,
    today: date | None = None,
    relevance: CredentialRelevance | None = None,
) -> tuple[Pathway | None, str]:
    """Return a pathway cheaper than the recommended one, or None, with a note saying why."""
    context = prepare(kb, record, goal, constraints, skill_search, today, relevance)
    return _alternative_to_recommended(kb, context, Objective.CHEAPEST)


def faster_alternative(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal: Goal,
    constraints: Constraints | None = None,
    skill_search: SkillSearch | None = None,
    today: date | None = None,
    relevance: CredentialRelevance | None = None,
) -> tuple[Pathway | None, str]:
    """Return a pathway with fewer hours than the recommended one, or None, with a note saying why."""
    context = prepare(kb, record, goal, constraints, skill_search, today, relevance)
    return _alternative_to_recommended(kb, context, Objective.FASTEST)


def _alternative_to_recommended(
    kb: KnowledgeBase, context: PlanContext, objective: Objective
) -> tuple[Pathway | None, str]:
    pathway = build_pathway(kb, context.problem, solve(context.problem))
    return _alternative(kb, context, pathway, objective, DEFAULT_TIME_LIMIT)


def _alternative(
    kb: KnowledgeBase, context: PlanContext, pathway: Pathway, objective: Objective, time_limit: float
) -> tuple[Pathway | None, str]:
    share = ALTERNATIVE_COVERAGE_SHARE
    if not pathway.steps:
        return None, "the recommended pathway has no steps"

    best = coverage_units(context.problem, pathway.credential_ids)
    solution = solve(context.problem, objective, min_coverage=math.ceil(share * best), time_limit=time_limit)
    found = build_pathway(kb, context.problem, solution)
    if objective is Objective.CHEAPEST:
        better = (len(found.unknown_cost_ids), found.known_cost) < (len(pathway.unknown_cost_ids), pathway.known_cost)
        if not better:
            return None, f"no pathway covering at least {share:.0%} of the recommended coverage costs less"
        currency = f" {pathway.currency}" if pathway.currency else ""
        covers = f"covers {found.covered_weight:.1f} of {pathway.covered_weight:.1f} weighted levels"
        if not is_proven_cheaper(found, pathway):
            return found, (
                f"not shown to be cheaper: it has {len(found.unknown_cost_ids)} credentials without a price "
                f"against {len(pathway.unknown_cost_ids)}, a known cost of {found.known_cost:g}{currency} "
                f"against {pathway.known_cost:g}{currency}, and {found.total_hours:g} h against "
                f"{pathway.total_hours:g} h; {covers}"
            )
        return found, (
            f"known cost {found.known_cost:g}{currency} against {pathway.known_cost:g}{currency} "
            f"with {len(pathway.unknown_cost_ids)} without a price; {covers}"
        )

    if found.total_hours >= pathway.total_hours - 1e-9:
        return None, f"no pathway covering at least {share:.0%} of the recommended coverage takes fewer hours"
    return found, (
        f"{found.total_hours:g} h against {pathway.total_hours:g} h; covers "
        f"{found.covered_weight:g} of {pathway.covered_weight:g}"
    )


def compare_credentials(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal: Goal,
    first_id: str,
    second_id: str,
    skill_search: SkillSearch | None = None,
) -> Comparison:
    """Compare two catalog credentials for this learner and goal; raise NotFoundError for an unknown id."""
    for credential_id in (first_id, second_id):
        if credential_id not in kb.credentials:
            raise NotFoundError(
                f"Credential {credential_id!r} is not in the catalog.",
                value=credential_id,
                hint="Use a credential id from the catalog or from a pathway step.",
            )
    resolved = resolve_goal(kb, goal, skill_search)
    profile = build_profile(kb, record, skill_search)
    gap = compute_gap(profile, resolved)
    first = assess_credential(kb, profile, gap, first_id)
    second = assess_credential(kb, profile, gap, second_id)
    return compare_assessments(first, second)
