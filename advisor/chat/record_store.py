"""Learner records in the conversation database, kept in step with the record-item index.

A record is stored whole as JSON under its learner id. Saving replaces the learner's record
and re-indexes its items; deleting removes the record, its indexed items and every
conversation of the learner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, String, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from advisor.chat.memory import Base, ConversationStore, create_database_engine
from advisor.chat.migrations import upgrade
from advisor.chat.verifier import RecordItemRef
from advisor.config import Settings, get_settings
from advisor.domain import LearnerRecord
from advisor.errors import AdvisorError, InvalidInputError

if TYPE_CHECKING:
    from advisor.index.store import IndexStore

logger = logging.getLogger(__name__)

IndexFactory = Callable[[], "IndexStore | None"]


class LearnerRecordRow(Base):
    __tablename__ = "learner_records"

    learner_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def record_item_refs(record: LearnerRecord) -> list[RecordItemRef]:
    """Return a verifier reference for every item of a record."""
    groups = (record.achievements, record.degrees, record.work_experience, record.projects)
    refs = [RecordItemRef(record.learner_id, item.id, item.title) for group in groups for item in group]
    refs += [RecordItemRef(record.learner_id, item.id, item.name) for item in record.self_reported_skills]
    return refs


def default_index(settings: Settings) -> IndexFactory:
    """Return a factory that opens the configured index once, on first use."""
    opened: list[IndexStore] = []

    def factory() -> IndexStore:
        if not opened:
            from advisor.index.store import IndexStore

            opened.append(IndexStore(settings))
        return opened[0]

    return factory


class RecordStore:
    """Reads, replaces and deletes learner records, one learner at a time."""

    def __init__(
        self,
        engine: Engine,
        index: IndexFactory | None = None,
        conversations: ConversationStore | None = None,
    ) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.index = index or (lambda: None)
        self.conversations = conversations or ConversationStore(engine)

    def save(self, record: LearnerRecord) -> None:
        """Replace the learner's record and re-index its items.

        The record is stored even when indexing fails, because record search falls back to the
        stored record; the failure is logged at WARNING.
        """
        if not record.learner_id.strip():
            raise InvalidInputError("A record needs a learner id.", value=record.learner_id)

        with self.sessions.begin() as session:
            row = session.get(LearnerRecordRow, record.learner_id)
            data = record.model_dump(mode="json")
            if row is None:
                session.add(LearnerRecordRow(learner_id=record.learner_id, record=data, updated_at=now()))
            else:
                row.record = data
                row.updated_at = now()

        self.reindex(record)
        logger.info("Saved the record of learner %s with %d items", record.learner_id, len(record.item_ids()))

    def reindex(self, record: LearnerRecord) -> None:
        """Sync the record-item index to the record, logging a failure instead of raising it."""
        try:
            store = self.index()
            if store is None:
                return
            from advisor.index.records import index_record

            index_record(record, store)
        except (AdvisorError, OSError, ValueError, RuntimeError) as error:
            logger.warning("Indexing the record of learner %s failed: %s", record.learner_id, error)

    def get(self, learner_id: str) -> LearnerRecord | None:
        """Return the learner's record, or None when none was saved."""
        with self.sessions() as session:
            row = session.get(LearnerRecordRow, learner_id)
            return None if row is None else LearnerRecord.model_validate(row.record)

    def delete(self, learner_id: str) -> bool:
        """Delete the learner's record, indexed items and conversations; return whether a record existed."""
        with self.sessions.begin() as session:
            existed = session.execute(
                delete(LearnerRecordRow).where(LearnerRecordRow.learner_id == learner_id)
            ).rowcount
        self.conversations.delete_learner(learner_id)

        try:
            store = self.index()
            if store is not None:
                from advisor.index.records import delete_learner

                delete_learner(learner_id, store)
        except (AdvisorError, OSError, ValueError, RuntimeError) as error:
            logger.warning("Deleting the indexed items of learner %s failed: %s", learner_id, error)

        logger.info("Deleted the data of learner %s (record existed: %s)", learner_id, bool(existed))
        return bool(existed)

    def other_learners_items(self, learner_id: str) -> Iterator[RecordItemRef]:
        """Yield references to the items of every other learner's record, for the verifier.

        NOTE: this reads every stored record; past some thousands of learners it wants an
        index of item titles instead.
        """
        with self.sessions() as session:
            rows = session.scalars(select(LearnerRecordRow).where(LearnerRecordRow.learner_id != learner_id))
            for row in rows:
                yield from record_item_refs(LearnerRecord.model_validate(row.record))


def now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def open_record_store(settings: Settings | None = None) -> RecordStore:
    """Open the record store in the configured database, applying pending migrations."""
    settings = settings or get_settings()
    engine = create_database_engine(settings.resolved_database_url)
    upgrade(engine)
    return RecordStore(engine, default_index(settings))
