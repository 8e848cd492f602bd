"""Which learners each advisor may see, stored in the service database.

An admin assigns learners to advisors through the admin routes; the advisor routes and every
learner-scoped route read these rows to decide whether an advisor may reach a learner.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, MetaData, String, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

logger = logging.getLogger(__name__)


class AssignmentBase(DeclarativeBase):
    """Declarative base of the API's own tables; migration 0004 of the chat store creates them."""

    metadata = MetaData()


class AssignmentRow(AssignmentBase):
    __tablename__ = "advisor_assignments"

    advisor_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Assignment(BaseModel):
    """A learner assigned to an advisor."""

    model_config = ConfigDict(from_attributes=True)

    advisor_id: str
    learner_id: str
    created_at: datetime


class AssignmentStore:
    """Reads and writes advisor-learner assignments."""

    def __init__(self, engine: Engine) -> None:
        """Use the database of the chat store, whose migrations have created the table."""
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    def assign(self, advisor_id: str, learner_id: str) -> Assignment:
        """Assign the learner to the advisor; assigning twice keeps the first row."""
        with self.sessions.begin() as session:
            row = session.get(AssignmentRow, (advisor_id, learner_id))
            if row is None:
                row = AssignmentRow(advisor_id=advisor_id, learner_id=learner_id, created_at=datetime.now(UTC))
                session.add(row)
                logger.info("Assigned learner %s to advisor %s", learner_id, advisor_id)
        return Assignment.model_validate(row)

    def unassign(self, advisor_id: str, learner_id: str) -> bool:
        """Remove one assignment; return whether it existed."""
        with self.sessions.begin() as session:
            removed = session.execute(
                delete(AssignmentRow).where(
                    AssignmentRow.advisor_id == advisor_id, AssignmentRow.learner_id == learner_id
                )
            ).rowcount
        return bool(removed)

    def is_assigned(self, advisor_id: str, learner_id: str) -> bool:
        """Return whether the learner is assigned to the advisor."""
        with self.sessions() as session:
            return session.get(AssignmentRow, (advisor_id, learner_id)) is not None

    def list(self, advisor_id: str | None = None) -> list[Assignment]:
        """Return the assignments of one advisor, or of every advisor, in a stable order."""
        query = select(AssignmentRow).order_by(AssignmentRow.advisor_id, AssignmentRow.learner_id)
        if advisor_id is not None:
            query = query.where(AssignmentRow.advisor_id == advisor_id)
        with self.sessions() as session:
            return [Assignment.model_validate(row) for row in session.scalars(query)]

    def delete_learner(self, learner_id: str) -> int:
        """Remove every assignment of the learner; return how many."""
        with self.sessions.begin() as session:
            return session.execute(delete(AssignmentRow).where(AssignmentRow.learner_id == learner_id)).rowcount
