"""The chat model provider: LangChain's ``ChatOpenAI`` over any OpenAI-compatible server.

One call sends messages (and optionally tool schemas) and ends in exactly one typed outcome,
a ``ModelReply`` or a ``Fault``, never an exception from the network or the server. Streaming
calls yield ``TextDelta`` events first. Deadlines are enforced here with asyncio, so a call
cannot hang: each attempt has an overall deadline (``openai_timeout_seconds``), and a streamed
answer also fails when no chunk arrives for ``openai_stream_chunk_timeout_seconds``, keep-alive
comments included, because those produce no chunk.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field, ValidationError

from advisor.chat.events import TextDelta, Usage
from advisor.chat.faults import Fault, FaultKind, RetryPolicy, classify_error
from advisor.config import Settings, get_settings
from advisor.errors import ConfigurationError

logger = logging.getLogger(__name__)

DEFAULT_TARGET = "api.openai.com"
ARGUMENTS_PREVIEW_CHARS = 200

Sleep = Callable[[float], Awaitable[None]]


class ToolCall(BaseModel):
    """A tool call the model requested, with arguments parsed as a JSON object."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ModelReply(BaseModel):
    """A usable model answer: text, tool calls, or both."""

    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    model: str | None = None
    usage: Usage = Field(default_factory=Usage)
    latency_ms: int = 0
    attempts: int = 1

    def to_message(self) -> AIMessage:
        """Return the assistant message to append to the history before tool results."""
        calls = [{"id": call.id, "name": call.name, "args": call.arguments} for call in self.tool_calls]
        return AIMessage(content=self.text, tool_calls=calls)


class StreamStalled(Exception):
    """No chunk arrived within the per-chunk timeout."""


class DeadlineExceeded(Exception):
    """The attempt ran past its overall deadline."""


def build_chat_model(settings: Settings) -> ChatOpenAI:
    """Build the LangChain chat model from settings, with the client's own retries turned off."""
    if settings.openai_api_key is None:
        raise ConfigurationError(
            "No OpenAI API key is configured.",
            value=None,
            hint="Set ADVISOR_OPENAI_API_KEY, or use the offline responder. A local "
            "OpenAI-compatible server that needs no key accepts any non-empty value.",
        )

    return ChatOpenAI(
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=0,
        stream_usage=True,
        stream_chunk_timeout=None,
        use_responses_api=False,
    )


