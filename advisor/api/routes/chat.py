"""Chat routes: start a conversation, send a message (JSON or event stream), list the turns."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from advisor.api.deps import LearnerDep, ServicesDep
from advisor.api.errors import ApiError, request_id_of
from advisor.api.metrics import Metrics
from advisor.api.schemas import ConversationPublic, MessageCreate, TurnPublic, TurnsPublic
from advisor.api.sse import EventStreamResponse, error_event, format_event
from advisor.chat.events import ChatEvent, FinalEvent
from advisor.config import Settings
from advisor.errors import AdvisorError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/learners/{learner_id}/conversations", tags=["chat"])

STREAM_RESPONSES = {
    200: {
        "description": "Server-sent events: text_delta, tool_call, tool_result, citation and pathway "
        "events, then one final event; an error event replaces the final one if the turn fails.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


def get_metrics(request: Request) -> Metrics:
    """Return the app's metrics."""
    return request.app.state.metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]


def check_message(message: str, settings: Settings) -> None:
    """Raise 422 for a message over the configured length."""
    if len(message) > settings.max_message_chars:
        raise ApiError(
            422,
            "message_too_long",
            f"The message has {len(message)} characters, more than the limit of "
            f"{settings.max_message_chars}. Shorten it or split it into several messages.",
        )


@router.post("", status_code=201)
async def create_conversation(learner: LearnerDep, services: ServicesDep) -> ConversationPublic:
    """Start a conversation for the learner."""
    conversation_id = await run_in_threadpool(services.chat.start_conversation, learner)
    return ConversationPublic(id=conversation_id, learner_id=learner)


@router.post("/{conversation_id}/messages")
async def send_message(
    conversation_id: str, body: MessageCreate, learner: LearnerDep, services: ServicesDep, metrics: MetricsDep
) -> FinalEvent:
    """Send a message and return the whole answer with its citations and pathway."""
    check_message(body.message, services.settings)
    final = await services.chat.answer_turn(conversation_id, learner, body.message)
    metrics.observe_final(final)
    return final


# The default response class stays JSON, so the error responses are documented as JSON.
@router.post("/{conversation_id}/messages/stream", response_model=None, responses=STREAM_RESPONSES)
async def stream_message(
    conversation_id: str,
    body: MessageCreate,
    request: Request,
    learner: LearnerDep,
    services: ServicesDep,
    metrics: MetricsDep,
) -> EventStreamResponse:
    """Send a message and stream the answer as server-sent events."""
    check_message(body.message, services.settings)
    # Checked before streaming, so an unknown conversation is a 404 rather than an error event.
    await run_in_threadpool(services.chat.list_turns, conversation_id, learner)
    stream = services.chat.stream_turn(conversation_id, learner, body.message)
    return EventStreamResponse(event_lines(stream, metrics, request_id_of(request)))


@router.get("/{conversation_id}/turns")
async def list_turns(conversation_id: str, learner: LearnerDep, services: ServicesDep) -> TurnsPublic:
    """List the turns of a conversation, oldest first."""
    turns = await run_in_threadpool(services.chat.list_turns, conversation_id, learner)
    return TurnsPublic(
        conversation_id=conversation_id,
        turns=[TurnPublic.model_validate(turn.model_dump()) for turn in turns],
    )


async def event_lines(
    stream: AsyncIterator[ChatEvent], metrics: Metrics, request_id: str | None
) -> AsyncIterator[str]:
    """Format chat events as server-sent events, ending with an error event if the turn fails."""
    sequence = 0
    try:
        async for event in stream:
            sequence += 1
            if isinstance(event, FinalEvent):
                metrics.observe_final(event)
            yield format_event(event.type, event.model_dump_json(), sequence)
    except AdvisorError as error:
        logger.warning("chat turn failed in request %s: %s", request_id, error)
        yield error_event("chat_failed", str(error), request_id)
    except Exception:
        logger.exception("chat turn failed in request %s", request_id)
        yield error_event(
            "internal_error",
            f"The answer failed. Send the message again; if it keeps failing, report request id {request_id}.",
            request_id,
        )
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
