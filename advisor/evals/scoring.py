"""Score one system's recommendation for one learner of a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from advisor.domain import Constraints, KnowledgeBase, LearnerRecord, UnknownCostPolicy
from advisor.engine.advice import merge_preferences
from advisor.engine.candidates import hours_capacity, resolve_hours_per_week
from advisor.engine.catalog_index import get_catalog_index
from advisor.evals.dataset import Case
from advisor.evals.matching import covered_skills
from advisor.evals.metrics import (
    listed_violations,
    ndcg_at_k,
    prerequisite_violations,
    recall_at_k,
    share,
    unique_ranking,
)


@dataclass
class Score:
    """The metrics of one recommendation."""

    recall_5: float | None
    recall_10: float | None
    ndcg_5: float | None
    ndcg_10: float | None
    coverage: float | None
    covered: list[str]
    missed: list[str]
    violations: list[str] = field(default_factory=list)

    @property
    def violation_count(self) -> int:
        """Return the number of violations."""
        return len(self.violations)


def constraint_violations(
    kb: KnowledgeBase, ranking: list[str], constraints: Constraints, record: LearnerRecord | None, today: date | None
) -> list[str]:
    """Return a message for each constraint the list of credentials breaks, in the engine's units."""
    merged = merge_preferences(constraints, record)
    preferred = record.preferences.hours_per_week if record is not None else None
    per_week, _default = resolve_hours_per_week(merged, preferred)
    capacity = hours_capacity(merged, per_week, merged.start or today or date.today())
    index = get_catalog_index(kb)
    problems: list[str] = []

    credentials = [kb.credentials[item] for item in ranking if item in kb.credentials]
    for credential in credentials:
        if merged.languages and credential.language not in merged.languages:
            problems.append(f"{credential.id} is in {credential.language!r}, not in {merged.languages}")
        if merged.modalities and credential.modality not in merged.modalities:
            problems.append(f"{credential.id} is {credential.modality}, not in {merged.modalities}")
        if credential.id in merged.exclude:
            problems.append(f"{credential.id} was excluded by the learner")
        if merged.budget is not None and credential.cost is None and merged.unknown_cost is UnknownCostPolicy.EXCLUDE:
            problems.append(f"{credential.id} has an unknown cost under a budget that admits only known costs")

    if merged.max_credentials is not None and len(credentials) > merged.max_credentials:
        problems.append(f"{len(credentials)} credentials, more than the maximum of {merged.max_credentials}")
    total_hours = sum(index.hours[item.id][0] for item in credentials if item.id in index.hours)
    if capacity is not None and total_hours > capacity + 1e-6:
        problems.append(f"{total_hours:g} study hours, more than the {capacity:g} available before the deadline")
    known_cost = sum(item.cost for item in credentials if item.cost is not None)
    if merged.budget is not None and known_cost > merged.budget + 1e-6:
        problems.append(f"known cost {known_cost:g}, over the budget of {merged.budget:g}")
    return problems


def score_recommendation(
    kb: KnowledgeBase,
    case: Case,
    ranking: list[str],
    held: list[str],
    record: LearnerRecord | None,
) -> Score:
    """Compute every ranking, coverage and violation metric of one recommendation."""
    ranking = unique_ranking(ranking)
    acceptable = [item for item in case.expected.acceptable if item not in held]
    closable = case.closable_gap
    covered = covered_skills(kb, ranking, closable)

    prerequisites = {item: kb.credentials[item].prerequisite_credentials for item in ranking if item in kb.credentials}
    violations = prerequisite_violations(ranking, prerequisites, held)
    violations += constraint_violations(kb, ranking, case.constraints, record, case.today)
    violations += listed_violations(ranking, held, "already held")
    violations += listed_violations(ranking, set(case.expected.must_not) - set(held), "on the must-not list")
    violations += [f"{item} is not in the catalog" for item in ranking if item not in kb.credentials]
    return Score(
        recall_5=recall_at_k(ranking, acceptable, 5),
        recall_10=recall_at_k(ranking, acceptable, 10),
        ndcg_5=ndcg_at_k(ranking, acceptable, 5),
        ndcg_10=ndcg_at_k(ranking, acceptable, 10),
        coverage=share(len(covered), len(closable)),
        covered=covered,
        missed=[skill.label for skill in closable if skill.label not in covered],
        violations=violations,
    )