class ChatProvider:
    """Calls the configured chat model with deadlines, a retry policy and typed outcomes."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        settings = settings or get_settings()
        self.model = build_chat_model(settings)
        self.model_name = settings.openai_model
        self.target = settings.openai_base_url or DEFAULT_TARGET
        self.timeout = settings.openai_timeout_seconds
        self.chunk_timeout = settings.openai_stream_chunk_timeout_seconds
        self.policy = policy or RetryPolicy(
            max_attempts=settings.openai_max_attempts,
            max_total_wait=settings.openai_retry_max_wait_seconds,
        )
        self.sleep = sleep

    async def acomplete(
        self, messages: Sequence[BaseMessage], tools: Sequence[Any] = ()
    ) -> ModelReply | Fault:
        """Send one request without streaming and return the reply or the fault it ended in."""
        outcome: ModelReply | Fault | None = None
        async for item in self.astream(messages, tools, stream=False):
            outcome = item if not isinstance(item, TextDelta) else outcome
        assert outcome is not None
        return outcome

    async def astream(
        self, messages: Sequence[BaseMessage], tools: Sequence[Any] = (), *, stream: bool = True
    ) -> AsyncIterator[TextDelta | ModelReply | Fault]:
        """Yield text deltas as they arrive, then exactly one ModelReply or Fault.

        A failed attempt is retried under the retry policy only while no text has been
        yielded, since text already shown cannot be taken back.
        """
        runnable = self.model.bind_tools(list(tools)) if tools else self.model
        started = time.monotonic()
        attempt = 0
        waited = 0.0

        while True:
            attempt += 1
            emitted = False
            outcome: ModelReply | Fault | None = None
            attempt_started = time.monotonic()

            async with aclosing(self.run_attempt(runnable, messages, stream)) as items:
                async for item in items:
                    if isinstance(item, TextDelta):
                        emitted = True
                        yield item
                    else:
                        outcome = item

            self.log_attempt(outcome, attempt, attempt_started)

            if isinstance(outcome, ModelReply):
                outcome.attempts = attempt
                outcome.latency_ms = elapsed_ms(started)
                yield outcome
                return

            assert outcome is not None
            outcome.attempts = attempt
            delay = None if emitted else self.policy.delay_before_retry(outcome, attempt, waited)
            if delay is None:
                yield outcome
                return

            logger.info(
                "Retrying chat model call after %s in %.2f s (attempt %d of %d)",
                outcome.kind.value, delay, attempt + 1, self.policy.max_attempts,
            )
            await self.sleep(delay)
            waited += delay

    async def run_attempt(
        self, runnable: Any, messages: Sequence[BaseMessage], stream: bool
    ) -> AsyncIterator[TextDelta | ModelReply | Fault]:
        """Run one attempt: yield its text deltas, then its reply or the fault it ended in."""
        try:
            if not stream:
                yield await self.invoke_attempt(runnable, messages)
                return
            async with aclosing(self.stream_attempt(runnable, messages)) as items:
                async for item in items:
                    yield item
        except DeadlineExceeded:
            yield Fault(
                kind=FaultKind.TIMEOUT,
                message=f"The chat model request timed out after {self.timeout:g} seconds.",
            )
        except StreamStalled:
            yield Fault(
                kind=FaultKind.STREAM_STALLED,
                message=f"The response stream sent no chunk for {self.chunk_timeout:g} seconds.",
            )
        except Exception as error:  # noqa: BLE001 - classify_error re-raises what is no fault
            yield classify_error(error)

    async def invoke_attempt(self, runnable: Any, messages: Sequence[BaseMessage]) -> ModelReply | Fault:
        """Send one request without streaming, bounded by the overall deadline."""
        try:
            message = await asyncio.wait_for(runnable.ainvoke(list(messages)), self.timeout)
        except TimeoutError:
            raise DeadlineExceeded from None
        except ValidationError as error:
            return invalid_message_fault(error)
        return reply_from_message(message)

    async def stream_attempt(
        self, runnable: Any, messages: Sequence[BaseMessage]
    ) -> AsyncIterator[TextDelta | ModelReply | Fault]:
        """Stream one request: yield text deltas, then the reply or fault of the whole answer.

        The first chunk may take up to the overall deadline, since the model may think before
        it writes; later chunks must each come within the per-chunk timeout.
        """
        deadline = time.monotonic() + self.timeout
        source = runnable.astream(list(messages)).__aiter__()
        aggregate: AIMessageChunk | None = None

        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeadlineExceeded
                between_chunks = aggregate is not None and self.chunk_timeout < remaining
                wait = self.chunk_timeout if between_chunks else remaining

                try:
                    chunk = await asyncio.wait_for(source.__anext__(), wait)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise (StreamStalled if between_chunks else DeadlineExceeded) from None

                aggregate = chunk if aggregate is None else aggregate + chunk
                if chunk.text:
                    yield TextDelta(text=chunk.text)
        finally:
            await source.aclose()

        if aggregate is None:
            yield Fault(kind=FaultKind.EMPTY_ANSWER, message="The answer stream ended with no chunk.")
            return
        yield reply_from_chunks(aggregate)

    def log_attempt(self, outcome: ModelReply | Fault | None, attempt: int, started: float) -> None:
        """Log one INFO line per request: target, model, status and duration."""
        status = "ok" if isinstance(outcome, ModelReply) else getattr(outcome, "kind", "unknown")
        http_status = getattr(outcome, "status", None)
        logger.info(
            "Chat model call to %s model=%s status=%s http=%s attempt=%d duration_ms=%d",
            self.target, self.model_name, status, http_status, attempt, elapsed_ms(started),
        )


def reply_from_message(message: AIMessage) -> ModelReply | Fault:
    """Turn a complete model message into a reply, or into the fault its content shows."""
    metadata = message.response_metadata or {}
    invalid = [
        {"name": call.get("name"), "arguments": call.get("args"), "error": call.get("error")}
        for call in message.invalid_tool_calls
    ]
    if invalid:
        return malformed_tool_call_fault(invalid)

    calls = [
        ToolCall(id=call.get("id") or f"call_{index}", name=call["name"], arguments=call["args"])
        for index, call in enumerate(message.tool_calls)
    ]
    return finish_reply(message.text, calls, metadata, message.usage_metadata)


def reply_from_chunks(aggregate: AIMessageChunk) -> ModelReply | Fault:
    """Turn the merged chunks of a stream into a reply, parsing tool arguments strictly.

    LangChain parses streamed tool arguments leniently, completing a truncated JSON object, so
    the raw argument strings are parsed again here and a truncated object counts as malformed.
    """
    calls: list[ToolCall] = []
    invalid: list[dict[str, Any]] = []

    for index, chunk in enumerate(aggregate.tool_call_chunks):
        raw = chunk.get("args") or ""
        arguments = parse_arguments(raw)
        if arguments is None or not chunk.get("name"):
            invalid.append({"name": chunk.get("name"), "arguments": raw[:ARGUMENTS_PREVIEW_CHARS]})
            continue
        calls.append(ToolCall(id=chunk.get("id") or f"call_{index}", name=chunk["name"], arguments=arguments))

    if invalid:
        return malformed_tool_call_fault(invalid)
    return finish_reply(aggregate.text, calls, aggregate.response_metadata or {}, aggregate.usage_metadata)


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """Parse tool arguments as a JSON object; return None when they are not one."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def invalid_message_fault(error: ValidationError) -> Fault:
    """Return the fault for a response LangChain could not turn into a message.

    LangChain 1.x parses tool arguments that are valid JSON but no object (``[1, 2]``) and
    then fails to validate the message, so such a response arrives here as a ValidationError.
    """
    fields = sorted({str(item["loc"][0]) for item in error.errors() if item.get("loc")})
    if "tool_calls" in fields:
        return malformed_tool_call_fault([{"name": None, "error": str(error)[:ARGUMENTS_PREVIEW_CHARS]}])
    return Fault(
        kind=FaultKind.INVALID_RESPONSE,
        message=f"The chat model response has invalid fields {fields}.",
        detail={"fields": fields},
    )


