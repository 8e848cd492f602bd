"""Learner-record items in the index, always read and written for one learner at a time.

Every function here takes the learner id as a required argument and filters on it, so no
call can return or change another learner's items.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from advisor.domain import LearnerRecord
from advisor.errors import InvalidInputError
from advisor.index.documents import record_documents
from advisor.index.indexer import SyncSummary, sync_collection
from advisor.index.search import check_query
from advisor.index.store import CollectionKind, IndexStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordItemHit:
    """A record item found for a learner, with its cosine similarity to the query."""

    item_id: str
    item_type: str
    title: str
    text: str
    similarity: float


def learner_scope(learner_id: str) -> dict[str, str]:
    """Return the Chroma filter on one learner, rejecting an empty learner id."""
    if not isinstance(learner_id, str) or not learner_id.strip():
        raise InvalidInputError(
            "A learner id is required to read or write record items.",
            value=learner_id,
            hint="Pass the id of the authenticated learner.",
        )
    return {"learner_id": learner_id}


def index_record(record: LearnerRecord, store: IndexStore | None = None) -> SyncSummary:
    """Sync the index to one learner's record, leaving every other learner's items alone."""
    store = store or IndexStore()
    scope = learner_scope(record.learner_id)
    return sync_collection(
        store, CollectionKind.RECORD_ITEMS, record_documents(record), scope=scope
    )


def delete_learner(learner_id: str, store: IndexStore | None = None) -> int:
    """Delete every indexed item of one learner and return how many there were."""
    store = store or IndexStore()
    scope = learner_scope(learner_id)
    collection = store.collection(CollectionKind.RECORD_ITEMS)

    ids = collection.get(where=scope, include=[])["ids"]
    if ids:
        collection.delete(ids=ids)
    logger.info("Deleted %d record items of learner %s", len(ids), learner_id)
    return len(ids)


def search_record_items(
    learner_id: str, query: str, limit: int = 5, store: IndexStore | None = None
) -> list[RecordItemHit]:
    """Return up to ``limit`` of the learner's own record items nearest to ``query``."""
    scope = learner_scope(learner_id)
    check_query(query, limit)
    store = store or IndexStore()
    collection = store.collection(CollectionKind.RECORD_ITEMS)

    vector = store.embedding_function.embed_texts([query])[0]
    result = collection.query(
        query_embeddings=[vector],
        n_results=limit,
        where=scope,
        include=["documents", "metadatas", "distances"],
    )

    hits: list[RecordItemHit] = []
    rows = zip(result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True)
    for text, metadata, distance in rows:
        metadata = metadata or {}
        # The filter above already holds; this guards the promise if a filter is ever dropped.
        if metadata.get("learner_id") != learner_id:
            continue
        hits.append(
            RecordItemHit(
                item_id=str(metadata.get("item_id", "")),
                item_type=str(metadata.get("item_type", "")),
                title=str(metadata.get("title", "")),
                text=text or "",
                similarity=min(1.0, max(0.0, 1.0 - float(distance))),
            )
        )
    return hits
