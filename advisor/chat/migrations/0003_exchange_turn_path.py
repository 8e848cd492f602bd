"""Record how each turn was answered: offline, engine first, or through the tool loop."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection


def upgrade(connection: Connection) -> None:
    """Add the nullable turn_path column to exchanges; older rows keep NULL."""
    connection.execute(text("ALTER TABLE exchanges ADD COLUMN turn_path VARCHAR(20)"))
