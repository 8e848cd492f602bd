"""The planning problem: candidate credentials for a gap, pruned, with their prerequisites.

Candidates come from the inverted index skill -> credentials. A credential is left out when the
learner holds it, when it teaches nothing above the learner's effective levels, when the caller
excludes it, or when its modality or language is not allowed. For each gap skill only the
``TEACHERS_PER_SKILL`` best teachers are kept (highest level reached for that skill, then fewest
hours, then id), so the exact solver works on a small set even for a large catalog.

Goal relevance: when the caller gives each gap teacher's relevance to the goal (cosine
similarity of the goal text and the credential, from the ``CredentialRelevance`` port), a
teacher scoring below ``RELEVANCE_FLOOR`` times the best teacher's score is off-goal and is not
admitted for the gap (it may still enter as a prerequisite provider), and the teachers of a
skill are ranked by relevance first, then by the level they reach. Without relevance scores
they are ranked by level, then by focus: the share of the skills a credential teaches that the
goal requires.

Practice skills: O*NET's basic and cross-functional skills (element ids 2.A.* and 2.B.*, such
as Active Listening or Monitoring) are developed through practice, and the catalog's mappings
to them are loose (a clinical-trials course "teaches" Monitoring). A credential counts as
teaching one only when its source label for the skill is the skill's label; otherwise the
skill stays open with the reason ``practice``.

Loosely taught skills: with relevance scores, an essential skill that is not a technology and
whose best admitted teacher reaches a normalised goal fit below ``LOOSE_FIT`` (0 at the relevance
floor, 1 at the best teacher) is treated as optional for the plan: its coverage comes with steps
taken for other skills but is not bought with hours. Abstract ESCO items such as "normalise data"
are otherwise closed by a 195-hour credential that teaches little else of the goal. The skill
stays in the gap with its ``note``, and the note is shown when it is left open.

Prerequisites of kept candidates are added, transitively, up to ``PREREQUISITE_DEPTH`` levels.

Costs: a cost counts only when it is known and in the plan's currency (the budget's currency,
else the first currency seen among candidates, else ``DEFAULT_BUDGET_CURRENCY`` when a budget is
set, so a budget is never shown without a currency); any other cost is unknown, never zero. Under a
budget with ``unknown_cost=exclude`` a credential of unknown cost is left out; with ``allow``
(the default) it may enter and is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from advisor.domain import (
    Constraints,
    Credential,
    Gap,
    KnowledgeBase,
    LearnerProfile,
    SkillType,
    UnknownCostPolicy,
)
from advisor.engine.catalog_index import CatalogIndex, get_catalog_index, taught_levels

logger = logging.getLogger(__name__)

# Currency of a budget given without one when no credential among the candidates names a currency.
DEFAULT_BUDGET_CURRENCY = "USD"

TEACHERS_PER_SKILL = 5
PROVIDERS_PER_PREREQUISITE_SKILL = 4
PREREQUISITE_DEPTH = 4
DEFAULT_HOURS_PER_WEEK = 5.0
# A gap teacher below this share of the best teacher's goal relevance is off-goal. Measured on
# the even-position cases of evals/personas: 0.75 drops Calculus for "data models"; floors of
# 0.85 and 0.92 raised NDCG@5 a little but closed fewer gap skills.
RELEVANCE_FLOOR = 0.75
# Measured on the even-position cases of evals/personas: 0.34 raised NDCG@5 from 0.317 to 0.352
# at nearly the same gap coverage; 0.5 gave 0.356 but closed fewer gap skills, 0.2 gave 0.332.
LOOSE_FIT = 0.34
LOOSE_NOTE = "only loosely goal-relevant credentials teach it, so the plan treats it as optional"
PRACTICE_SKILL_PREFIXES = ("onet:skill:2.A.", "onet:skill:2.B.")


def is_practice_skill(skill_id: str) -> bool:
    """Return True for an O*NET basic or cross-functional skill, developed through practice."""
    return skill_id.startswith(PRACTICE_SKILL_PREFIXES)


def teaches_by_label(kb: KnowledgeBase, credential: Credential, skill_id: str) -> bool:
    """Return True when the credential's source label for a skill is the skill's own label."""
    skill = kb.skills.get(skill_id)
    if skill is None:
        return False
    wanted = skill.label.strip().casefold()
    return any(
        taught.skill_id == skill_id and (taught.source_label or "").strip().casefold() == wanted
        for taught in credential.skills
    )


def gap_teacher_ids(kb: KnowledgeBase, gap: Gap) -> list[str]:
    """Return the ids of every catalog credential that raises some gap skill, sorted."""
    index = get_catalog_index(kb)
    ids = {
        credential_id
        for item in gap.skills
        for credential_id, level in index.teachers.get(item.skill_id, [])
        if level > item.current_level
    }
    return sorted(ids)


@dataclass
class Candidate:
    """A credential the planner may choose, with what it would close and what it needs."""

    credential: Credential
    hours: float
    hours_estimated: bool
    cost: float | None
    gains: dict[str, int] = field(default_factory=dict)
    taught: dict[str, int] = field(default_factory=dict)
    needs_credentials: list[str] = field(default_factory=list)
    needs_skills: list[tuple[str, int]] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)
    blocked: str | None = None
    fit: float = 1.0

    @property
    def id(self) -> str:
        """Return the credential id."""
        return self.credential.id

    def credential_teaches(self, skill_id: str, level: int) -> bool:
        """Return True when the credential teaches a skill at the level or above."""
        taught = self.taught or taught_levels(self.credential)
        return taught.get(skill_id, 0) >= level


@dataclass
class PlanProblem:
    """Everything the solver needs, in plain data."""

    gap: Gap
    profile: LearnerProfile
    constraints: Constraints
    candidates: dict[str, Candidate]
    providers: dict[tuple[str, int], list[str]]
    hours_per_week: float
    hours_per_week_default: bool
    start: date
    hours_capacity: float | None
    currency: str | None
    rejected: dict[str, str] = field(default_factory=dict)
    rejection: Callable[[Credential], str | None] = lambda _credential: None

    @property
    def current(self) -> dict[str, int]:
        """Return gap skill id -> the learner's effective level."""
        return {item.skill_id: item.current_level for item in self.gap.skills}

    @property
    def required(self) -> dict[str, int]:
        """Return gap skill id -> the required level."""
        return {item.skill_id: int(item.required_level) for item in self.gap.skills}

    @property
    def weights(self) -> dict[str, float]:
        """Return gap skill id -> importance."""
        return {item.skill_id: item.importance for item in self.gap.skills}


