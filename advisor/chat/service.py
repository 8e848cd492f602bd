"""The chat service: conversations for authenticated learners, turn by turn, stored and recorded.

The API, Slack and the command line call this class. The learner id always comes from the
caller, never from a message or a tool argument. Each turn runs under the chat model when an
API key is configured and through the grounded offline responder otherwise; either way it
ends in exactly one ``FinalEvent``, stores both messages, persists the goal and constraints
with the conversation, and records one exchange with its ids, prompt versions, tokens,
latency, verifier outcome and incidents. A turn whose consumer stops iterating is stored as
interrupted, and the upstream model call is closed with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from advisor.chat.advising import Advising, ConversationState
from advisor.chat.answer_check import check_answer
from advisor.chat.budget import fit_history
from advisor.chat.catalog_search import CatalogSearch, build_relevance, build_searches, open_index
from advisor.chat.events import ChatEvent, FinalEvent, Incident, PathwayEvent
from advisor.chat.llm import ChatProvider, build_provider
from advisor.chat.memory import ConversationStore, ExchangeRecord, Turn, open_store
from advisor.chat.offline import OfflineResponder
from advisor.chat.orchestrator import (
    SYSTEM_PROMPT,
    LLMTurn,
    TurnInput,
    TurnOutcome,
    TurnPath,
    citations_for,
    cited_ids,
    engine_result_event,
    note_check,
    record_refs,
)
from advisor.chat.prompts import PromptLibrary, load_prompts
from advisor.chat.record_store import RecordStore
from advisor.chat.tools import RecordItemFound, RecordSearch, ToolBox, ToolContext
from advisor.chat.verifier import AnswerVerifier
from advisor.config import Settings, get_settings
from advisor.domain import KnowledgeBase, LearnerRecord
from advisor.engine.normalize import clean
from advisor.errors import InvalidInputError

if TYPE_CHECKING:
    from advisor.index.store import IndexStore

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8000
# History budget of an engine-first turn: the engine's answer already carries the plan, so
# the model needs only the newest turns to keep the thread of the conversation.
ENGINE_FIRST_HISTORY_TOKENS = 100
INTERRUPTED_NOTE = "[interrupted before the answer was complete]"
_UNSET = object()


@dataclass
class ServiceParts:
    """The collaborators of a chat service, built once and shared by every turn."""

    settings: Settings
    knowledge: KnowledgeBase
    conversations: ConversationStore
    records: RecordStore
    prompts: PromptLibrary
    provider: ChatProvider | None
    index: IndexStore | None
    catalog: CatalogSearch
    advising: Advising


class ChatService:
    """Runs conversations for authenticated learners, offline or under a chat model."""

    def __init__(self, parts: ServiceParts) -> None:
        self.settings = parts.settings
        self.knowledge = parts.knowledge
        self.conversations = parts.conversations
        self.records = parts.records
        self.prompts = parts.prompts
        self.provider = parts.provider
        self.index = parts.index
        self.catalog = parts.catalog
        self.advising = parts.advising
        self.today = parts.advising.today
        self.verifier = AnswerVerifier(parts.knowledge)
        self.responder = OfflineResponder(parts.advising, parts.catalog, parts.advising.today, self.verifier)
        self.llm_turn = (
            LLMTurn(parts.provider, parts.prompts, self.verifier, self.responder) if parts.provider else None
        )

    @classmethod
    def create(
        cls,
        settings: Settings | None = None,
        knowledge: KnowledgeBase | None = None,
        *,
        index: IndexStore | None | object = _UNSET,
        provider: ChatProvider | None | object = _UNSET,
        today: date | None = None,
    ) -> ChatService:
        """Build the service from settings: database, prompts, knowledge base, index and model.

        ``index`` and ``provider`` default to what the settings configure (the built index, and
        a model when an API key is set); pass None to turn either off.
        """
        settings = settings or get_settings()
        if knowledge is None:
            from advisor.ingest.knowledge_base import load_knowledge_base

            knowledge, _reports = load_knowledge_base(settings.knowledge_base_dir)

        chosen_index = open_index(settings) if index is _UNSET else index
        chosen_provider = build_provider(settings) if provider is _UNSET else provider
        conversations = open_store(settings)
        records = RecordStore(conversations.engine, (lambda: chosen_index), conversations)
        catalog, skill_search = build_searches(knowledge, chosen_index)  # type: ignore[arg-type]
        relevance = build_relevance(chosen_index, skill_search)  # type: ignore[arg-type]

        parts = ServiceParts(
            settings=settings,
            knowledge=knowledge,
            conversations=conversations,
            records=records,
            prompts=load_prompts(settings.prompts_dir),
            provider=chosen_provider,  # type: ignore[arg-type]
            index=chosen_index,  # type: ignore[arg-type]
            catalog=catalog,
            advising=Advising(knowledge, skill_search, relevance=relevance, today=today),
        )
        logger.info(
            "Chat service ready: %d credentials, index %s, model %s",
            len(knowledge.credentials),
            "on" if chosen_index is not None else "off",
            settings.openai_model if chosen_provider is not None else "none (offline responder)",
        )
        logger.info("Planning with skills index %s and credential relevance %s",
                    "on" if skill_search is not None else "off", "on" if relevance is not None else "off")
        return cls(parts)

    @property
    def mode(self) -> str:
        """Return 'llm' when a chat model answers, 'offline' when the grounded responder does."""
        return "llm" if self.llm_turn is not None else "offline"

    def start_conversation(self, learner_id: str) -> str:
        """Start a conversation for the learner and return its id."""
        return self.conversations.start_conversation(learner_id).id

    def list_turns(self, conversation_id: str, learner_id: str) -> list[Turn]:
        """Return the turns of the learner's conversation, oldest first."""
        return self.conversations.list_turns(conversation_id, learner_id)

    async def answer_turn(self, conversation_id: str, learner_id: str, message: str) -> FinalEvent:
        """Run a turn and return only its final event."""
        final: FinalEvent | None = None
        async with aclosing(self.stream_turn(conversation_id, learner_id, message)) as events:
            async for event in events:
                if isinstance(event, FinalEvent):
                    final = event
        assert final is not None
        return final

    async def stream_turn(self, conversation_id: str, learner_id: str, message: str) -> AsyncIterator[ChatEvent]:
        """Yield the events of one turn, ending in exactly one FinalEvent.

        Raises NotFoundError for a conversation that is not the learner's and
        InvalidInputError for an empty or oversized message, before anything is stored.
        """
        text = check_message(message)
        conversation = self.conversations.get_conversation(conversation_id, learner_id)
        started = time.monotonic()

        self.conversations.add_turn(conversation_id, learner_id, "user", text)
        record = self.records.get(learner_id)
        state = ConversationState.from_json(conversation.goal, conversation.constraints)
        outcome = TurnOutcome()
        toolbox = ToolBox(self.tool_context(learner_id, record, state))

        try:
            if self.llm_turn is None:
                events = self.offline_events(text, record, state, toolbox, outcome)
            else:
                turn = self.turn_input(conversation_id, learner_id, text, record, state)
                events = self.llm_turn.run(turn, toolbox, outcome)
            async with aclosing(events) as stream:
                async for event in stream:
                    yield event

            for citation in outcome.citations:
                yield citation
            outcome.finished = True
            final = self.final_event(outcome, started)
            self.store_turn(conversation_id, learner_id, text, state, toolbox, outcome, final)
            yield final
        except (GeneratorExit, asyncio.CancelledError):
            if not outcome.finished:
                self.store_interrupted(conversation_id, learner_id, text, toolbox, outcome, started)
            raise

    # Turn parts.

    def tool_context(self, learner_id: str, record: LearnerRecord | None, state: ConversationState) -> ToolContext:
        """Bind the tools of a turn to the learner, their record and the conversation state."""
        return ToolContext(
            learner_id=learner_id,
            record=record,
            state=state,
            advising=self.advising,
            catalog=self.catalog,
            record_search=self.record_search(learner_id, record),
        )

    def record_search(self, learner_id: str, record: LearnerRecord | None) -> RecordSearch:
        """Return a search over the learner's own record items: the index when built, else the record."""
        index = self.index

        def search(query: str, limit: int) -> list[RecordItemFound]:
            if index is not None:
                from advisor.index.records import search_record_items

                hits = search_record_items(learner_id, query, limit, index)
                return [RecordItemFound(hit.item_id, hit.item_type, hit.title, hit.similarity) for hit in hits]
            return search_record_in_memory(record, query, limit)

        return search

    def turn_input(
        self, conversation_id: str, learner_id: str, text: str, record: LearnerRecord | None, state: ConversationState
    ) -> TurnInput:
        """Collect the history within its token budgets and the other learners' items for the verifier."""
        turns = self.conversations.list_turns(conversation_id, learner_id)
        complete = [turn for turn in turns if turn.status == "complete"]
        history = fit_history(
            complete,
            self.settings.chat_history_token_budget,
            goal=state.goal_json(),
            constraints=state.constraints_json() or None,
        )
        try:
            brief = fit_history(
                complete,
                min(self.settings.chat_history_token_budget, ENGINE_FIRST_HISTORY_TOKENS),
                goal=state.goal_json(),
                constraints=state.constraints_json() or None,
            )
        except InvalidInputError:
            # A long newest message does not fit the brief budget; the full budget held it.
            brief = history
        return TurnInput(
            learner_id=learner_id,
            message=text,
            record=record,
            state=state,
            history=history.messages(),
            other_learners_items=list(self.records.other_learners_items(learner_id)),
            today=self.today,
            brief_history=brief.messages(),
        )

    async def offline_events(
        self, text: str, record: LearnerRecord | None, state: ConversationState, toolbox: ToolBox, outcome: TurnOutcome
    ) -> AsyncIterator[ChatEvent]:
        """Answer through the grounded responder; check the answer before it is sent.

        The engine's output is stored in the toolbox and sent as a tool result, so the
        exchange record and the client see what the answer may cite.
        """
        grounded = await asyncio.to_thread(self.responder.respond, text, record, state)
        outcome.path = TurnPath.OFFLINE
        outcome.source = "fallback"
        outcome.pathway = grounded.pathway
        yield engine_result_event(toolbox, grounded)

        own = record_refs(record)
        checked = check_answer(
            grounded.text,
            lambda answer: self.verifier.verify(
                answer,
                credential_ids=toolbox.credential_ids,
                record_item_ids=toolbox.record_item_ids | {ref.item_id for ref in own},
                learner_id=record.learner_id if record else "",
                record_items=own,
            ),
        )
        outcome.answer = checked.text
        outcome.citations = grounded.citations if not checked.changed else citations_for(
            self.knowledge, cited_ids(checked.text), toolbox.record_item_ids
        )
        note_check(checked, outcome)
        if not grounded.understood:
            outcome.incidents.append(Incident(kind="not_understood", message="The offline responder did not "
                                              "recognise the message.", detail={"chars": len(text)}))
        if grounded.pathway is not None:
            yield PathwayEvent(pathway=grounded.pathway)

    def final_event(self, outcome: TurnOutcome, started: float) -> FinalEvent:
        """Build the final event of a finished turn."""
        prompt_versions = self.prompts.versions() if self.llm_turn is not None else {}
        return FinalEvent(
            answer=outcome.answer,
            source="llm" if outcome.source == "llm" else "fallback",
            citations=outcome.citations,
            model=outcome.model,
            prompt_versions=prompt_versions,
            usage=outcome.usage,
            latency_ms=int((time.monotonic() - started) * 1000),
            incidents=outcome.incidents,
            replaces_streamed_text=outcome.replaces_streamed_text,
            pathway=outcome.pathway,
        )

    # Storage.

    def store_turn(
        self,
        conversation_id: str,
        learner_id: str,
        text: str,
        state: ConversationState,
        toolbox: ToolBox,
        outcome: TurnOutcome,
        final: FinalEvent,
    ) -> None:
        """Store the answer, the goal and constraints, and the exchange record of a finished turn."""
        exchange = self.exchange(conversation_id, learner_id, text, toolbox, outcome, final.latency_ms)
        self.conversations.finish_turn(exchange, goal=state.goal_json(), constraints=state.constraints_json())
        logger.info(
            "Turn of conversation %s answered by %s in %d ms, verifier %s, %d incidents",
            conversation_id, final.source, final.latency_ms, outcome.verifier_outcome.value, len(outcome.incidents),
        )

    def store_interrupted(
        self, conversation_id: str, learner_id: str, text: str, toolbox: ToolBox, outcome: TurnOutcome, started: float
    ) -> None:
        """Store a turn whose consumer went away: the text sent so far, marked interrupted."""
        partial = outcome.streamed_text or outcome.answer
        content = f"{partial}\n{INTERRUPTED_NOTE}".strip()
        outcome.incidents.append(Incident(kind="interrupted", message="The client stopped reading the answer.",
                                          detail={"streamed_chars": len(outcome.streamed_text)}))
        outcome.answer = content
        latency_ms = int((time.monotonic() - started) * 1000)
        try:
            exchange = self.exchange(conversation_id, learner_id, text, toolbox, outcome, latency_ms)
            self.conversations.finish_turn(exchange, status="interrupted")
        except Exception:
            logger.exception("Storing the interrupted turn of conversation %s failed", conversation_id)
        logger.info("Turn of conversation %s interrupted after %d streamed characters",
                    conversation_id, len(outcome.streamed_text))

    def exchange(
        self, conversation_id: str, learner_id: str, text: str, toolbox: ToolBox, outcome: TurnOutcome, latency_ms: int
    ) -> ExchangeRecord:
        """Return the exchange record of a turn."""
        llm = self.llm_turn is not None
        system = self.prompts.get(outcome.prompt_name or SYSTEM_PROMPT) if llm else None
        return ExchangeRecord(
            conversation_id=conversation_id,
            learner_id=learner_id,
            question=text,
            answer=outcome.answer,
            answer_source="llm" if outcome.source == "llm" else "fallback",
            retrieved=toolbox.retrieved,
            cited_ids=[citation.id for citation in outcome.citations],
            prompt_name=system.name if system else None,
            prompt_version=system.version if system else None,
            prompt_versions=self.prompts.versions() if llm else {},
            model=outcome.model,
            tokens_in=outcome.usage.input_tokens,
            tokens_out=outcome.usage.output_tokens,
            latency_ms=float(latency_ms),
            verifier_outcome=outcome.verifier_outcome,
            verifier_problems=[problem.model_dump(mode="json") for problem in outcome.verifier_problems],
            incidents=outcome.incidents,
            turn_path=outcome.path.value,
        )


