"""Typed events of one conversation turn, in the order a client renders them.

A turn yields any number of text deltas, tool calls, tool results and citations, then exactly
one ``FinalEvent``. Every event serialises to JSON with a ``type`` field, so the API can send it
as one server-sent event and Slack can render it without knowing the chat layer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class ChatEventBase(BaseModel):
    """Fields every event shares."""

    model_config = ConfigDict(frozen=True)


class TextDelta(ChatEventBase):
    """A piece of answer text, to be appended to what came before."""

    type: Literal["text_delta"] = "text_delta"
    text: str


class ToolCallEvent(ChatEventBase):
    """A tool the model asked to run, with its parsed arguments."""

    type: Literal["tool_call"] = "tool_call"
    call_id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultEvent(ChatEventBase):
    """The result of a tool call, with the ids of the catalog and record items it returned."""

    type: Literal["tool_result"] = "tool_result"
    call_id: str
    name: str
    content: Any = None
    ids: list[str] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Error message when the tool failed.")


class CitationEvent(ChatEventBase):
    """An item the answer cites by id."""

    type: Literal["citation"] = "citation"
    id: str
    kind: Literal["credential", "record_item", "skill", "occupation"]
    title: str | None = None


class Usage(BaseModel):
    """Tokens a turn consumed, summed over its model calls."""

    input_tokens: int = 0
    output_tokens: int = 0


class Incident(BaseModel):
    """Something that went wrong in a turn and was handled, for the exchange record and logs."""

    kind: str
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class FinalEvent(ChatEventBase):
    """The end of a turn: the complete answer and how it was produced."""

    type: Literal["final"] = "final"
    answer: str
    source: Literal["llm", "fallback"] = Field(
        description="llm when a chat model phrased the answer, fallback when the grounded "
        "responder did because the model was unavailable or its answer failed the verifier."
    )
    citations: list[CitationEvent] = Field(default_factory=list)
    model: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    latency_ms: int = 0
    incidents: list[Incident] = Field(default_factory=list)


ChatEvent = Annotated[
    TextDelta | ToolCallEvent | ToolResultEvent | CitationEvent | FinalEvent,
    Field(discriminator="type"),
]

CHAT_EVENT_ADAPTER: TypeAdapter[ChatEvent] = TypeAdapter(ChatEvent)


def parse_event(data: str | bytes) -> ChatEvent:
    """Parse one event from its JSON form, as a client of the event stream would."""
    return CHAT_EVENT_ADAPTER.validate_json(data)