def resolve_hours_per_week(constraints: Constraints, preferred: float | None) -> tuple[float, bool]:
    """Return (hours per week, is default): the constraint, the record's preference, or 5."""
    if constraints.hours_per_week:
        return constraints.hours_per_week, False
    if preferred:
        return preferred, False
    return DEFAULT_HOURS_PER_WEEK, True


def hours_capacity(constraints: Constraints, hours_per_week: float, start: date) -> float | None:
    """Return the study hours available before the deadline in whole weeks, or None without one."""
    if constraints.deadline is None:
        return None
    weeks = max(0, ((constraints.deadline - start).days + 1) // 7)
    return hours_per_week * weeks


def build_problem(
    kb: KnowledgeBase,
    profile: LearnerProfile,
    gap: Gap,
    constraints: Constraints,
    preferred_hours_per_week: float | None = None,
    today: date | None = None,
    relevance: dict[str, float] | None = None,
) -> PlanProblem:
    """Collect, filter and prune the candidates for a gap, with their prerequisites.

    ``relevance`` maps credential ids to their similarity to the goal; see the module docstring.
    """
    index = get_catalog_index(kb)
    start = constraints.start or today or date.today()
    per_week, per_week_default = resolve_hours_per_week(constraints, preferred_hours_per_week)
    builder = _ProblemBuilder(kb, index, profile, gap, constraints, relevance or {})

    for skill in gap.skills:
        builder.add_teachers(skill.skill_id, skill.current_level)
    builder.add_prerequisites()
    demote_loose_skills(kb, gap, builder)

    problem = PlanProblem(
        gap=gap,
        profile=profile,
        constraints=constraints,
        candidates=builder.candidates,
        providers=builder.providers,
        hours_per_week=per_week,
        hours_per_week_default=per_week_default,
        start=start,
        hours_capacity=hours_capacity(constraints, per_week, start),
        currency=builder.currency,
        rejected=builder.rejected,
        rejection=builder.rejection,
    )
    logger.debug("planning problem: %d candidates, %d rejected", len(problem.candidates), len(problem.rejected))
    return problem


def demote_loose_skills(kb: KnowledgeBase, gap: Gap, builder: "_ProblemBuilder") -> None:
    """Mark, in the gap itself, the essential skills only loosely goal-relevant credentials teach as optional."""
    if not builder.relevance:
        return
    for item in gap.skills:
        skill = kb.skills.get(item.skill_id)
        if not item.essential or skill is None or skill.skill_type is SkillType.TECHNOLOGY:
            continue
        fits = [builder.normalized_fit(candidate_id) for candidate_id, candidate in builder.candidates.items()
                if item.skill_id in candidate.gains]
        if fits and max(fits) < LOOSE_FIT:
            item.essential = False
            item.note = LOOSE_NOTE
            logger.debug("skill %s is optional for the plan: best teacher goal fit %.2f", item.skill_id, max(fits))


class _ProblemBuilder:
    """Builds the candidate set step by step."""

    def __init__(
        self,
        kb: KnowledgeBase,
        index: CatalogIndex,
        profile: LearnerProfile,
        gap: Gap,
        constraints: Constraints,
        relevance: dict[str, float],
    ) -> None:
        self.kb = kb
        self.relevance = relevance
        self.relevance_floor = RELEVANCE_FLOOR * max(relevance.values(), default=0.0)
        self.index = index
        self.profile = profile
        self.gap = gap
        self.constraints = constraints
        self.required = {item.skill_id: int(item.required_level) for item in gap.skills}
        self.current = {item.skill_id: item.current_level for item in gap.skills}
        self.candidates: dict[str, Candidate] = {}
        self.admitted: list[str] = []
        self.providers: dict[tuple[str, int], list[str]] = {}
        self.rejected: dict[str, str] = {}
        self.excluded = set(constraints.exclude)
        self.modalities = {value.casefold() for value in constraints.modalities}
        self.languages = {value.casefold().split("-")[0] for value in constraints.languages}
        self.currency = (constraints.currency or "").upper() or self._first_currency()
        if self.currency is None and constraints.budget is not None:
            self.currency = DEFAULT_BUDGET_CURRENCY
        self.goal_related: dict[str, bool] = {}

    def _first_currency(self) -> str | None:
        for skill_id in self.required:
            for credential_id, _level in self.index.teachers.get(skill_id, []):
                currency = self.kb.credentials[credential_id].currency
                if currency and self.kb.credentials[credential_id].cost is not None:
                    return currency.upper()
        return None

    def is_goal_related(self, parent_id: str) -> bool:
        """Return True when a larger credential or one of its parts teaches a goal skill."""
        if parent_id not in self.goal_related:
            ids = {parent_id, *self.index.parts.get(parent_id, ())}
            self.goal_related[parent_id] = any(
                skill in self.required
                for credential_id in ids
                for skill in self.index.levels[credential_id]
            )
        return self.goal_related[parent_id]

    def rejection(self, credential: Credential) -> str | None:
        """Return why a credential may not enter the plan, or None when it may."""
        if credential.id in self.excluded:
            return "excluded"
        if credential.id in self.profile.held_credentials:
            return "held"
        if self.modalities and credential.modality.value.casefold() not in self.modalities:
            return "modality"
        if self.languages and credential.language.casefold().split("-")[0] not in self.languages:
            return "language"
        if (
            self.constraints.budget is not None
            and self.constraints.unknown_cost is UnknownCostPolicy.EXCLUDE
            and self.known_cost(credential) is None
        ):
            return "unknown_cost"
        return None

    def known_cost(self, credential: Credential) -> float | None:
        """Return the cost in the plan's currency, or None when unknown or in another currency."""
        if credential.cost is None:
            return None
        if credential.cost == 0:
            return 0.0
        if credential.currency and self.currency and credential.currency.upper() != self.currency:
            return None
        return float(credential.cost)

    def all_skills_held(self, credential: Credential) -> bool:
        """Return True when the learner holds every skill it teaches at its level (and it teaches some)."""
        levels = self.index.levels[credential.id]
        if not levels:
            return False
        return all(self.profile_level(skill) >= level for skill, level in levels.items())

    def profile_level(self, skill_id: str) -> int:
        """Return the learner's effective level of a skill, 0 when absent."""
        held = self.profile.skills.get(skill_id)
        return held.effective_level if held else 0

    def focus(self, credential_id: str) -> float:
        """Return the share of the skills a credential teaches that the goal requires."""
        levels = self.index.levels[credential_id]
        if not levels:
            return 0.0
        return sum(1 for skill in levels if skill in self.required) / len(levels)

    def goal_fit(self, credential_id: str) -> float:
        """Return the credential's relevance to the goal when known, else its focus."""
        if self.relevance:
            return self.relevance.get(credential_id, 0.0)
        return self.focus(credential_id)

    def normalized_fit(self, credential_id: str) -> float:
        """Return the goal fit in [0, 1]: relevance from the floor (0) to the best (1), else focus."""
        if not self.relevance:
            return self.focus(credential_id)
        best = max(self.relevance.values())
        if best <= self.relevance_floor:
            return 1.0
        score = self.relevance.get(credential_id, 0.0)
        return min(1.0, max(0.0, (score - self.relevance_floor) / (best - self.relevance_floor)))

    def on_goal(self, credential_id: str) -> bool:
        """Return False for a credential whose relevance falls below the floor; True without scores."""
        if not self.relevance:
            return True
        return self.relevance.get(credential_id, 0.0) >= self.relevance_floor

    def teaches_gap_skill(self, credential_id: str, skill_id: str) -> bool:
        """Return True unless the skill is a practice skill the credential maps only loosely."""
        if not is_practice_skill(skill_id):
            return True
        return teaches_by_label(self.kb, self.kb.credentials[credential_id], skill_id)

    def add_teachers(self, skill_id: str, current: int) -> None:
        """Add the best on-goal teachers of one gap skill as candidates."""
        kept = 0
        ranked = sorted(
            (
                item
                for item in self.index.teachers.get(skill_id, [])
                if item[1] > current and self.on_goal(item[0]) and self.teaches_gap_skill(item[0], skill_id)
            ),
            key=lambda item: (
                -self.goal_fit(item[0]) if self.relevance else 0.0,
                -min(item[1], self.required[skill_id]),
                -self.goal_fit(item[0]),
                self.index.hours[item[0]][0],
                item[0],
            ),
        )
        for credential_id, _level in ranked:
            if kept >= TEACHERS_PER_SKILL:
                break
            if self.admit(credential_id, for_gap=True):
                kept += 1

    def admit(self, credential_id: str, for_gap: bool) -> bool:
        """Add a credential as a candidate when allowed; return whether it is one."""
        if credential_id in self.candidates:
            return True
        credential = self.kb.credentials[credential_id]
        reason = self.rejection(credential)
        if reason is None and for_gap and self.all_skills_held(credential):
            reason = "all skills held"
        if reason:
            self.rejected[credential_id] = reason
            return False

        hours, estimated = self.index.hours[credential_id]
        levels = self.index.levels[credential.id]
        gains = {
            skill: min(level, self.required[skill])
            for skill, level in levels.items()
            if skill in self.required
            and min(level, self.required[skill]) > self.current[skill]
            and self.teaches_gap_skill(credential_id, skill)
        }
        stacks = sorted(
            parent for parent in self.index.parents.get(credential_id, ()) if self.is_goal_related(parent)
        )
        self.candidates[credential_id] = Candidate(
            credential=credential,
            hours=hours,
            hours_estimated=estimated,
            cost=self.known_cost(credential),
            gains=gains,
            taught=levels,
            stacks=stacks,
            fit=self.normalized_fit(credential_id),
        )
        self.admitted.append(credential_id)
        return True

    def add_prerequisites(self) -> None:
        """Add unsatisfied prerequisites of every candidate, transitively; block the unsatisfiable."""
        frontier = list(self.candidates)
        for _depth in range(PREREQUISITE_DEPTH):
            added: list[str] = []
            for credential_id in frontier:
                added += self._add_needs(self.candidates[credential_id])
            frontier = added
            if not frontier:
                break
        for credential_id in frontier:
            self.candidates[credential_id].blocked = "prerequisites nest too deep"

    def _add_needs(self, candidate: Candidate) -> list[str]:
        before = len(self.admitted)
        credential = candidate.credential
        for required_id in credential.prerequisite_credentials:
            if self.credential_satisfied(required_id):
                continue
            candidate.needs_credentials.append(required_id)
            if required_id not in self.kb.credentials:
                candidate.blocked = f"prerequisite {required_id} is not in the catalog"
            elif not self.admit(required_id, for_gap=False):
                candidate.blocked = f"prerequisite {required_id} is {self.rejected[required_id]}"

        for needed in credential.prerequisite_skills:
            level = int(needed.level)
            if self.profile_level(needed.skill_id) >= level:
                continue
            candidate.needs_skills.append((needed.skill_id, level))
            providers = self._providers(needed.skill_id, level, credential.id)
            if not providers:
                candidate.blocked = f"no allowed credential teaches prerequisite skill {needed.skill_id}"
        return self.admitted[before:]

    def credential_satisfied(self, credential_id: str) -> bool:
        """Return True when the learner holds a credential or every skill it teaches."""
        if credential_id in self.profile.held_credentials:
            return True
        credential = self.kb.credentials.get(credential_id)
        return credential is not None and self.all_skills_held(credential)

    def _providers(self, skill_id: str, level: int, for_id: str) -> list[str]:
        key = (skill_id, level)
        if key not in self.providers:
            ranked = sorted(
                (item for item in self.index.teachers.get(skill_id, []) if item[1] >= level),
                key=lambda item: (self.index.hours[item[0]][0], item[0]),
            )
            chosen: list[str] = []
            for credential_id, _level in ranked:
                if len(chosen) >= PROVIDERS_PER_PREREQUISITE_SKILL:
                    break
                if self.admit(credential_id, for_gap=False):
                    chosen.append(credential_id)
            self.providers[key] = chosen
        return [item for item in self.providers[key] if item != for_id]
