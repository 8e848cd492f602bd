"""Hybrid search over credentials and skills, and the skill search the engine calls.

Hybrid search runs a dense query in Chroma and a BM25 query over the same documents, then
fuses the two rankings by reciprocal rank fusion. Each id scores the sum of 1 / (k + rank)
over the rankings it appears in, so an item that one method ranks first and the other misses
still surfaces.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.errors import InvalidInputError
from advisor.index.documents import CONTENT_HASH_KEY, TEXT_HASH_KEY, scalar_metadata
from advisor.index.lexical import lexical_index
from advisor.index.store import CollectionKind, IndexStore

logger = logging.getLogger(__name__)

RRF_K = 60
DEFAULT_CANDIDATES = 50
MAX_LIMIT = 1000
FILTER_FIELDS: dict[CollectionKind, frozenset[str]] = {
    CollectionKind.CREDENTIALS: frozenset({"kind", "level", "language", "modality", "provider"}),
    CollectionKind.SKILLS: frozenset({"framework", "skill_type"}),
}


@dataclass(frozen=True)
class SearchHit:
    """One fused result: id, fused score, the rank in each method (1-based, None if absent)."""

    id: str
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse rankings of ids into one list of (id, score), best first; ties keep first-seen order."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item_id in enumerate(ranking, start=1):
            scores[item_id] = scores.get(item_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: pair[1], reverse=True)


def where_clause(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Translate field filters into a Chroma ``where`` clause; a list value means any of them."""
    conditions: list[dict[str, Any]] = []
    for key, value in (filters or {}).items():
        if isinstance(value, (list, tuple, set, frozenset)):
            conditions.append({key: {"$in": list(value)}})
        else:
            conditions.append({key: value})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def searchable_kind(collection: CollectionKind | str) -> CollectionKind:
    """Return the collection kind for a name, accepting only those with hybrid search."""
    try:
        kind = CollectionKind(collection)
    except ValueError:
        kind = None
    if kind not in FILTER_FIELDS:
        choices = ", ".join(sorted(k.value for k in FILTER_FIELDS))
        raise InvalidInputError(
            f"Collection {collection!r} has no hybrid search.",
            value=collection,
            hint=f"Use one of: {choices}.",
        )
    return kind


