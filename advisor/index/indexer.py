"""Incremental sync of a collection to a set of documents, and indexing of the knowledge base.

A sync compares content hashes with what Chroma stores, embeds only new or changed texts
(each distinct text once), updates metadata alone where only metadata changed, deletes items
that left the source and reports the counts. Running it twice on the same input changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.domain import KnowledgeBase
from advisor.index.documents import (
    CONTENT_HASH_KEY,
    TEXT_HASH_KEY,
    IndexDocument,
    credential_document,
    credential_title_document,
    occupation_document,
    skill_document,
)
from advisor.index.lexical import READ_PAGE_SIZE, refresh_lexical_index
from advisor.index.store import CollectionKind, IndexStore

logger = logging.getLogger(__name__)

UPSERT_BATCH_SIZE = 256
CATALOG_KINDS = (
    CollectionKind.CREDENTIALS,
    CollectionKind.CREDENTIAL_TITLES,
    CollectionKind.SKILLS,
    CollectionKind.OCCUPATIONS,
)
# The title collection serves only goal relevance, which reads its vectors, so it has no BM25 index.
LEXICAL_KINDS = frozenset(
    {CollectionKind.CREDENTIALS, CollectionKind.SKILLS, CollectionKind.OCCUPATIONS}
)

# Called with the collection kind, the number of documents embedded so far and the total.
ProgressCallback = Callable[[CollectionKind, int, int], None]


@dataclass
class SyncSummary:
    """Outcome of one sync: counts per outcome, the rejected ids and the texts embedded."""

    collection: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[str] = field(default_factory=list)
    embedded_texts: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Return whether the sync wrote or deleted anything."""
        return bool(self.added or self.updated or self.removed)


@dataclass
class SyncPlan:
    """Writes and deletions of one sync, worked out before anything is written."""

    to_embed: list[IndexDocument] = field(default_factory=list)
    metadata_only: list[IndexDocument] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)


def read_hashes(
    store: IndexStore, kind: CollectionKind, scope: Mapping[str, Any] | None
) -> dict[str, tuple[str, str]]:
    """Return id -> (text hash, content hash) of the stored items within ``scope``."""
    collection = store.collection(kind)
    hashes: dict[str, tuple[str, str]] = {}
    offset = 0
    while True:
        page = collection.get(
            where=dict(scope) if scope else None,
            include=["metadatas"],
            limit=READ_PAGE_SIZE,
            offset=offset,
        )
        for item_id, metadata in zip(page["ids"], page["metadatas"] or [], strict=True):
            metadata = metadata or {}
            hashes[item_id] = (
                str(metadata.get(TEXT_HASH_KEY)),
                str(metadata.get(CONTENT_HASH_KEY)),
            )
        if len(page["ids"]) < READ_PAGE_SIZE:
            return hashes
        offset += READ_PAGE_SIZE


def accept_documents(
    documents: list[IndexDocument], summary: SyncSummary
) -> dict[str, IndexDocument]:
    """Key documents by id, rejecting empty texts; a later document replaces an earlier one."""
    accepted: dict[str, IndexDocument] = {}
    for document in documents:
        if document.id in accepted:
            logger.warning(
                "Document id %r appears twice in %s; keeping the later one",
                document.id,
                summary.collection,
            )
        if not document.text.strip():
            summary.rejected.append(document.id)
            accepted.pop(document.id, None)
            continue
        accepted[document.id] = document
    if summary.rejected:
        logger.warning(
            "Rejected %d documents with empty text in %s: %s",
            len(summary.rejected),
            summary.collection,
            summary.rejected[:10],
        )
    return accepted


def plan_sync(
    accepted: Mapping[str, IndexDocument],
    stored: Mapping[str, tuple[str, str]],
    summary: SyncSummary,
) -> SyncPlan:
    """Sort documents into new, changed text, changed metadata, unchanged and removed."""
    plan = SyncPlan()
    for item_id, document in accepted.items():
        previous = stored.get(item_id)
        if previous is None:
            summary.added += 1
            plan.to_embed.append(document)
        elif previous[1] == document.content_hash:
            summary.unchanged += 1
        elif previous[0] == document.text_hash:
            summary.updated += 1
            plan.metadata_only.append(document)
        else:
            summary.updated += 1
            plan.to_embed.append(document)

    plan.to_remove = [item_id for item_id in stored if item_id not in accepted]
    summary.removed = len(plan.to_remove)
    return plan


