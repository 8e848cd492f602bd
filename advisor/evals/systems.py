"""The systems under evaluation: the product's engine and the naive RAG baseline.

Each system turns one case and learner into a ``Recommendation``: credential ids in order,
the time it took, and what else the metrics need.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date

from advisor.domain import Constraints, Goal, GoalKind, KnowledgeBase, LearnerRecord
from advisor.engine import advise
from advisor.engine.advice import prepare
from advisor.engine.candidates import PlanProblem
from advisor.engine.goals import goal_from_text
from advisor.engine.ports import CredentialRelevance, SkillSearch
from advisor.errors import AdvisorError

logger = logging.getLogger(__name__)

BASELINE_TOP_K = 10


@dataclass
class Recommendation:
    """One system's output for one learner: credential ids, latency, error, held credentials and the plan part."""

    credential_ids: list[str]
    latency_ms: float
    error: str | None = None
    held: list[str] = field(default_factory=list)
    plan_ids: list[str] = field(default_factory=list)


def goal_text(goal: Goal) -> str:
    """Return the text a naive RAG chain embeds for a goal."""
    if goal.kind is GoalKind.OCCUPATION:
        return goal.occupation or ""
    if goal.kind is GoalKind.POSTING:
        return goal.text or ""
    return ", ".join(skill.text for skill in goal.skills)


def occupation_text(kb: KnowledgeBase, goal: Goal) -> str:
    """Return an occupation goal's catalog title when the knowledge base has it, else the goal text."""
    text = goal_text(goal)
    if goal.kind is not GoalKind.OCCUPATION:
        return text
    wanted = text.strip().casefold()
    for occupation in kb.occupations.values():
        if occupation.id.casefold() == wanted or occupation.title.strip().casefold() == wanted:
            return occupation.title
    return text


def run_product(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal_spec: str,
    constraints: Constraints,
    skill_search: SkillSearch | None,
    today: date | None,
    exact: bool = True,
    relevance: CredentialRelevance | None = None,
) -> Recommendation:
    """Plan with the engine and return what it shows the learner: the pathway's steps, then the further options."""
    started = time.perf_counter()
    try:
        advice = advise(
            kb, record, goal_from_text(goal_spec), constraints, skill_search,
            today=today, exact=exact, relevance=relevance,
        )
    except AdvisorError as error:
        return Recommendation([], (time.perf_counter() - started) * 1000, error=str(error))
    elapsed = (time.perf_counter() - started) * 1000
    return Recommendation(
        credential_ids=advice.pathway.credential_ids + [item.credential_id for item in advice.pathway.further_options],
        latency_ms=elapsed,
        held=sorted(advice.profile.held_credentials),
        plan_ids=advice.pathway.credential_ids,
    )


def planning_problem(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    goal_spec: str,
    constraints: Constraints,
    skill_search: SkillSearch | None,
    today: date | None,
    relevance: CredentialRelevance | None = None,
) -> PlanProblem | None:
    """Return the engine's planning problem for a case, or None when the goal cannot be resolved."""
    try:
        return prepare(kb, record, goal_from_text(goal_spec), constraints, skill_search, today, relevance).problem
    except AdvisorError:
        return None


class NaiveRagBaseline:
    """Embed the goal text and take the nearest catalog entries of the credentials collection."""

    def __init__(self, kb: KnowledgeBase, store: object, top_k: int = BASELINE_TOP_K) -> None:
        from advisor.index.store import CollectionKind

        self.kb = kb
        self.store = store
        self.top_k = top_k
        self.collection = store.collection(CollectionKind.CREDENTIALS)  # type: ignore[attr-defined]

    def recommend(self, goal_spec: str) -> Recommendation:
        """Return the ``top_k`` nearest credentials to the goal text, nearest first."""
        started = time.perf_counter()
        try:
            goal = goal_from_text(goal_spec)
        except AdvisorError as error:
            return Recommendation([], (time.perf_counter() - started) * 1000, error=str(error))
        text = occupation_text(self.kb, goal)
        vector = self.store.embedding_function.embed_texts([text])[0]  # type: ignore[attr-defined]
        result = self.collection.query(query_embeddings=[vector], n_results=self.top_k, include=["distances"])
        return Recommendation(list(result["ids"][0]), (time.perf_counter() - started) * 1000)
