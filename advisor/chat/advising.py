"""The engine as a conversation uses it: goal and constraints that persist, and cached advice.

Both the LLM tools and the offline responder call the engine through ``Advising``, so they
give the same plans. Advice is cached per record, goal and constraints, because a
conversation asks about the same plan several times ("why X?", "something cheaper?"). The
cache is safe to share between threads, since the service runs engine calls in worker threads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from advisor.chat.events import PathwayCard, PathwayStepCard
from advisor.domain import (
    Advice,
    Comparison,
    Constraints,
    CredentialAssessment,
    Goal,
    KnowledgeBase,
    LearnerProfile,
    LearnerRecord,
    Pathway,
)
from advisor.engine import advise, cheaper_alternative, compare_credentials, faster_alternative
from advisor.engine.explain import assess_credential
from advisor.engine.ports import CredentialRelevance, SkillSearch
from advisor.engine.profile import build_profile
from advisor.errors import NotFoundError

logger = logging.getLogger(__name__)

ADVICE_CACHE_SIZE = 64
PLAN_TIME_LIMIT = 0.5


@dataclass
class ConversationState:
    """The goal and constraints of a conversation, stored with it between turns."""

    goal: Goal | None = None
    constraints: Constraints = field(default_factory=Constraints)

    @classmethod
    def from_json(cls, goal: dict[str, Any] | None, constraints: dict[str, Any] | None) -> ConversationState:
        """Rebuild the state from the JSON stored with a conversation."""
        return cls(
            goal=Goal.model_validate(goal) if goal else None,
            constraints=Constraints.model_validate(constraints or {}),
        )

    def goal_json(self) -> dict[str, Any] | None:
        """Return the goal as JSON, or None when none is set."""
        return self.goal.model_dump(mode="json", exclude_defaults=True) if self.goal else None

    def constraints_json(self) -> dict[str, Any]:
        """Return the constraints as JSON, leaving out fields that are not set."""
        return self.constraints.model_dump(mode="json", exclude_defaults=True)

    def copy(self) -> ConversationState:
        """Return a deep copy, so a turn can change it and keep the original on failure."""
        return ConversationState(
            goal=self.goal.model_copy(deep=True) if self.goal else None,
            constraints=self.constraints.model_copy(deep=True),
        )


def cache_key(*parts: object) -> str:
    """Return a digest of JSON-serialisable parts and pydantic models."""
    encoded = [
        part.model_dump_json() if hasattr(part, "model_dump_json") else json.dumps(part, sort_keys=True, default=str)
        for part in parts
    ]
    return hashlib.sha256("\x1f".join(encoded).encode()).hexdigest()


class Advising:
    """Engine calls over one knowledge base, with a small cache of advice."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        skill_search: SkillSearch | None = None,
        *,
        relevance: CredentialRelevance | None = None,
        today: date | None = None,
        cache_size: int = ADVICE_CACHE_SIZE,
    ) -> None:
        self.knowledge = knowledge
        self.skill_search = skill_search
        self.relevance = relevance
        self.today = today
        self.cache_size = cache_size
        self._advice: OrderedDict[str, Advice] = OrderedDict()
        self._lock = threading.Lock()

    def advice(self, record: LearnerRecord | None, goal: Goal, constraints: Constraints) -> Advice:
        """Return the gap and pathway for a goal; raise InvalidInputError for an unusable goal."""
        key = cache_key(record, goal, constraints, str(self.today))
        with self._lock:
            cached = self._advice.get(key)
            if cached is not None:
                self._advice.move_to_end(key)
                return cached

        found = advise(
            self.knowledge,
            record,
            goal,
            constraints,
            self.skill_search,
            today=self.today,
            time_limit=PLAN_TIME_LIMIT,
            relevance=self.relevance,
        )
        with self._lock:
            self._advice[key] = found
            while len(self._advice) > self.cache_size:
                self._advice.popitem(last=False)
        return found

    def cheaper(
        self, record: LearnerRecord | None, goal: Goal, constraints: Constraints
    ) -> tuple[Pathway | None, str]:
        """Return a cheaper pathway than the recommended one, or None, with the engine's note."""
        return cheaper_alternative(
            self.knowledge, record, goal, constraints, self.skill_search, self.today, self.relevance
        )

    def faster(
        self, record: LearnerRecord | None, goal: Goal, constraints: Constraints
    ) -> tuple[Pathway | None, str]:
        """Return a pathway of fewer hours than the recommended one, or None, with the engine's note."""
        return faster_alternative(
            self.knowledge, record, goal, constraints, self.skill_search, self.today, self.relevance
        )

    def compare(self, record: LearnerRecord | None, goal: Goal, first_id: str, second_id: str) -> Comparison:
        """Compare two credentials for the learner and goal; raise NotFoundError for an unknown id."""
        return compare_credentials(self.knowledge, record, goal, first_id, second_id, self.skill_search)

    def assess(
        self, record: LearnerRecord | None, goal: Goal, constraints: Constraints, credential_id: str
    ) -> CredentialAssessment:
        """Work out what one credential would close of the gap toward the goal."""
        self.require_credential(credential_id)
        found = self.advice(record, goal, constraints)
        return assess_credential(self.knowledge, found.profile, found.gap, credential_id)

    def profile(self, record: LearnerRecord | None) -> LearnerProfile:
        """Return the learner's skill profile, empty for a cold start."""
        return build_profile(self.knowledge, record, self.skill_search)

    def require_credential(self, credential_id: str) -> None:
        """Raise NotFoundError when the catalog has no credential ``credential_id``."""
        if credential_id not in self.knowledge.credentials:
            raise NotFoundError(
                f"Credential {credential_id!r} is not in the catalog.",
                value=credential_id,
                hint="Search the catalog first and use an id it returns.",
            )


def pathway_card(knowledge: KnowledgeBase, advice: Advice, pathway: Pathway, label: str = "recommended") -> PathwayCard:
    """Return a pathway as a card for front ends: steps with URL, hours, cost and closed skills."""
    steps = []
    for step in pathway.steps:
        credential = knowledge.credentials.get(step.credential_id)
        steps.append(
            PathwayStepCard(
                order=step.order,
                credential_id=step.credential_id,
                title=step.title,
                provider=step.provider,
                url=str(credential.url) if credential and credential.url else None,
                hours=step.hours,
                hours_estimated=step.hours_estimated,
                cost=step.cost,
                currency=step.currency,
                closes=[closure.label for closure in step.closes],
                closes_skill_ids=[closure.skill_id for closure in step.closes],
            )
        )
    return PathwayCard(
        goal_title=advice.goal.title,
        occupation_id=advice.goal.occupation_id,
        steps=steps,
        total_hours=pathway.total_hours,
        hours_per_week=pathway.hours_per_week,
        weeks=pathway.weeks,
        known_cost=pathway.known_cost,
        currency=pathway.currency,
        unknown_cost_ids=list(pathway.unknown_cost_ids),
        open_gap_skills=[gap.label for gap in pathway.open_gaps],
        label=label,
    )