def embed_and_upsert(
    store: IndexStore,
    kind: CollectionKind,
    documents: list[IndexDocument],
    summary: SyncSummary,
    progress: ProgressCallback | None,
) -> None:
    """Embed each distinct text once, shortest first, and upsert the documents in batches."""
    collection = store.collection(kind)
    by_text: dict[str, list[IndexDocument]] = {}
    for document in documents:
        by_text.setdefault(document.text, []).append(document)

    # Similar lengths in one batch keep the model's padding small.
    texts = sorted(by_text, key=len)
    done = 0
    if progress is not None:
        progress(kind, 0, len(documents))

    for start in range(0, len(texts), UPSERT_BATCH_SIZE):
        batch_texts = texts[start : start + UPSERT_BATCH_SIZE]
        vectors = store.embedding_function.embed_texts(batch_texts)
        summary.embedded_texts += len(batch_texts)

        batch = [
            (document, vector)
            for text, vector in zip(batch_texts, vectors, strict=True)
            for document in by_text[text]
        ]
        collection.upsert(
            ids=[document.id for document, _ in batch],
            embeddings=[vector for _, vector in batch],
            documents=[document.text for document, _ in batch],
            metadatas=[document.stored_metadata() for document, _ in batch],
        )
        done += len(batch)
        if progress is not None:
            progress(kind, done, len(documents))


def write_plan(
    store: IndexStore,
    kind: CollectionKind,
    plan: SyncPlan,
    summary: SyncSummary,
    progress: ProgressCallback | None,
) -> None:
    """Apply a plan: embed and upsert, update metadata, delete what left the source."""
    collection = store.collection(kind)
    embed_and_upsert(store, kind, plan.to_embed, summary, progress)

    for start in range(0, len(plan.metadata_only), UPSERT_BATCH_SIZE):
        batch = plan.metadata_only[start : start + UPSERT_BATCH_SIZE]
        collection.update(ids=[d.id for d in batch], metadatas=[d.stored_metadata() for d in batch])

    for start in range(0, len(plan.to_remove), UPSERT_BATCH_SIZE):
        collection.delete(ids=plan.to_remove[start : start + UPSERT_BATCH_SIZE])


def sync_collection(
    store: IndexStore,
    kind: CollectionKind,
    documents: list[IndexDocument],
    scope: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
) -> SyncSummary:
    """Make the collection hold exactly ``documents`` among the items that match ``scope``.

    Items outside ``scope`` (a Chroma ``where`` filter) are neither read nor removed, which
    is how one learner's record is synced without touching another's.
    """
    started = time.perf_counter()
    summary = SyncSummary(collection=store.collection_name(kind))

    accepted = accept_documents(documents, summary)
    stored = read_hashes(store, kind, scope)
    plan = plan_sync(accepted, stored, summary)
    write_plan(store, kind, plan, summary, progress)

    if summary.changed:
        store.renew_revision(kind)
    if kind in LEXICAL_KINDS and (summary.changed or not lexical_state_exists(store, kind)):
        refresh_lexical_index(store, kind)

    summary.seconds = time.perf_counter() - started
    logger.info(
        "Synced %s: %d added, %d updated, %d unchanged, %d removed, %d rejected in %.1f s",
        summary.collection,
        summary.added,
        summary.updated,
        summary.unchanged,
        summary.removed,
        len(summary.rejected),
        summary.seconds,
    )
    return summary


def lexical_state_exists(store: IndexStore, kind: CollectionKind) -> bool:
    """Return whether a persisted lexical index exists for the collection."""
    return (store.lexical_dir / store.collection_name(kind) / "state.json").is_file()


def knowledge_base_documents(
    knowledge_base: KnowledgeBase,
) -> dict[CollectionKind, list[IndexDocument]]:
    """Turn the knowledge base into the documents of each catalog collection."""
    skills = knowledge_base.skills
    return {
        CollectionKind.CREDENTIALS: [
            credential_document(c, skills) for c in knowledge_base.credentials.values()
        ],
        CollectionKind.CREDENTIAL_TITLES: [
            credential_title_document(c) for c in knowledge_base.credentials.values()
        ],
        CollectionKind.SKILLS: [skill_document(s) for s in skills.values()],
        CollectionKind.OCCUPATIONS: [
            occupation_document(o) for o in knowledge_base.occupations.values()
        ],
    }


def index_knowledge_base(
    knowledge_base: KnowledgeBase,
    store: IndexStore | None = None,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
) -> list[SyncSummary]:
    """Sync the credentials, credential titles, skills and occupations collections to the knowledge base.

    With ``rebuild``, the catalog collections are deleted first, and so is the record-items
    collection if another embedding model built it. Learner records are then re-indexed by
    ``index_record`` as learners return.
    """
    store = store or IndexStore()
    if rebuild:
        for kind in CATALOG_KINDS:
            store.drop(kind)
        if not store.fits_model(CollectionKind.RECORD_ITEMS):
            # NOTE: records live outside the index, so their items come back only when re-indexed.
            logger.warning(
                "Deleting record items built by another embedding model; re-index learner records"
            )
            store.drop(CollectionKind.RECORD_ITEMS)

    documents = knowledge_base_documents(knowledge_base)
    return [
        sync_collection(store, kind, documents[kind], progress=progress) for kind in CATALOG_KINDS
    ]
