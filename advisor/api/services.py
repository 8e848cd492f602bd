"""What the app loads once at startup and shares between requests."""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.api.assignments import AssignmentStore
from advisor.api.limits import RateLimiter
from advisor.config import Settings
from advisor.domain import KnowledgeBase
from advisor.ingest.imported_catalog import ServedCatalog, load_served_knowledge_base

if TYPE_CHECKING:
    from advisor.chat.record_store import RecordStore
    from advisor.chat.service import ChatService
    from advisor.index.search import ChromaSkillSearch, HybridSearch
    from advisor.index.store import IndexStore

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """The knowledge base, index, stores and chat service of one app.

    ``knowledge`` is ``catalog.knowledge``: the shipped knowledge base plus imported credentials.
    An import replaces both under ``catalog_lock`` (see advisor/api/catalog_admin.py).
    """

    settings: Settings
    catalog: ServedCatalog
    knowledge: KnowledgeBase
    index: IndexStore | None
    search: HybridSearch | None
    skill_search: ChromaSkillSearch | None
    records: RecordStore
    assignments: AssignmentStore
    chat: ChatService
    limiter: RateLimiter
    catalog_lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        """Release database connections."""
        self.records.engine.dispose()


def load_services(settings: Settings) -> Services:
    """Load the knowledge base, open the index and the database, and build the chat service."""
    from advisor.chat.service import ChatService

    started = time.perf_counter()
    catalog, _reports = load_served_knowledge_base(settings)
    knowledge = catalog.knowledge
    index, search, skill_search = open_index(settings)
    # The chat service owns the record store, so uploads and chat turns see one database and index.
    chat = ChatService.create(settings, knowledge, index=index)
    records = chat.records
    assignments = AssignmentStore(records.engine)

    # The knowledge base is a few hundred thousand long-lived objects; moving them out of the
    # collector's reach avoids full collections that pause a request for about 0.4 s.
    gc.freeze()
    logger.info(
        "loaded %d credentials (%d imported), %d skills and %d occupations from %s in %.1f s; catalog index %s",
        len(knowledge.credentials),
        len(catalog.imported),
        len(knowledge.skills),
        len(knowledge.occupations),
        settings.knowledge_base_dir,
        time.perf_counter() - started,
        "open" if search is not None else "unavailable",
    )
    return Services(
        settings=settings,
        catalog=catalog,
        knowledge=knowledge,
        index=index,
        search=search,
        skill_search=skill_search,
        records=records,
        assignments=assignments,
        chat=chat,
        limiter=RateLimiter(settings.rate_limit_per_minute),
    )


def open_index(settings: Settings) -> tuple[IndexStore | None, HybridSearch | None, ChromaSkillSearch | None]:
    """Open the Chroma index; return Nones when it cannot be opened, so the rest still serves."""
    from advisor.errors import AdvisorError
    from advisor.index.search import ChromaSkillSearch, HybridSearch
    from advisor.index.store import CollectionKind, IndexStore

    try:
        store = IndexStore(settings)
        skills_built = store.fits_model(CollectionKind.SKILLS) and store.collection(CollectionKind.SKILLS).count() > 0
    except (AdvisorError, OSError, ValueError, RuntimeError) as error:
        logger.warning("catalog index unavailable, search answers 503 until it opens: %s", error)
        return None, None, None
    skill_search = ChromaSkillSearch(store) if skills_built else None
    return store, HybridSearch(store), skill_search
