"""Conversation memory: conversations, their turns and one exchange record per answer.

Stored through SQLAlchemy 2, in SQLite under the data directory by default and in PostgreSQL
when ``ADVISOR_DATABASE_URL`` names one. Every read and write takes the caller's learner id,
and a conversation of another learner is reported as not found, so its existence never leaks.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from advisor.chat.events import Incident
from advisor.chat.migrations import upgrade
from advisor.config import Settings, get_settings
from advisor.errors import InvalidInputError, NotFoundError

logger = logging.getLogger(__name__)

Role = Literal["user", "assistant"]
TurnStatus = Literal["complete", "interrupted"]


class VerifierOutcome(StrEnum):
    """What the verifier made of an answer."""

    PASSED = "passed"
    REPAIRED = "repaired"
    FAILED = "failed"
    SKIPPED = "skipped"


class Base(DeclarativeBase):
    """Declarative base of the conversation store; the schema itself comes from migrations."""


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(200), index=True)
    goal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    constraints: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TurnRow(Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="complete")


class ExchangeRow(Base):
    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[str] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    answer_source: Mapped[str] = mapped_column(String(20))
    retrieved: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cited_ids: Mapped[list[str]] = mapped_column(JSON)
    prompt_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    prompt_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    prompt_versions: Mapped[dict[str, str]] = mapped_column(JSON)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tokens_in: Mapped[int] = mapped_column(Integer)
    tokens_out: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    verifier_outcome: Mapped[str] = mapped_column(String(20))
    verifier_problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    incidents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    turn_path: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Conversation(BaseModel):
    """A conversation with its learner, goal and constraints, which persist across turns."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    learner_id: str
    goal: dict[str, Any] | None = None
    constraints: dict[str, Any] | None = None
    summary: str | None = Field(default=None, description="Summary of turns too old for the budget.")
    created_at: datetime
    updated_at: datetime


class Turn(BaseModel):
    """One message of a conversation."""

    model_config = ConfigDict(from_attributes=True)

    position: int
    role: Role
    content: str
    created_at: datetime
    status: TurnStatus = Field(default="complete", description="interrupted when the client went away mid-answer.")


class RetrievedItem(BaseModel):
    """An item a tool returned in a turn, with its retrieval or ranking score."""

    id: str
    score: float | None = None
    kind: str | None = Field(default=None, description="credential, record_item, skill, occupation.")


class ExchangeRecord(BaseModel):
    """Everything about one answer, for evaluation, feedback and incident review."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None = None
    conversation_id: str
    learner_id: str
    question: str
    answer: str
    answer_source: Literal["llm", "fallback"]
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    cited_ids: list[str] = Field(default_factory=list)
    prompt_name: str | None = None
    prompt_version: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    model: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    verifier_outcome: VerifierOutcome = VerifierOutcome.SKIPPED
    verifier_problems: list[dict[str, Any]] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
    turn_path: str | None = Field(
        default=None, description="offline, engine_first (engine, then one model request) or tool_loop."
    )
    created_at: datetime | None = None


def as_json_object(value: BaseModel | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return a model or mapping as a plain JSON object."""
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return dict(value)


