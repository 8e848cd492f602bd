"""Metrics of one recommendation against a case's expectations, and their summaries.

Rankings are lists of credential ids, best first. Duplicates count once, at their first
position. Relevance is binary: an id is relevant when it is in the acceptable set.

- recall@k = |relevant ids among the first k| / min(k, |acceptable|), so a perfect list
  scores 1 even when the acceptable set is larger than k (the capped recall of BEIR).
- NDCG@k = DCG@k / IDCG@k with DCG@k = sum over positions i = 1..k of rel_i / log2(i + 1),
  and IDCG@k the DCG of min(k, |acceptable|) relevant ids in a row.
- Both are undefined (None) for an empty acceptable set, and summaries skip None.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence


def unique_ranking(ranking: Iterable[str]) -> list[str]:
    """Return the ranking with repeated ids removed, keeping the first position."""
    return list(dict.fromkeys(ranking))


def recall_at_k(ranking: Sequence[str], acceptable: Iterable[str], k: int) -> float | None:
    """Return the capped recall at ``k``, or None when nothing is acceptable."""
    relevant = set(acceptable)
    if not relevant:
        return None
    found = sum(1 for item in unique_ranking(ranking)[:k] if item in relevant)
    return found / min(k, len(relevant))


def ndcg_at_k(ranking: Sequence[str], acceptable: Iterable[str], k: int) -> float | None:
    """Return binary NDCG at ``k``, or None when nothing is acceptable."""
    relevant = set(acceptable)
    if not relevant:
        return None
    gains = [1.0 if item in relevant else 0.0 for item in unique_ranking(ranking)[:k]]
    dcg = sum(gain / math.log2(position + 2) for position, gain in enumerate(gains))
    ideal = sum(1.0 / math.log2(position + 2) for position in range(min(k, len(relevant))))
    return dcg / ideal


def share(part: int, whole: int) -> float | None:
    """Return part / whole, or None when whole is 0."""
    return part / whole if whole else None


def prerequisite_violations(
    ranking: Sequence[str], prerequisites: dict[str, list[str]], held: Iterable[str]
) -> list[str]:
    """Return a message for each id whose prerequisite credential is neither held nor earlier in the list."""
    done = set(held)
    problems = []
    for item in unique_ranking(ranking):
        missing = [needed for needed in prerequisites.get(item, []) if needed not in done]
        if missing:
            problems.append(f"{item} comes before its prerequisites {', '.join(missing)}")
        done.add(item)
    return problems


def listed_violations(ranking: Sequence[str], forbidden: Iterable[str], reason: str) -> list[str]:
    """Return a message for each id of the ranking that is in ``forbidden``."""
    blocked = set(forbidden)
    return [f"{item} is {reason}" for item in unique_ranking(ranking) if item in blocked]


def objective_ratio(found: tuple[float, float], optimum: tuple[float, float]) -> float | None:
    """Return how close a plan's (coverage, hours) comes to the optimum's, 1.0 meaning optimal.

    The ratio is coverage / optimal coverage; when the coverages are equal it is
    optimal hours / hours, so extra hours lower it. None when the optimum covers nothing.
    """
    coverage, hours = found
    best_coverage, best_hours = optimum
    if best_coverage <= 0:
        return None
    if coverage + 1e-9 < best_coverage:
        return coverage / best_coverage
    if hours <= 0:
        return 1.0
    return min(1.0, best_hours / hours)


def grounding_share(cited: Iterable[str], known: Iterable[str], from_tools: Iterable[str]) -> float | None:
    """Return the share of cited ids that exist and came from tool results, or None without citations."""
    ids = list(dict.fromkeys(cited))
    if not ids:
        return None
    known_ids = set(known)
    tool_ids = set(from_tools)
    return sum(1 for item in ids if item in known_ids and item in tool_ids) / len(ids)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Return the ``fraction`` percentile (0..1) by linear interpolation, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def mean(values: Iterable[float | None]) -> float | None:
    """Return the mean of the values that are not None, or None when there are none."""
    present = [value for value in values if value is not None]
    return statistics.fmean(present) if present else None
