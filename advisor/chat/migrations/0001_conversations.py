"""Create conversations, turns and exchange records."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection


def upgrade(connection: Connection) -> None:
    """Create the three tables of the conversation store."""
    metadata = MetaData()

    Table(
        "conversations",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("learner_id", String(200), nullable=False, index=True),
        Column("goal", JSON, nullable=True),
        Column("constraints", JSON, nullable=True),
        Column("summary", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )

    Table(
        "turns",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("conversation_id", String(36), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("role", String(20), nullable=False),
        Column("content", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("conversation_id", "position", name="uq_turns_conversation_position"),
    )

    Table(
        "exchanges",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("conversation_id", String(36), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("learner_id", String(200), nullable=False, index=True),
        Column("question", Text, nullable=False),
        Column("answer", Text, nullable=False),
        Column("answer_source", String(20), nullable=False),
        Column("retrieved", JSON, nullable=False),
        Column("cited_ids", JSON, nullable=False),
        Column("prompt_name", String(100), nullable=True),
        Column("prompt_version", String(40), nullable=True),
        Column("prompt_versions", JSON, nullable=False),
        Column("model", String(200), nullable=True),
        Column("tokens_in", Integer, nullable=False),
        Column("tokens_out", Integer, nullable=False),
        Column("latency_ms", Float, nullable=False),
        Column("verifier_outcome", String(20), nullable=False),
        Column("verifier_problems", JSON, nullable=False),
        Column("incidents", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )

    metadata.create_all(connection)
