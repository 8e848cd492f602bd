"""Store which learners each advisor may see."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.engine import Connection


def upgrade(connection: Connection) -> None:
    """Create the advisor assignments table, unless an earlier release already created it."""
    metadata = MetaData()
    Table(
        "advisor_assignments",
        metadata,
        Column("advisor_id", String(200), primary_key=True),
        Column("learner_id", String(200), primary_key=True, index=True),
        Column("created_at", DateTime(timezone=True)),
    )
    metadata.create_all(connection, checkfirst=True)
