"""Typed events of one conversation turn, in the order a client renders them.

A turn yields any number of text deltas, tool calls, tool results, pathways and citations, then
exactly one ``FinalEvent``. Every event serialises to JSON with a ``type`` field, so the API can send it
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


class PathwayStepCard(BaseModel):
    """One step of a pathway card: the credential, its hours and cost, the gap skills it closes."""

    order: int
    credential_id: str
    title: str
    provider: str | None = None
    url: str | None = None
    hours: float
    hours_estimated: bool = Field(default=False, description="True when the catalog states no hours.")
    cost: float | None = Field(default=None, description="None when the cost is unknown, which is not free.")
    currency: str | None = None
    closes: list[str] = Field(default_factory=list, description="Labels of the gap skills it raises.")
    closes_skill_ids: list[str] = Field(default_factory=list)


class PathwayCard(BaseModel):
    """A pathway as front ends render it: the goal, the steps in order and the totals."""

    goal_title: str
    occupation_id: str | None = None
    steps: list[PathwayStepCard] = Field(default_factory=list)
    total_hours: float = 0.0
    hours_per_week: float = 0.0
    weeks: int = 0
    known_cost: float = 0.0
    currency: str | None = None
    unknown_cost_ids: list[str] = Field(default_factory=list)
    open_gap_skills: list[str] = Field(default_factory=list, description="Labels of gap skills left open.")
    label: str = Field(default="recommended", description="recommended, cheaper or faster.")


class PathwayEvent(ChatEventBase):
    """A pathway the engine planned in this turn, for rendering as cards."""

    type: Literal["pathway"] = "pathway"
    pathway: PathwayCard


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
    replaces_streamed_text: bool = Field(
        default=False,
        description="True when text deltas were sent and this answer replaces them, because the "
        "model failed mid-answer or its answer did not pass the verifier.",
    )
    pathway: PathwayCard | None = Field(default=None, description="The last pathway of the turn, if any.")
    interrupted: bool = Field(default=False, description="True when the turn was cut off before it ended.")


ChatEvent = Annotated[
    TextDelta | ToolCallEvent | ToolResultEvent | CitationEvent | PathwayEvent | FinalEvent,
    Field(discriminator="type"),
]

CHAT_EVENT_ADAPTER: TypeAdapter[ChatEvent] = TypeAdapter(ChatEvent)


def parse_event(data: str | bytes) -> ChatEvent:
    """Parse one event from its JSON form, as a client of the event stream would."""
    return CHAT_EVENT_ADAPTER.validate_json(data)
