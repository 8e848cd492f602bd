"""Further options: goal-relevant credentials to consider after the plan.

The plan closes the mapped gap at the least effort, so a cohesive on-goal certificate that
closes the same skills as the chosen steps may be left out. Further options list such
credentials, most relevant to the goal first. Each one raises some gap skill, is not held and
is allowed by the constraints. Its relevance reaches ``RELEVANCE_FLOOR`` of the best, and the
profile or the plan meets its prerequisites. It also fits the deadline, budget and count limits
together with the plan and the options listed before it.
"""

from __future__ import annotations

import logging
import math

from advisor.domain import FurtherOption, KnowledgeBase, Pathway
from advisor.engine.candidates import RELEVANCE_FLOOR, PlanProblem
from advisor.engine.catalog_index import get_catalog_index
from advisor.engine.scaling import HOURS_SCALE

logger = logging.getLogger(__name__)

FURTHER_OPTIONS = 5


def further_options(
    kb: KnowledgeBase,
    problem: PlanProblem,
    pathway: Pathway,
    relevance: dict[str, float],
    limit: int = FURTHER_OPTIONS,
) -> list[FurtherOption]:
    """Return up to ``limit`` further options after a pathway, most goal-relevant first."""
    if not relevance or limit <= 0:
        return []

    index = get_catalog_index(kb)
    floor = RELEVANCE_FLOOR * max(relevance.values())
    chosen = list(pathway.credential_ids)
    hours = sum(index.hours[item][0] for item in chosen if item in index.hours)
    cost = pathway.known_cost
    options: list[FurtherOption] = []
    for credential_id, score in sorted(relevance.items(), key=lambda item: (-item[1], item[0])):
        if len(options) >= limit or score < floor:
            break
        credential = kb.credentials.get(credential_id)
        if credential is None or credential_id in chosen or problem.rejection(credential) is not None:
            continue
        if not _prerequisites_met(problem, index.levels, chosen, credential_id, kb):
            continue

        option_hours, estimated = index.hours[credential_id]
        # NOTE: a cost in another currency than the plan's is added as if it were in the plan's.
        option_cost = credential.cost if credential.cost is not None else 0.0
        if not _fits(problem, len(chosen) + 1, hours + option_hours, cost + option_cost):
            continue

        chosen.append(credential_id)
        hours += option_hours
        cost += option_cost
        options.append(
            FurtherOption(
                credential_id=credential_id,
                title=credential.title,
                provider=credential.provider,
                hours=option_hours,
                hours_estimated=estimated,
                relevance=round(score, 3),
            )
        )
    logger.debug("%d further options after a plan of %d steps", len(options), len(pathway.steps))
    return options


def _prerequisites_met(
    problem: PlanProblem, levels: dict[str, dict[str, int]], chosen: list[str], credential_id: str, kb: KnowledgeBase
) -> bool:
    """Return True when the profile or the credentials before it meet a credential's prerequisites."""
    credential = kb.credentials[credential_id]
    held = problem.profile.held_credentials
    if any(needed not in held and needed not in chosen for needed in credential.prerequisite_credentials):
        return False

    for needed in credential.prerequisite_skills:
        profile_skill = problem.profile.skills.get(needed.skill_id)
        reached = profile_skill.effective_level if profile_skill else 0
        reached = max([reached, *(levels.get(item, {}).get(needed.skill_id, 0) for item in chosen)])
        if reached < int(needed.level):
            return False
    return True


def _fits(problem: PlanProblem, count: int, hours: float, cost: float) -> bool:
    """Return True when a count, total hours and known cost respect the problem's limits."""
    constraints = problem.constraints
    if constraints.max_credentials is not None and count > constraints.max_credentials:
        return False
    if problem.hours_capacity is not None:
        # The planner counts capacity in tenths of an hour, rounded down.
        capacity = math.floor(problem.hours_capacity * HOURS_SCALE + 1e-6) / HOURS_SCALE
        if hours > capacity:
            return False
    return constraints.budget is None or cost <= constraints.budget + 1e-6
