"""One conversation turn under a chat model: tools in a bounded loop, then the verifier.

The model gets the system prompt, the history fitted to its token budget and the tools of the
turn. Tool calls run until the model answers in text or ``max_tool_rounds`` model calls have
asked for tools. The draft answer is then checked by the verifier; a draft with problems gets
one repair request, and a repair that still fails is replaced by the grounded answer of the
offline responder. Every model fault ends in that grounded answer too. Text deltas stream to
the client as they arrive, so the final event says when its answer replaces text already sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from advisor.chat.advising import ConversationState
from advisor.chat.events import (
    ChatEvent,
    CitationEvent,
    Incident,
    PathwayCard,
    PathwayEvent,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    Usage,
)
from advisor.chat.faults import Fault
from advisor.chat.llm import ChatProvider, ModelReply
from advisor.chat.memory import VerifierOutcome
from advisor.chat.offline import GroundedAnswer, OfflineResponder
from advisor.chat.prompts import PromptLibrary
from advisor.chat.record_store import record_item_refs
from advisor.chat.tools import ToolBox
from advisor.chat.verifier import AnswerVerifier, Problem, RecordItemRef
from advisor.domain import KnowledgeBase, LearnerRecord

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = "advisor_system"
REPAIR_PROMPT = "repair_answer"
MAX_TOOL_ROUNDS = 4
BRACKETED = re.compile(r"\[([^\[\]\n]{1,300})\]")


@dataclass
class TurnOutcome:
    """The results of a turn, filled in as it runs, so an interrupted turn can still be stored."""

    answer: str = ""
    source: str = "llm"
    streamed_text: str = ""
    model: str | None = None
    usage: Usage = field(default_factory=Usage)
    incidents: list[Incident] = field(default_factory=list)
    verifier_outcome: VerifierOutcome = VerifierOutcome.SKIPPED
    verifier_problems: list[Problem] = field(default_factory=list)
    citations: list[CitationEvent] = field(default_factory=list)
    pathway: PathwayCard | None = None
    finished: bool = False

    @property
    def replaces_streamed_text(self) -> bool:
        """Return whether text deltas were sent that the final answer does not match."""
        return bool(self.streamed_text) and self.streamed_text.strip() != self.answer.strip()


@dataclass
class TurnInput:
    """Everything one turn works on, fixed by the service for the authenticated learner."""

    learner_id: str
    message: str
    record: LearnerRecord | None
    state: ConversationState
    history: list[BaseMessage]
    other_learners_items: list[RecordItemRef] = field(default_factory=list)
    today: date | None = None


def cited_ids(answer: str) -> list[str]:
    """Return the ids an answer cites in square brackets, in order, each once."""
    found: list[str] = []
    for match in BRACKETED.finditer(answer):
        for part in re.split(r"[,;]", match.group(1)):
            token = part.strip()
            if token and " " not in token and token not in found:
                found.append(token)
    return found


def citations_for(knowledge: KnowledgeBase, ids: Iterable[str], record_item_ids: set[str]) -> list[CitationEvent]:
    """Return a citation event for each id that names a credential, record item, skill or occupation."""
    citations = []
    for item in ids:
        if item in knowledge.credentials:
            citations.append(CitationEvent(id=item, kind="credential", title=knowledge.credentials[item].title))
        elif item in record_item_ids:
            citations.append(CitationEvent(id=item, kind="record_item"))
        elif item in knowledge.occupations:
            citations.append(CitationEvent(id=item, kind="occupation", title=knowledge.occupations[item].title))
        elif item in knowledge.skills:
            citations.append(CitationEvent(id=item, kind="skill", title=knowledge.skills[item].label))
    return citations


class LLMTurn:
    """Runs turns under one chat model with one set of prompts, verifier and fallback responder."""

    def __init__(
        self,
        provider: ChatProvider,
        prompts: PromptLibrary,
        verifier: AnswerVerifier,
        responder: OfflineResponder,
        *,
        max_tool_rounds: int = MAX_TOOL_ROUNDS,
    ) -> None:
        self.provider = provider
        self.prompts = prompts
        self.verifier = verifier
        self.responder = responder
        self.knowledge = responder.knowledge
        self.max_tool_rounds = max_tool_rounds

    def system_message(self, turn: TurnInput) -> SystemMessage:
        """Render the system prompt for the learner of the turn."""
        name = (turn.record.name if turn.record and turn.record.name else None) or "the learner"
        today = (turn.today or date.today()).isoformat()
        return SystemMessage(self.prompts.get(SYSTEM_PROMPT).render(learner_name=name, today=today))

    async def run(self, turn: TurnInput, toolbox: ToolBox, outcome: TurnOutcome) -> AsyncIterator[ChatEvent]:
        """Yield the events of one turn, filling ``outcome``; the caller emits the final event."""
        messages: list[BaseMessage] = [self.system_message(turn), *turn.history]
        schemas = toolbox.schemas()
        draft: str | None = None

        for _round in range(self.max_tool_rounds):
            reply: ModelReply | Fault | None = None
            async with aclosing(self.provider.astream(messages, schemas)) as items:
                async for item in items:
                    if isinstance(item, TextDelta):
                        outcome.streamed_text += item.text
                        yield item
                    else:
                        reply = item

            if isinstance(reply, Fault) or reply is None:
                missing = Incident(kind="llm_no_outcome", message="The model call ended without an outcome.")
                outcome.incidents.append(reply.incident() if reply else missing)
                async for event in self.fall_back(turn, toolbox, outcome):
                    yield event
                return

            self.count(reply, outcome)
            if not reply.tool_calls:
                draft = reply.text
                break

            messages.append(reply.to_message())
            async for event in self.run_tools(reply, toolbox, messages, outcome):
                yield event

        if draft is None:
            outcome.incidents.append(
                Incident(
                    kind="tool_loop_limit",
                    message=f"The model still asked for tools after {self.max_tool_rounds} calls.",
                    detail={"max_tool_rounds": self.max_tool_rounds},
                )
            )
            async for event in self.fall_back(turn, toolbox, outcome):
                yield event
            return

        async for event in self.check_and_repair(turn, toolbox, messages, draft, outcome):
            yield event

    async def run_tools(
        self, reply: ModelReply, toolbox: ToolBox, messages: list[BaseMessage], outcome: TurnOutcome
    ) -> AsyncIterator[ChatEvent]:
        """Run the tool calls of a reply in a worker thread and append their results to the messages."""
        for call in reply.tool_calls:
            yield ToolCallEvent(call_id=call.id, name=call.name, arguments=call.arguments)
            result = await asyncio.to_thread(toolbox.run, call.name, call.arguments)
            if result.error:
                outcome.incidents.append(
                    Incident(kind="tool_error", message=result.error, detail={"tool": call.name})
                )
            yield ToolResultEvent(
                call_id=call.id, name=call.name, content=result.content or None, ids=result.ids, error=result.error
            )
            if result.pathway is not None:
                outcome.pathway = result.pathway
                yield PathwayEvent(pathway=result.pathway)
            messages.append(ToolMessage(content=result.to_json(), tool_call_id=call.id))

    async def check_and_repair(
        self, turn: TurnInput, toolbox: ToolBox, messages: list[BaseMessage], draft: str, outcome: TurnOutcome
    ) -> AsyncIterator[ChatEvent]:
        """Verify the draft; ask for one repair on problems; fall back when the repair fails too."""
        problems = self.verify(turn, toolbox, draft)
        if not problems:
            self.accept(turn, toolbox, draft, VerifierOutcome.PASSED, outcome)
            return

        logger.info("Verifier found %d problems in the model's answer; asking for a repair", len(problems))
        outcome.verifier_problems = problems
        listed = "\n".join(f"- {problem.message}" for problem in problems)
        repair = self.prompts.get(REPAIR_PROMPT).render(problems=listed)
        messages.extend([AIMessage(draft), HumanMessage(repair)])

        reply = await self.provider.acomplete(messages)
        if isinstance(reply, Fault):
            outcome.incidents.append(reply.incident())
            outcome.verifier_outcome = VerifierOutcome.FAILED
            async for event in self.fall_back(turn, toolbox, outcome, verifier_failed=True):
                yield event
            return

        self.count(reply, outcome)
        second = self.verify(turn, toolbox, reply.text)
        if not second and not reply.tool_calls:
            self.accept(turn, toolbox, reply.text, VerifierOutcome.REPAIRED, outcome)
            return

        outcome.verifier_problems = second or problems
        outcome.incidents.append(
            Incident(
                kind="verifier_failed",
                message="The repaired answer still failed the verifier; the grounded answer replaced it.",
                detail={"problems": [problem.model_dump(mode="json") for problem in outcome.verifier_problems]},
            )
        )
        async for event in self.fall_back(turn, toolbox, outcome, verifier_failed=True):
            yield event

    def verify(self, turn: TurnInput, toolbox: ToolBox, answer: str) -> list[Problem]:
        """Return the verifier's problems with an answer, against this turn's tool results."""
        own = record_refs(turn.record)
        return self.verifier.verify(
            answer,
            credential_ids=toolbox.credential_ids,
            record_item_ids=toolbox.record_item_ids | {ref.item_id for ref in own},
            learner_id=turn.learner_id,
            record_items=[*own, *turn.other_learners_items],
        )

    def accept(
        self, turn: TurnInput, toolbox: ToolBox, answer: str, verdict: VerifierOutcome, outcome: TurnOutcome
    ) -> None:
        """Take a verified model answer as the turn's answer."""
        own_ids = toolbox.record_item_ids | {ref.item_id for ref in record_refs(turn.record)}
        outcome.answer = answer
        outcome.source = "llm"
        outcome.verifier_outcome = verdict
        outcome.citations = citations_for(self.knowledge, cited_ids(answer), own_ids)
        if outcome.pathway is None:
            outcome.pathway = toolbox.last_pathway

    async def fall_back(
        self, turn: TurnInput, toolbox: ToolBox, outcome: TurnOutcome, *, verifier_failed: bool = False
    ) -> AsyncIterator[ChatEvent]:
        """Answer from the engine through the offline responder, after a fault or a failed check."""
        grounded: GroundedAnswer = await asyncio.to_thread(
            self.responder.respond, turn.message, turn.record, turn.state, plan_when_unknown=True
        )
        outcome.answer = grounded.text
        outcome.source = "fallback"
        outcome.citations = grounded.citations
        outcome.pathway = grounded.pathway or toolbox.last_pathway
        if verifier_failed:
            outcome.verifier_outcome = VerifierOutcome.FAILED
        if grounded.pathway is not None:
            yield PathwayEvent(pathway=grounded.pathway)
        logger.info("Answered from the engine instead of the model after %s",
                    ", ".join(incident.kind for incident in outcome.incidents) or "no incident")

    @staticmethod
    def count(reply: ModelReply, outcome: TurnOutcome) -> None:
        """Add a reply's tokens to the turn and remember the model that wrote it."""
        outcome.usage = Usage(
            input_tokens=outcome.usage.input_tokens + reply.usage.input_tokens,
            output_tokens=outcome.usage.output_tokens + reply.usage.output_tokens,
        )
        outcome.model = reply.model or outcome.model


def record_refs(record: LearnerRecord | None) -> list[RecordItemRef]:
    """Return verifier references to the caller's own record items."""
    return record_item_refs(record) if record is not None else []
