"""Measure indexing throughput against the embedding model alone, and the cost of a no-op re-index.

Run from the repository root:

    python benchmarks/bench_index.py [--knowledge-base DIR] [--limit N]

It prints, for the catalog collections (credentials, skills, occupations):

- raw model throughput: texts per second of the ONNX model embedding the same texts, with no
  Chroma, hashing or lexical index;
- cold index throughput: items per second of ``index_knowledge_base`` into an empty data dir,
  and its ratio to the raw figure (goal: at least 0.8);
- warm re-index time of the unchanged catalog, and its ratio to the cold time (goal: at most 0.02).

Each figure is given in wall time and in the CPU time of this process (all its threads). On a
machine shared with other work, the CPU-time ratios are the steadier ones. Each run uses a
fresh temporary data directory, deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from advisor.config import Settings, default_knowledge_base_dir
from advisor.domain import KnowledgeBase
from advisor.index.embeddings import MiniLMOnnxEmbeddingFunction, available_cores
from advisor.index.indexer import index_knowledge_base, knowledge_base_documents
from advisor.index.store import IndexStore
from advisor.ingest.knowledge_base import load_knowledge_base


def parse_arguments() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--knowledge-base",
        type=Path,
        default=default_knowledge_base_dir(),
        help="Folder with credentials.jsonl, skills.jsonl and occupations.jsonl.",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="Use at most this many items of each collection."
    )
    return parser.parse_args()


def take_subset(knowledge_base: KnowledgeBase, limit: int | None) -> KnowledgeBase:
    """Keep the first ``limit`` items of each collection, in file order.

    Credential texts then name only the skills that were kept, so they are shorter than in
    the full catalog.
    """
    if limit is None:
        return knowledge_base
    return KnowledgeBase(
        credentials=dict(list(knowledge_base.credentials.items())[:limit]),
        skills=dict(list(knowledge_base.skills.items())[:limit]),
        occupations=dict(list(knowledge_base.occupations.items())[:limit]),
    )


@dataclass(frozen=True)
class Timing:
    """Wall-clock and process CPU seconds of one measured step."""

    wall: float
    cpu: float


class Stopwatch:
    """Measure wall-clock and process CPU time of a ``with`` block."""

    def __enter__(self) -> Stopwatch:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, time.process_time() - self._cpu)


def measure_raw(function: MiniLMOnnxEmbeddingFunction, texts: list[str]) -> Timing:
    """Time the model alone embedding the texts."""
    with Stopwatch() as watch:
        function.embed_texts(texts)
    return watch.timing


def measure_index(
    knowledge_base: KnowledgeBase, function: MiniLMOnnxEmbeddingFunction, data_dir: Path
) -> tuple[Timing, Timing]:
    """Time a cold index and a re-index of the unchanged catalog."""
    store = IndexStore(settings=Settings(data_dir=data_dir), embedding_function=function)

    with Stopwatch() as cold_watch:
        cold = index_knowledge_base(knowledge_base, store)
    with Stopwatch() as warm_watch:
        warm = index_knowledge_base(knowledge_base, store)

    if sum(summary.added for summary in cold) == 0:
        raise SystemExit("The cold index added nothing; check the knowledge base folder.")
    if sum(summary.embedded_texts for summary in warm) != 0:
        raise SystemExit("The re-index of an unchanged catalog embedded texts.")
    return cold_watch.timing, warm_watch.timing


def main() -> None:
    """Run the benchmark and print its figures."""
    logging.basicConfig(level=logging.WARNING)
    arguments = parse_arguments()
    knowledge_base, _ = load_knowledge_base(arguments.knowledge_base)
    knowledge_base = take_subset(knowledge_base, arguments.limit)
    documents = knowledge_base_documents(knowledge_base)
    texts = [
        document.text for group in documents.values() for document in group if document.text.strip()
    ]
    function = MiniLMOnnxEmbeddingFunction()

    # Warm up, so neither measurement pays for loading the model.
    function.embed_texts(texts[:64])
    raw = measure_raw(function, texts)
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as data_dir:
        cold, warm = measure_index(knowledge_base, function, Path(data_dir))

    print(
        f"cores available: {available_cores()} (os.cpu_count() = {os.cpu_count()}), "
        f"onnx threads: {function.threads}, load average: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"items: {len(knowledge_base.credentials)} credentials, "
        f"{len(knowledge_base.skills)} skills, {len(knowledge_base.occupations)} occupations; "
        f"{len(texts)} texts, {len(set(texts))} distinct"
    )
    print("                    wall s   items/s     cpu s")
    for label, timing in (("raw model", raw), ("cold index", cold), ("warm re-index", warm)):
        print(f"{label:<16}{timing.wall:10.2f}{len(texts) / timing.wall:10.1f}{timing.cpu:10.2f}")
    print(
        "throughput ratio, index / raw (goal >= 0.8): "
        f"wall {raw.wall / cold.wall:.3f}, cpu {raw.cpu / cold.cpu:.3f}"
    )
    print(
        "re-index ratio, warm / cold (goal <= 0.02): "
        f"wall {warm.wall / cold.wall:.4f}, cpu {warm.cpu / cold.cpu:.4f}"
    )
    print("BENCH_JSON " + json.dumps({
        "benchmark": "index", "texts": len(texts),
        "raw_items_per_s": round(len(texts) / raw.wall, 1), "cold_items_per_s": round(len(texts) / cold.wall, 1),
        "index_over_raw_wall": round(raw.wall / cold.wall, 3), "index_over_raw_cpu": round(raw.cpu / cold.cpu, 3),
        "reindex_over_cold_wall": round(warm.wall / cold.wall, 4), "reindex_over_cold_cpu": round(warm.cpu / cold.cpu, 4),
    }))


if __name__ == "__main__":
    main()
