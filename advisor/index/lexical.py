"""Lexical BM25 index of a collection's documents, persisted under the data directory.

The index carries the collection's lexical revision. The indexer renews that revision after
every change and rebuilds the index, and a reader whose copy has another revision rebuilds it
from Chroma, so lexical results never lag behind the collection.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from advisor.errors import InvalidInputError
from advisor.index.store import CollectionKind, IndexStore

logger = logging.getLogger(__name__)

# Keep one-character tokens such as "C" or "R", which name programming languages.
TOKEN_PATTERN = r"(?u)\b\w+\b"
STATE_FILE = "state.json"
READ_PAGE_SIZE = 5000

Filters = Mapping[str, Any]

_cache: dict[Path, tuple[str, LexicalIndex]] = {}


def tokenize(texts: list[str]) -> list[list[str]]:
    """Split texts into lower-case word tokens without English stop words."""
    return bm25s.tokenize(
        texts, token_pattern=TOKEN_PATTERN, stopwords="en", return_ids=False, show_progress=False
    )


def matches(metadata: Mapping[str, Any], filters: Filters | None) -> bool:
    """Return whether metadata meets every filter; a list value accepts any of its members."""
    for key, expected in (filters or {}).items():
        actual = metadata.get(key)
        if isinstance(expected, (list, tuple, set, frozenset)):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True


@dataclass
class LexicalIndex:
    """BM25 scores over a collection's documents, with their ids and metadata for filtering."""

    ids: list[str]
    metadatas: list[dict[str, Any]]
    bm25: bm25s.BM25 | None

    @classmethod
    def build(
        cls, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]]
    ) -> LexicalIndex:
        """Index texts with BM25; an empty corpus gives an index that finds nothing."""
        if not ids:
            return cls([], [], None)
        bm25 = bm25s.BM25()
        bm25.index(tokenize(texts), show_progress=False)
        return cls(list(ids), list(metadatas), bm25)

    def search(
        self, query: str, limit: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """Return up to ``limit`` (id, BM25 score) pairs with a positive score, best first."""
        if self.bm25 is None:
            return []
        vocabulary = self.bm25.vocab_dict
        tokens = [token for token in tokenize([query])[0] if token in vocabulary]
        if not tokens:
            return []

        scores = np.asarray(self.bm25.get_scores(tokens), dtype=np.float64)
        if filters:
            allowed = np.fromiter((matches(m, filters) for m in self.metadatas), dtype=bool)
            scores = np.where(allowed, scores, 0.0)

        candidates = np.flatnonzero(scores > 0)
        best = candidates[np.argsort(-scores[candidates], kind="stable")][:limit]
        return [(self.ids[i], float(scores[i])) for i in best]

    def save(self, directory: Path, revision: str) -> None:
        """Write the index to ``directory``, replacing any older copy."""
        staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(staging), show_progress=False)
        state = {"revision": revision, "ids": self.ids, "metadatas": self.metadatas}
        (staging / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")

        shutil.rmtree(directory, ignore_errors=True)
        staging.rename(directory)

    @classmethod
    def load(cls, directory: Path) -> tuple[str, LexicalIndex] | None:
        """Read an index and its revision from ``directory``, or return None if it is unreadable."""
        state_path = directory / STATE_FILE
        if not state_path.is_file():
            return None
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
            bm25 = bm25s.BM25.load(str(directory), show_progress=False) if state["ids"] else None
        except (OSError, ValueError, KeyError) as error:
            logger.warning("Ignoring unreadable lexical index %s: %s", directory, error)
            return None
        return str(state["revision"]), cls(state["ids"], state["metadatas"], bm25)


def read_collection(store: IndexStore, kind: CollectionKind) -> LexicalIndex:
    """Build a lexical index from every document stored in a catalog collection."""
    # One index over every learner's items would break the per-learner filter, so none is built.
    if kind == CollectionKind.RECORD_ITEMS:
        raise InvalidInputError(
            "Record items have no lexical index.",
            value=kind.value,
            hint="Search record items with search_record_items(learner_id, query, limit).",
        )
    collection = store.collection(kind)
    ids: list[str] = []
    texts: list[str] = []
    metadatas: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = collection.get(
            include=["documents", "metadatas"], limit=READ_PAGE_SIZE, offset=offset
        )
        ids.extend(page["ids"])
        texts.extend(page["documents"] or [])
        metadatas.extend(dict(m or {}) for m in page["metadatas"] or [])
        if len(page["ids"]) < READ_PAGE_SIZE:
            break
        offset += READ_PAGE_SIZE
    return LexicalIndex.build(ids, texts, metadatas)


def refresh_lexical_index(store: IndexStore, kind: CollectionKind) -> LexicalIndex:
    """Rebuild a collection's lexical index from Chroma and persist it at the current revision."""
    revision = store.revision(kind)
    index = read_collection(store, kind)
    directory = store.lexical_dir / store.collection_name(kind)
    index.save(directory, revision)
    _cache[directory] = (revision, index)
    logger.info("Built lexical index of %s at revision %s", directory.name, revision)
    return index


def lexical_index(store: IndexStore, kind: CollectionKind) -> LexicalIndex:
    """Return the collection's lexical index at its current revision, loading or rebuilding it."""
    if kind == CollectionKind.RECORD_ITEMS:
        return read_collection(store, kind)
    revision = store.revision(kind)
    directory = store.lexical_dir / store.collection_name(kind)

    cached = _cache.get(directory)
    if cached is not None and cached[0] == revision:
        return cached[1]

    loaded = LexicalIndex.load(directory)
    if loaded is not None and loaded[0] == revision:
        _cache[directory] = loaded
        return loaded[1]

    return refresh_lexical_index(store, kind)