def check_message(message: str) -> str:
    """Return the message stripped, or raise InvalidInputError when it is empty or too long."""
    text = (message or "").strip()
    if not text:
        raise InvalidInputError("The message is empty.", value=message, hint="Type a question or a goal.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInputError(
            f"The message has {len(text)} characters, more than the {MAX_MESSAGE_CHARS} allowed.",
            value=len(text),
            hint="Shorten the message, or send a long job posting as a file.",
        )
    return text


def search_record_in_memory(record: LearnerRecord | None, query: str, limit: int) -> list[RecordItemFound]:
    """Match a query against the titles and skills of the learner's own record items."""
    if record is None:
        return []
    key = clean(query)
    items: list[tuple[str, str, str, str]] = []
    for item_type, group in (("achievement", record.achievements), ("degree", record.degrees),
                             ("work_experience", record.work_experience), ("project", record.projects)):
        for item in group:
            items.append((item.id, item_type, item.title, clean(" ".join([item.title, *item.skills]))))
    items += [(item.id, "self_reported_skill", item.name, clean(item.name)) for item in record.self_reported_skills]

    scored = [(fuzz.token_set_ratio(key, text) / 100.0, item_id, item_type, title) for item_id, item_type, title, text in items]
    scored.sort(key=lambda entry: entry[0], reverse=True)
    return [RecordItemFound(item_id, item_type, title, score) for score, item_id, item_type, title in scored[:limit]]
