"""Catalog imports of a running app: store them, swap in the new knowledge base, re-index.

An import or removal runs under ``Services.catalog_lock``, so two admins cannot interleave
writes to the imported catalog. The app serves the new knowledge base from the next request,
because the route handlers and the chat service read it from ``Services``. Every change builds
a new KnowledgeBase object, and the engine's caches key on that object, so none is stale.
"""

from __future__ import annotations

import logging
from pathlib import Path

from advisor.api.services import Services
from advisor.chat.advising import Advising
from advisor.chat.catalog_search import build_relevance, build_searches
from advisor.chat.service import ChatService, ServiceParts
from advisor.domain import ImportReport, KnowledgeBase
from advisor.errors import AdvisorError
from advisor.ingest.imported_catalog import (
    CatalogChange,
    ServedCatalog,
    apply_import,
    imported_catalog_path,
    read_catalog_file,
    remove_imported,
)

logger = logging.getLogger(__name__)


def import_catalog_file_into(
    services: Services, path: Path, file_format: str | None
) -> tuple[CatalogChange, ImportReport, bool]:
    """Import a catalog file into the served catalog; return the change, the report and whether it is indexed.

    An import that changes nothing still re-syncs the index when an earlier sync failed.
    """
    with services.catalog_lock:
        result = read_catalog_file(path, file_format, services.knowledge)
        served, change = apply_import(services.catalog, result, imported_catalog_path(services.settings))
        if change.changed:
            indexed = serve_catalog(services, served)
        else:
            indexed = credentials_indexed(services) or sync_credentials_index(services)
    return change, result.report, indexed


def remove_imported_credentials(services: Services, credential_ids: list[str]) -> CatalogChange:
    """Remove imported credentials from the served catalog and the index."""
    with services.catalog_lock:
        served, change = remove_imported(services.catalog, credential_ids, imported_catalog_path(services.settings))
        if change.changed:
            serve_catalog(services, served)
    return change


def serve_catalog(services: Services, served: ServedCatalog) -> bool:
    """Serve a new catalog: swap the knowledge base, rebuild the chat service, sync the index.

    Returns whether the credentials index now matches the served catalog.
    """
    # NOTE: this swaps the catalog of one process only. Other uvicorn workers on the same data
    # directory keep their old knowledge base until they restart.
    services.catalog = served
    services.knowledge = served.knowledge
    services.chat = chat_with_knowledge(services.chat, served.knowledge)
    return sync_credentials_index(services)


def chat_with_knowledge(chat: ChatService, knowledge: KnowledgeBase) -> ChatService:
    """Return a chat service over a new knowledge base that shares the old one's stores and model."""
    catalog, skill_search = build_searches(knowledge, chat.index)
    parts = ServiceParts(
        settings=chat.settings,
        knowledge=knowledge,
        conversations=chat.conversations,
        records=chat.records,
        prompts=chat.prompts,
        provider=chat.provider,
        index=chat.index,
        catalog=catalog,
        advising=Advising(
            knowledge,
            skill_search,
            relevance=build_relevance(chat.index, skill_search),
            today=chat.today,
        ),
    )
    return ChatService(parts)


def sync_credentials_index(services: Services) -> bool:
    """Sync the credentials collection to the served catalog, embedding only new and changed items.

    An unavailable or never built index is left alone, because building it embeds the whole
    shipped catalog, which is the job of ``advisor index``.
    """
    from advisor.index.documents import credential_document
    from advisor.index.indexer import sync_collection
    from advisor.index.store import CollectionKind

    if services.index is None:
        logger.warning("catalog index not open, imported credentials are not searchable until it opens")
        return False
    knowledge = services.knowledge
    try:
        if services.index.collection(CollectionKind.CREDENTIALS).count() == 0:
            logger.warning("catalog index is empty, run 'advisor index' to make imported credentials searchable")
            return False
        documents = [credential_document(item, knowledge.skills) for item in knowledge.credentials.values()]
        sync_collection(services.index, CollectionKind.CREDENTIALS, documents)
    except (AdvisorError, OSError, ValueError, RuntimeError) as error:
        logger.error("re-indexing the credentials after a catalog import failed: %s", error)
        return False
    return True


def credentials_indexed(services: Services) -> bool:
    """Return whether the credentials index holds every imported credential."""
    from advisor.index.store import CollectionKind

    if services.index is None or not services.catalog.imported:
        return services.index is not None
    try:
        stored = services.index.collection(CollectionKind.CREDENTIALS).get(ids=list(services.catalog.imported), include=[])
    except (AdvisorError, OSError, ValueError, RuntimeError) as error:
        logger.warning("reading the credentials index failed: %s", error)
        return False
    return len(stored["ids"]) == len(services.catalog.imported)