def malformed_tool_call_fault(invalid: list[dict[str, Any]]) -> Fault:
    """Return the fault for tool calls whose arguments are no valid JSON object."""
    names = [item.get("name") for item in invalid]
    return Fault(
        kind=FaultKind.MALFORMED_TOOL_CALL,
        message=f"The model sent tool calls with invalid arguments: {names}.",
        detail={"tool_calls": invalid},
    )


def finish_reply(
    text: str, calls: list[ToolCall], metadata: dict[str, Any], usage: Any
) -> ModelReply | Fault:
    """Check the finish reason and the content, and build the reply."""
    finish_reason = metadata.get("finish_reason")
    if finish_reason == "content_filter":
        return Fault(
            kind=FaultKind.CONTENT_FILTERED,
            message="The model's answer was stopped by a content filter.",
            detail={"partial_chars": len(text)},
        )

    if not text.strip() and not calls:
        return Fault(
            kind=FaultKind.EMPTY_ANSWER,
            message="The model returned neither text nor tool calls.",
            detail={"finish_reason": finish_reason},
        )

    return ModelReply(
        text=text,
        tool_calls=calls,
        finish_reason=finish_reason,
        model=metadata.get("model_name"),
        usage=Usage(
            input_tokens=(usage or {}).get("input_tokens", 0),
            output_tokens=(usage or {}).get("output_tokens", 0),
        ),
    )


def elapsed_ms(started: float) -> int:
    """Return the milliseconds since ``started`` on the monotonic clock."""
    return int((time.monotonic() - started) * 1000)


def build_provider(settings: Settings | None = None) -> ChatProvider | None:
    """Return a provider for the configured model, or None when no API key is set."""
    settings = settings or get_settings()
    if settings.openai_api_key is None:
        logger.info("No OpenAI API key configured; answers come from the offline responder")
        return None
    return ChatProvider(settings)