def normalize_filters(kind: CollectionKind, filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check filter fields against the collection and turn enum values into strings."""
    allowed = FILTER_FIELDS[kind]
    normalized: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if key not in allowed:
            raise InvalidInputError(
                f"Unknown filter field {key!r} for {kind.value}.",
                value=key,
                hint=f"Filter on one of: {', '.join(sorted(allowed))}.",
            )
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            normalized[key] = [scalar_metadata({key: member})[key] for member in value]
        else:
            normalized[key] = scalar_metadata({key: value})[key]
    return normalized


def check_query(query: str, limit: int) -> None:
    """Raise ``InvalidInputError`` for an empty query or a limit out of range."""
    if not query or not query.strip():
        raise InvalidInputError(
            "The search query is empty.", value=query, hint="Give some words to search for."
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(
            f"The result limit must be between 1 and {MAX_LIMIT}.",
            value=limit,
            hint="Pass a smaller limit.",
        )


class HybridSearch:
    """Dense plus BM25 search over the credentials or skills collection, fused by RRF."""

    def __init__(
        self,
        store: IndexStore | None = None,
        candidates: int = DEFAULT_CANDIDATES,
        rrf_k: int = RRF_K,
    ) -> None:
        self.store = store or IndexStore()
        self.candidates = candidates
        self.rrf_k = rrf_k

    def search(
        self,
        query: str,
        collection: CollectionKind | str = CollectionKind.CREDENTIALS,
        limit: int = 10,
        filters: Mapping[str, Any] | None = None,
    ) -> list[SearchHit]:
        """Return up to ``limit`` hits for ``query``, filtered on fields such as ``kind``."""
        check_query(query, limit)
        kind = searchable_kind(collection)
        normalized = normalize_filters(kind, filters)
        depth = max(self.candidates, limit)

        dense_ids = [item_id for item_id, _ in self.dense(kind, query, depth, normalized)]
        lexical_ids = [item_id for item_id, _ in self.lexical(kind, query, depth, normalized)]
        fused = reciprocal_rank_fusion([dense_ids, lexical_ids], self.rrf_k)[:limit]

        dense_ranks = {item_id: rank for rank, item_id in enumerate(dense_ids, start=1)}
        lexical_ranks = {item_id: rank for rank, item_id in enumerate(lexical_ids, start=1)}
        details = self._details(kind, [item_id for item_id, _ in fused])
        return [
            SearchHit(
                id=item_id,
                score=score,
                dense_rank=dense_ranks.get(item_id),
                lexical_rank=lexical_ranks.get(item_id),
                text=details.get(item_id, ("", {}))[0],
                metadata=details.get(item_id, ("", {}))[1],
            )
            for item_id, score in fused
        ]

    def dense(
        self, kind: CollectionKind, query: str, limit: int, filters: Mapping[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Return up to ``limit`` (id, cosine distance) pairs from Chroma, nearest first."""
        collection = self.store.collection(kind)
        vector = self.store.embedding_function.embed_texts([query])[0]
        result = collection.query(
            query_embeddings=[vector],
            n_results=limit,
            where=where_clause(filters),
            include=["distances"],
        )
        return list(zip(result["ids"][0], result["distances"][0], strict=True))

    def lexical(
        self, kind: CollectionKind, query: str, limit: int, filters: Mapping[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Return up to ``limit`` (id, BM25 score) pairs, best first."""
        return lexical_index(self.store, kind).search(query, limit, filters)

    def _details(
        self, kind: CollectionKind, ids: list[str]
    ) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        stored = self.store.collection(kind).get(ids=ids, include=["documents", "metadatas"])
        details: dict[str, tuple[str, dict[str, Any]]] = {}
        for item_id, text, metadata in zip(
            stored["ids"], stored["documents"] or [], stored["metadatas"] or [], strict=True
        ):
            public = {
                k: v
                for k, v in (metadata or {}).items()
                if k not in (TEXT_HASH_KEY, CONTENT_HASH_KEY)
            }
            details[item_id] = (text or "", public)
        return details


class ChromaSkillSearch:
    """The engine's ``SkillSearch`` port over the skills collection, by dense cosine similarity."""

    def __init__(self, store: IndexStore | None = None) -> None:
        self.store = store or IndexStore()

    def nearest_skills(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Return up to ``limit`` (skill id, cosine similarity in [0, 1]) pairs, best first."""
        if not text or not text.strip():
            return []
        check_query(text, limit)

        collection = self.store.collection(CollectionKind.SKILLS)
        vector = self.store.embedding_function.embed_texts([text])[0]
        result = collection.query(query_embeddings=[vector], n_results=limit, include=["distances"])

        # Chroma's cosine distance is 1 - cosine similarity; negative similarities count as 0.
        return [
            (skill_id, min(1.0, max(0.0, 1.0 - float(distance))))
            for skill_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]


# Weight of the title cosine in goal relevance. The full document (title, provider, kind, level,
# skill labels) gets the rest, because long skill lists dilute its vector: "Google Data
# Analytics" scored 0.498 for the goal "data analyst" and ranked 68th on the document alone.
# Tuned on the even cases of evals/personas with the model that built the ~/.advisor index
# (weights 0.3, 0.5, 0.7, 1.0 gave even NDCG@5 0.375, 0.409, 0.426, 0.421).
TITLE_WEIGHT = 0.7


class ChromaCredentialRelevance:
    """Implementation of the engine's ``CredentialRelevance`` port, mixing title and document cosines."""

    def __init__(self, store: IndexStore | None = None, title_weight: float = TITLE_WEIGHT) -> None:
        self.store = store or IndexStore()
        self.title_weight = title_weight

    def relevance(self, goal_text: str, candidate_ids: list[str]) -> dict[str, float]:
        """Return credential id -> similarity in [0, 1] to the goal text, for the ids the index has.

        A credential without a title vector (an index synced before the title collection
        existed) scores by its document cosine alone.
        """
        ids = sorted(set(candidate_ids))
        if not goal_text or not goal_text.strip() or not ids:
            return {}

        query = np.asarray(
            self.store.embedding_function.embed_texts([goal_text])[0], dtype=np.float32
        )
        documents = self.cosines(CollectionKind.CREDENTIALS, query, ids)
        titles = self.cosines(CollectionKind.CREDENTIAL_TITLES, query, list(documents))
        scores = {
            credential_id: self.mix(titles.get(credential_id), document)
            for credential_id, document in documents.items()
        }
        logger.debug("relevance of %d credentials to %r", len(scores), goal_text[:60])
        return scores

    def cosines(self, kind: CollectionKind, query: np.ndarray, ids: list[str]) -> dict[str, float]:
        """Return id -> cosine of the stored vector with ``query``, clipped to [0, 1]."""
        if not ids:
            return {}
        stored = self.store.collection(kind).get(ids=ids, include=["embeddings"])
        if not stored["ids"]:
            return {}

        # The stored vectors and the query are L2-normalised, so the dot product is the cosine.
        similarities = np.asarray(stored["embeddings"], dtype=np.float32) @ query
        return {
            item_id: min(1.0, max(0.0, float(similarity)))
            for item_id, similarity in zip(stored["ids"], similarities, strict=True)
        }

    def mix(self, title: float | None, document: float) -> float:
        """Weight the title and document cosines, or return the document cosine without a title."""
        if title is None:
            return document
        return self.title_weight * title + (1.0 - self.title_weight) * document
