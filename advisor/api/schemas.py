"""Request and response bodies of the API, named by role: ``*Create`` in, ``*Public`` out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from advisor.domain import Constraints, Goal, ImportReport, LearnerProfile, Rejection


def as_utc(value: datetime) -> datetime:
    """Return the time with UTC attached when it has no zone, as SQLite returns stored times."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]


class ConversationPublic(BaseModel):
    """A conversation the caller can send messages to."""

    id: str
    learner_id: str


class MessageCreate(BaseModel):
    """A chat message from the learner, or from an advisor on the learner's behalf."""

    message: str = Field(min_length=1, description="The message text; the server limit is ADVISOR_MAX_MESSAGE_CHARS.")


class TurnPublic(BaseModel):
    """One message of a conversation."""

    position: int
    role: str = Field(description="user or assistant.")
    content: str
    created_at: UtcDatetime
    status: str = Field(default="complete", description="complete, or interrupted when the client left mid-answer.")


class TurnsPublic(BaseModel):
    """The turns of a conversation, oldest first."""

    conversation_id: str
    turns: list[TurnPublic]


class RecordImportPublic(BaseModel):
    """The report of a record upload: what was kept and every item that was rejected."""

    learner_id: str
    format: str | None = Field(default=None, description="Detected format, such as openbadges-3.0 or clr-2.0.")
    accepted: int
    rejected: list[Rejection] = Field(default_factory=list)
    warnings: list[Rejection] = Field(default_factory=list)


class ProfilePublic(BaseModel):
    """A learner's skill profile, each skill with the record items that evidence it."""

    learner_id: str
    has_record: bool = Field(description="False for a learner with no uploaded record: a cold start.")
    profile: LearnerProfile


class DeletionPublic(BaseModel):
    """Result of deleting a learner's data."""

    learner_id: str
    record_deleted: bool = Field(description="Whether a stored record existed.")
    assignments_removed: int


class AdviceCreate(BaseModel):
    """A goal and constraints to plan a pathway for, from the learner's stored record."""

    goal: str | Goal = Field(
        description="A Goal object, or text: an occupation (id, ESCO URI, O*NET code or title), a job "
        "posting, or a skill list such as 'python:3, sql'; prefix 'occupation:', 'posting:' or "
        "'skills:' to force the kind."
    )
    constraints: Constraints = Field(default_factory=Constraints)
    alternatives: bool = Field(default=False, description="Also look for a cheaper and a faster pathway.")


class CatalogHitPublic(BaseModel):
    """A credential found by catalog search."""

    id: str
    title: str
    provider: str | None = None
    kind: str | None = None
    url: str | None = None
    hours: float | None = None
    cost: float | None = Field(default=None, description="None when the cost is unknown, which is not free.")
    currency: str | None = None
    score: float = Field(description="Reciprocal rank fusion score of the dense and lexical rankings.")


class CatalogSearchPublic(BaseModel):
    """Catalog search results, best first."""

    query: str
    hits: list[CatalogHitPublic]


class CatalogImportCounts(BaseModel):
    """How many credentials an import added, updated, left unchanged and rejected."""

    added: int
    updated: int
    unchanged: int
    rejected: int


class CatalogImportPublic(ImportReport):
    """The report of a catalog import, with the counts and ids of what changed in the served catalog."""

    counts: CatalogImportCounts
    added_ids: list[str] = Field(default_factory=list)
    updated_ids: list[str] = Field(default_factory=list)
    indexed: bool = Field(description="Whether catalog search already finds the imported credentials.")


class AssignmentCreate(BaseModel):
    """An assignment of a learner to an advisor."""

    advisor_id: str = Field(min_length=1, max_length=200)
    learner_id: str = Field(min_length=1, max_length=200)


class AssignmentPublic(BaseModel):
    """A learner assigned to an advisor."""

    advisor_id: str
    learner_id: str
    created_at: UtcDatetime


class AssignedLearnerPublic(BaseModel):
    """A learner assigned to the calling advisor."""

    learner_id: str
    name: str | None = None
    has_record: bool
    assigned_at: UtcDatetime


class HealthPublic(BaseModel):
    """Liveness or readiness, with the checks behind it."""

    status: str = Field(description="ok, or unavailable with the failed checks.")
    checks: dict[str, str] = Field(default_factory=dict)
