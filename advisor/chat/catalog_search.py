"""Catalog search for the chat tools and the offline responder, with or without the index.

With a built credentials index the search is the index's hybrid search (dense plus BM25).
Without one it falls back to fuzzy word matching over titles, providers and skill labels in
memory, so the offline responder still finds credentials by name on a fresh install.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rapidfuzz import fuzz, process

from advisor.config import Settings
from advisor.domain import KnowledgeBase
from advisor.engine.normalize import clean
from advisor.engine.ports import CredentialRelevance, SkillSearch
from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from advisor.index.store import IndexStore

logger = logging.getLogger(__name__)

FUZZY_CUTOFF = 60.0


@dataclass(frozen=True)
class CatalogHit:
    """A credential found for a query, with a score in [0, 1] that is higher for a better match."""

    id: str
    score: float


class CatalogSearch(Protocol):
    """Credentials matching a free-text query, best first."""

    def search(self, query: str, limit: int = 5, kind: str | None = None) -> list[CatalogHit]:
        """Return up to ``limit`` credentials for ``query``, of one kind when ``kind`` is given."""
        ...


class TitleSearch:
    """Fuzzy word matching over each credential's title, provider and skill labels."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self.ids = list(knowledge.credentials)
        self.texts = [self.describe(credential_id) for credential_id in self.ids]

    def describe(self, credential_id: str) -> str:
        """Return the folded text a credential is matched on."""
        credential = self.knowledge.credentials[credential_id]
        labels = [
            self.knowledge.skills[item.skill_id].label
            for item in credential.skills
            if item.skill_id in self.knowledge.skills
        ]
        return clean(" ".join([credential.title, credential.provider or "", *labels]))

    def search(self, query: str, limit: int = 5, kind: str | None = None) -> list[CatalogHit]:
        """Return up to ``limit`` credentials whose words best match the query."""
        key = clean(query)
        if not key:
            return []
        found = process.extract(
            key, self.texts, scorer=fuzz.token_set_ratio, score_cutoff=FUZZY_CUTOFF, limit=limit * 4 + 20
        )
        hits = []
        for _text, score, position in found:
            credential_id = self.ids[position]
            if kind and self.knowledge.credentials[credential_id].kind.value != kind:
                continue
            # Among equal word matches, prefer a title close to the whole query.
            title_score = fuzz.ratio(key, clean(self.knowledge.credentials[credential_id].title))
            hits.append(CatalogHit(credential_id, round((0.7 * score + 0.3 * title_score) / 100.0, 4)))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]


class IndexCatalogSearch:
    """The index's hybrid search, keeping only credentials of the loaded knowledge base."""

    def __init__(self, store: IndexStore, knowledge: KnowledgeBase) -> None:
        from advisor.index.search import HybridSearch

        self.hybrid = HybridSearch(store)
        self.knowledge = knowledge

    def search(self, query: str, limit: int = 5, kind: str | None = None) -> list[CatalogHit]:
        """Return up to ``limit`` credentials by fused dense and BM25 rank."""
        if not query.strip():
            return []
        filters = {"kind": kind} if kind else None
        hits = self.hybrid.search(query, limit=limit, filters=filters)
        return [
            CatalogHit(hit.id, round(hit.score, 6)) for hit in hits if hit.id in self.knowledge.credentials
        ]


def open_index(settings: Settings) -> IndexStore | None:
    """Return the configured index when its credentials collection is built, else None."""
    if settings.chroma_mode == "persistent" and not settings.chroma_path.is_dir():
        return None
    try:
        from advisor.index.store import CollectionKind, IndexStore

        store = IndexStore(settings)
        if not store.revision(CollectionKind.CREDENTIALS) or not store.fits_model(CollectionKind.CREDENTIALS):
            return None
        if store.collection(CollectionKind.CREDENTIALS).count() == 0:
            return None
        return store
    except (AdvisorError, OSError, ValueError, RuntimeError) as error:
        logger.warning("The index is unavailable, so catalog search matches words in memory: %s", error)
        return None


def build_searches(
    knowledge: KnowledgeBase, store: IndexStore | None
) -> tuple[CatalogSearch, SkillSearch | None]:
    """Return the catalog search and the engine's skill search over ``store``, or in-memory ones."""
    if store is None:
        return TitleSearch(knowledge), None

    from advisor.index.search import ChromaSkillSearch
    from advisor.index.store import CollectionKind

    skill_search = ChromaSkillSearch(store) if skills_index_built(store) else None
    return IndexCatalogSearch(store, knowledge), skill_search


def skills_index_built(store: IndexStore) -> bool:
    """Return whether the skills collection is built for the configured embedding model and not empty."""
    from advisor.index.store import CollectionKind

    try:
        if not store.revision(CollectionKind.SKILLS) or not store.fits_model(CollectionKind.SKILLS):
            return False
        return store.collection(CollectionKind.SKILLS).count() > 0
    except (AdvisorError, OSError, ValueError, RuntimeError) as error:
        logger.warning("The skills index is unavailable, so skills are matched by label: %s", error)
        return False


def build_relevance(store: IndexStore | None, skill_search: SkillSearch | None) -> CredentialRelevance | None:
    """Return the credentials index as the engine's relevance port beside a skills index, else None.

    The conditions match ``advisor recommend``, so a conversation and the command plan the
    same pathway for the same record, goal and constraints.
    """
    if store is None or skill_search is None:
        return None
    try:
        from advisor.index.search import ChromaCredentialRelevance
        from advisor.index.store import CollectionKind

        if store.collection(CollectionKind.CREDENTIALS).count() == 0 or not store.fits_model(CollectionKind.CREDENTIALS):
            return None
        return ChromaCredentialRelevance(store)
    except (AdvisorError, OSError, ValueError, RuntimeError) as error:
        logger.warning("The credentials index is unavailable, so plans are made without relevance: %s", error)
        return None
