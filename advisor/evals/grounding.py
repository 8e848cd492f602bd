"""Grounding of chat answers: one turn per case through ChatService, offline or under the chat model.

The turn asks for a plan toward the case's goal. Its citations are compared with the ids the
turn's tools returned (tool results under a model; the planned pathway offline), and the final
answer is checked again by the verifier: a problem it finds in an answer that reached the
learner is a verifier escape.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from advisor.config import Settings
from advisor.domain import GoalKind, KnowledgeBase, LearnerRecord
from advisor.engine.goals import goal_from_text

logger = logging.getLogger(__name__)


@dataclass
class GroundingResult:
    """Citations of one chat turn and how well they are grounded."""

    cited: list[str] = field(default_factory=list)
    from_tools: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)
    source: str = ""
    latency_ms: float = 0.0
    error: str | None = None


def goal_message(goal_spec: str) -> str:
    """Return a learner's message that states the goal and asks for a plan."""
    goal = goal_from_text(goal_spec)
    if goal.kind is GoalKind.OCCUPATION:
        return f"My goal is to become a {goal.occupation}. What should I study next?"
    if goal.kind is GoalKind.POSTING:
        return f"My goal is this job posting: {goal.text}"
    return "My goal is skills: " + ", ".join(skill.text for skill in goal.skills)


def known_ids(kb: KnowledgeBase, record: LearnerRecord | None) -> set[str]:
    """Return every id an answer may cite: catalog, taxonomy and the learner's record items."""
    ids = set(kb.credentials) | set(kb.skills) | set(kb.occupations)
    if record is not None:
        ids |= set(record.item_ids())
    return ids


def collect_ids(value: object, wanted: set[str]) -> set[str]:
    """Return the strings inside a nested value that are in ``wanted``."""
    if isinstance(value, str):
        return {value} if value in wanted else set()
    if isinstance(value, dict):
        return set().union(*(collect_ids(item, wanted) for item in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(collect_ids(item, wanted) for item in value)) if value else set()
    return set()


class ChatGrounding:
    """A chat service on a throwaway database, used to run one turn per case."""

    def __init__(self, kb: KnowledgeBase, index: object | None, use_llm: bool) -> None:
        from advisor.chat.service import ChatService

        self.kb = kb
        self.directory = tempfile.TemporaryDirectory(prefix="advisor-eval-")
        settings = Settings(data_dir=Path(self.directory.name))
        provider_kwargs = {} if use_llm else {"provider": None}
        self.service = ChatService.create(settings, kb, index=index, today=None, **provider_kwargs)

    @property
    def mode(self) -> str:
        """Return 'llm' or 'offline'."""
        return self.service.mode

    def close(self) -> None:
        """Delete the throwaway database."""
        self.directory.cleanup()

    def run(self, learner_id: str, record: LearnerRecord | None, goal_spec: str) -> GroundingResult:
        """Run one turn toward the goal and measure its grounding."""
        from advisor.chat.events import FinalEvent, PathwayEvent, ToolResultEvent

        started = time.perf_counter()
        if record is not None:
            self.service.records.save(record)
        conversation_id = self.service.start_conversation(learner_id)
        events = asyncio.run(self._collect(conversation_id, learner_id, goal_message(goal_spec)))
        final = next(event for event in reversed(events) if isinstance(event, FinalEvent))

        ids = known_ids(self.kb, record)
        from_tools: set[str] = set()
        for event in events:
            if isinstance(event, ToolResultEvent):
                from_tools |= set(event.ids)
            if isinstance(event, PathwayEvent):
                from_tools |= collect_ids(event.pathway.model_dump(), ids)
        cited = list(dict.fromkeys(citation.id for citation in final.citations))
        escapes = self._verify(final.answer, from_tools, record, learner_id)
        return GroundingResult(
            cited=cited,
            from_tools=sorted(from_tools),
            unknown=[item for item in cited if item not in ids],
            escapes=escapes,
            source=final.source,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    async def _collect(self, conversation_id: str, learner_id: str, message: str) -> list[object]:
        events = []
        async for event in self.service.stream_turn(conversation_id, learner_id, message):
            events.append(event)
        return events

    def _verify(self, answer: str, allowed: set[str], record: LearnerRecord | None, learner_id: str) -> list[str]:
        credential_ids = [item for item in allowed if item in self.kb.credentials]
        record_ids = [item for item in allowed if record is not None and item in set(record.item_ids())]
        problems = self.service.verifier.verify(
            answer, credential_ids=credential_ids, record_item_ids=record_ids, learner_id=learner_id
        )
        return [problem.message for problem in problems]