def now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class ConversationStore:
    """Reads and writes conversations, turns and exchange records."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> "ConversationStore":
        """Connect to ``url``, apply pending migrations and return the store."""
        engine = create_database_engine(url)
        upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def start_conversation(
        self,
        learner_id: str,
        goal: BaseModel | Mapping[str, Any] | None = None,
        constraints: BaseModel | Mapping[str, Any] | None = None,
    ) -> Conversation:
        """Create a conversation for the learner and return it."""
        if not learner_id:
            raise InvalidInputError("A conversation needs a learner id.", value=learner_id)

        stamp = now()
        row = ConversationRow(
            id=str(uuid.uuid4()),
            learner_id=learner_id,
            goal=as_json_object(goal),
            constraints=as_json_object(constraints),
            created_at=stamp,
            updated_at=stamp,
        )
        with self.sessions.begin() as session:
            session.add(row)
        return Conversation.model_validate(row)

    def get_conversation(self, conversation_id: str, learner_id: str) -> Conversation:
        """Return the learner's conversation, or raise NotFoundError."""
        with self.sessions() as session:
            return Conversation.model_validate(self.owned_row(session, conversation_id, learner_id))

    def update_context(
        self,
        conversation_id: str,
        learner_id: str,
        *,
        goal: BaseModel | Mapping[str, Any] | None = None,
        constraints: BaseModel | Mapping[str, Any] | None = None,
        summary: str | None = None,
    ) -> Conversation:
        """Replace the goal, constraints or summary given; the others stay as they were."""
        with self.sessions.begin() as session:
            row = self.owned_row(session, conversation_id, learner_id)
            if goal is not None:
                row.goal = as_json_object(goal)
            if constraints is not None:
                row.constraints = as_json_object(constraints)
            if summary is not None:
                row.summary = summary
            row.updated_at = now()
        return Conversation.model_validate(row)

    def add_turn(
        self, conversation_id: str, learner_id: str, role: Role, content: str, status: TurnStatus = "complete"
    ) -> Turn:
        """Append a message to the learner's conversation and return it."""
        with self.sessions.begin() as session:
            conversation = self.owned_row(session, conversation_id, learner_id)
            last = session.scalar(
                select(func.max(TurnRow.position)).where(TurnRow.conversation_id == conversation_id)
            )
            row = TurnRow(
                conversation_id=conversation_id,
                position=(last or 0) + 1,
                role=role,
                content=content,
                created_at=now(),
                status=status,
            )
            session.add(row)
            conversation.updated_at = row.created_at
        return Turn.model_validate(row)

    def list_turns(self, conversation_id: str, learner_id: str) -> list[Turn]:
        """Return the turns of the learner's conversation, oldest first."""
        with self.sessions() as session:
            self.owned_row(session, conversation_id, learner_id)
            rows = session.scalars(
                select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.position)
            )
            return [Turn.model_validate(row) for row in rows]

    def finish_turn(
        self,
        record: ExchangeRecord,
        *,
        status: TurnStatus = "complete",
        goal: BaseModel | Mapping[str, Any] | None = None,
        constraints: BaseModel | Mapping[str, Any] | None = None,
    ) -> int:
        """Store the answer of a turn, its goal and constraints and its exchange record at once.

        One transaction instead of three, because each commit to a SQLite file waits for the
        disk. Returns the exchange record's id.
        """
        with self.sessions.begin() as session:
            conversation = self.owned_row(session, record.conversation_id, record.learner_id)
            last = session.scalar(
                select(func.max(TurnRow.position)).where(TurnRow.conversation_id == record.conversation_id)
            )
            stamp = now()
            session.add(
                TurnRow(
                    conversation_id=record.conversation_id,
                    position=(last or 0) + 1,
                    role="assistant",
                    content=record.answer,
                    created_at=stamp,
                    status=status,
                )
            )
            if goal is not None:
                conversation.goal = as_json_object(goal)
            if constraints is not None:
                conversation.constraints = as_json_object(constraints)
            conversation.updated_at = stamp

            row = ExchangeRow(**record.model_dump(mode="json", exclude={"id", "created_at"}), created_at=stamp)
            session.add(row)
            session.flush()
            return row.id

    def record_exchange(self, record: ExchangeRecord) -> int:
        """Store an exchange record of the learner's conversation and return its id."""
        with self.sessions.begin() as session:
            self.owned_row(session, record.conversation_id, record.learner_id)
            values = record.model_dump(mode="json", exclude={"id", "created_at"})
            row = ExchangeRow(**values, created_at=now())
            session.add(row)
            session.flush()
            exchange_id = row.id

        logger.debug("Recorded exchange %d of conversation %s", exchange_id, record.conversation_id)
        return exchange_id

    def list_exchanges(self, conversation_id: str, learner_id: str) -> list[ExchangeRecord]:
        """Return the exchange records of the learner's conversation, oldest first."""
        with self.sessions() as session:
            self.owned_row(session, conversation_id, learner_id)
            rows = session.scalars(
                select(ExchangeRow).where(ExchangeRow.conversation_id == conversation_id).order_by(ExchangeRow.id)
            )
            return [ExchangeRecord.model_validate(row) for row in rows]

    def delete_learner(self, learner_id: str) -> int:
        """Delete every conversation of the learner, with its turns and exchanges; return how many."""
        with self.sessions.begin() as session:
            ids = list(session.scalars(select(ConversationRow.id).where(ConversationRow.learner_id == learner_id)))
            if ids:
                # SQLite enforces ON DELETE CASCADE only with a pragma, so children go first.
                session.execute(delete(ExchangeRow).where(ExchangeRow.conversation_id.in_(ids)))
                session.execute(delete(TurnRow).where(TurnRow.conversation_id.in_(ids)))
                session.execute(delete(ConversationRow).where(ConversationRow.id.in_(ids)))
        logger.info("Deleted %d conversations of learner %s", len(ids), learner_id)
        return len(ids)

    @staticmethod
    def owned_row(session: Session, conversation_id: str, learner_id: str) -> ConversationRow:
        """Return the conversation row if it belongs to the learner, else raise NotFoundError."""
        row = session.get(ConversationRow, conversation_id)
        if row is None or row.learner_id != learner_id:
            raise NotFoundError(
                f"No conversation {conversation_id!r} for this learner.",
                value=conversation_id,
                hint="Start a new conversation.",
            )
        return row


def create_database_engine(url: str) -> Engine:
    """Create the engine for ``url``; a SQLite file gets its folder, WAL mode and NORMAL sync.

    In WAL mode readers do not block the writer, and with synchronous=NORMAL a commit does not
    wait for the disk; a power loss can lose the last commits but never corrupts the file
    (SQLite documentation, "Write-Ahead Logging").
    """
    create_sqlite_directory(url)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite" and make_url(url).database not in (None, "", ":memory:"):
        event.listen(engine, "connect", set_sqlite_pragmas)
    return engine


def set_sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Turn on WAL mode and NORMAL synchronisation for a new SQLite connection."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite database file, which SQLite does not do itself."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def open_store(settings: Settings | None = None) -> ConversationStore:
    """Open the configured conversation store, applying pending migrations."""
    settings = settings or get_settings()
    return ConversationStore.from_url(settings.resolved_database_url)
