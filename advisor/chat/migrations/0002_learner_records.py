"""Store learner records, and mark turns that were cut off before they ended."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, text
from sqlalchemy.engine import Connection


def upgrade(connection: Connection) -> None:
    """Create the learner records table and add a status column to turns."""
    metadata = MetaData()

    Table(
        "learner_records",
        metadata,
        Column("learner_id", String(200), primary_key=True),
        Column("record", JSON, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    metadata.create_all(connection)

    # complete: an ordinary turn; interrupted: the client went away before the answer ended.
    connection.execute(text("ALTER TABLE turns ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'complete'"))
