"""Per-knowledge-base cache of the engine's lookup tables, built once and reused."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from advisor.domain import KnowledgeBase

logger = logging.getLogger(__name__)

T = TypeVar("T")

_CACHE: dict[tuple[int, str], tuple[weakref.ref, tuple[int, int, int], object]] = {}


def fingerprint(kb: KnowledgeBase) -> tuple[int, int, int]:
    """Return the sizes of a knowledge base's three collections."""
    return len(kb.credentials), len(kb.skills), len(kb.occupations)


def cached(kb: KnowledgeBase, name: str, build: Callable[[KnowledgeBase], T]) -> T:
    """Return ``build(kb)``, computed once per knowledge base and table name.

    NOTE: a table is rebuilt only when the number of credentials, skills or occupations
    changes. A caller that edits items in place must build a new KnowledgeBase.
    """
    key = (id(kb), name)
    entry = _CACHE.get(key)
    if entry and entry[0]() is kb and entry[1] == fingerprint(kb):
        return entry[2]  # type: ignore[return-value]

    started = time.perf_counter()
    value = build(kb)
    reference = weakref.ref(kb, lambda dead, stale=key, cache=_CACHE: _drop(cache, stale, dead))
    _CACHE[key] = (reference, fingerprint(kb), value)
    logger.debug("built %s in %.1f ms", name, (time.perf_counter() - started) * 1000)
    return value


def _drop(cache: dict, key: tuple[int, str], dead: weakref.ref) -> None:
    """Remove an entry whose knowledge base was collected, unless a new one took its id."""
    entry = cache.get(key)
    if entry is not None and entry[0] is dead:
        del cache[key]
