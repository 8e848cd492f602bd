"""One conversation turn under a chat model: engine first, or tools in a bounded loop.

When the intent recogniser understands the message (a goal, constraints, the next step, why,
what a credential covers, cheaper, faster, compare, my skills), the engine runs first, and
one model request without tools asks the model to phrase the engine's result. Otherwise the
model gets the system prompt, the history fitted to its token budget and the tools of the
turn; tool calls run until the model answers in text or ``max_tool_rounds`` model calls have
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
from enum import StrEnum

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from advisor.chat.advising import ConversationState
from advisor.chat.answer_check import CheckedAnswer, check_answer
from advisor.chat.budget import count_tokens
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
from advisor.chat.tools import ENGINE_RESULT, ToolBox
from advisor.chat.verifier import AnswerVerifier, Problem, RecordItemRef
from advisor.domain import KnowledgeBase, LearnerRecord

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = "advisor_system"
PHRASE_PROMPT = "phrase_engine_result"
REPAIR_PROMPT = "repair_answer"
MAX_TOOL_ROUNDS = 4
BRACKETED = re.compile(r"\[([^\[\]\n]{1,300})\]")


class TurnPath(StrEnum):
    """How a turn was answered, as stored in its exchange record."""

    OFFLINE = "offline"
    ENGINE_FIRST = "engine_first"
    TOOL_LOOP = "tool_loop"


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
    path: TurnPath = TurnPath.TOOL_LOOP
    prompt_name: str | None = None

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
    brief_history: list[BaseMessage] | None = None


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
        grounded = await asyncio.to_thread(self.responder.respond_if_understood, turn.message, turn.record, turn.state)
        if grounded is not None:
            async for event in self.run_engine_first(turn, toolbox, grounded, outcome):
                yield event
            return

        async for event in self.run_tool_loop(turn, toolbox, outcome):
            yield event

    async def run_engine_first(
        self, turn: TurnInput, toolbox: ToolBox, grounded: GroundedAnswer, outcome: TurnOutcome
    ) -> AsyncIterator[ChatEvent]:
        """Ask the model, without tools, to phrase the engine's answer; verify it like any draft."""
        outcome.path = TurnPath.ENGINE_FIRST
        outcome.prompt_name = PHRASE_PROMPT
        yield engine_result_event(toolbox, grounded)
        if grounded.pathway is not None:
            outcome.pathway = grounded.pathway
            yield PathwayEvent(pathway=grounded.pathway)

        messages: list[BaseMessage] = [self.phrase_message(turn, grounded), *(turn.brief_history or turn.history)]
        reply: ModelReply | Fault | None = None
        async with aclosing(self.provider.astream(messages, [])) as items:
            async for item in items:
                if isinstance(item, TextDelta):
                    outcome.streamed_text += item.text
                    yield item
                else:
                    reply = item

        if isinstance(reply, Fault) or reply is None or reply.tool_calls:
            missing = Incident(kind="llm_no_outcome", message="The model call ended without a text answer.")
            outcome.incidents.append(reply.incident() if isinstance(reply, Fault) else missing)
            async for event in self.fall_back(turn, toolbox, outcome, grounded=grounded):
                yield event
            return

        self.count(reply, outcome)
        async for event in self.check_and_repair(turn, toolbox, messages, reply.text, outcome, grounded=grounded):
            yield event

    def phrase_message(self, turn: TurnInput, grounded: GroundedAnswer) -> SystemMessage:
        """Render the prompt that asks the model to phrase the engine's answer."""
        name = (turn.record.name if turn.record and turn.record.name else None) or "the learner"
        logger.debug("Engine result of %d tokens for intent %s", count_tokens(grounded.text), grounded.intent.value)
        return SystemMessage(self.prompts.get(PHRASE_PROMPT).render(learner_name=name, engine_result=grounded.text))

    async def run_tool_loop(self, turn: TurnInput, toolbox: ToolBox, outcome: TurnOutcome) -> AsyncIterator[ChatEvent]:
        """Let the model call tools until it answers, then verify the answer."""
        outcome.path = TurnPath.TOOL_LOOP
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
        self,
        turn: TurnInput,
        toolbox: ToolBox,
        messages: list[BaseMessage],
        draft: str,
        outcome: TurnOutcome,
        *,
        grounded: GroundedAnswer | None = None,
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
            async for event in self.fall_back(turn, toolbox, outcome, verifier_failed=True, grounded=grounded):
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
        async for event in self.fall_back(turn, toolbox, outcome, verifier_failed=True, grounded=grounded):
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
        self,
        turn: TurnInput,
        toolbox: ToolBox,
        outcome: TurnOutcome,
        *,
        verifier_failed: bool = False,
        grounded: GroundedAnswer | None = None,
    ) -> AsyncIterator[ChatEvent]:
        """Answer from the engine through the offline responder, after a fault or a failed check.

        ``grounded`` is the engine's answer when the turn already has one. The answer is
        checked like any other before it is sent.
        """
        if grounded is None:
            grounded = await asyncio.to_thread(
                self.responder.respond, turn.message, turn.record, turn.state, plan_when_unknown=True
            )
            yield engine_result_event(toolbox, grounded)
            if grounded.pathway is not None:
                yield PathwayEvent(pathway=grounded.pathway)

        checked = check_answer(grounded.text, lambda answer: self.verify(turn, toolbox, answer))
        own_ids = toolbox.record_item_ids | {ref.item_id for ref in record_refs(turn.record)}
        outcome.answer = checked.text
        outcome.source = "fallback"
        outcome.citations = citations_for(self.knowledge, cited_ids(checked.text), own_ids)
        outcome.pathway = grounded.pathway or toolbox.last_pathway
        if verifier_failed:
            outcome.verifier_outcome = VerifierOutcome.FAILED
            if checked.problems:
                outcome.incidents.append(grounded_check_incident(checked))
        else:
            note_check(checked, outcome)
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


def engine_result_event(toolbox: ToolBox, grounded: GroundedAnswer) -> ToolResultEvent:
    """Store the engine's output of a turn in the toolbox and return it as a tool result event."""
    result = toolbox.record_engine_result(
        grounded.credential_ids, grounded.record_item_ids, grounded.pathway, grounded.intent.value
    )
    return ToolResultEvent(call_id=ENGINE_RESULT, name=ENGINE_RESULT, content=result.content, ids=result.ids)


def note_check(checked: CheckedAnswer, outcome: TurnOutcome) -> None:
    """Set the verifier outcome of a grounded answer and record what its last check changed."""
    if not checked.problems:
        outcome.verifier_outcome = VerifierOutcome.PASSED
        return
    outcome.verifier_problems = checked.problems
    outcome.verifier_outcome = VerifierOutcome.FAILED if checked.replaced else VerifierOutcome.REPAIRED
    outcome.incidents.append(grounded_check_incident(checked))


def grounded_check_incident(checked: CheckedAnswer) -> Incident:
    """Return the incident of a grounded answer that failed the verifier and was cut or replaced."""
    action = "replaced by a fixed answer" if checked.replaced else f"cut by {checked.removed_sentences} sentences"
    return Incident(
        kind="grounded_answer_unverified",
        message=f"The verifier found problems in a grounded answer, which was {action}.",
        detail={"problems": [problem.message for problem in checked.problems]},
    )

