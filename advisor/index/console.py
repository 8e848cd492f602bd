"""Terminal output of the ``advisor index`` and ``advisor search`` commands."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from advisor.domain import KnowledgeBase
from advisor.index.indexer import SyncSummary, index_knowledge_base
from advisor.index.search import HybridSearch, SearchHit
from advisor.index.store import CollectionKind, IndexStore

logger = logging.getLogger(__name__)


def index_with_progress(
    knowledge_base_dir: Path, rebuild: bool, console: Console
) -> list[SyncSummary]:
    """Load the knowledge base from a directory and index it, with a progress bar per collection."""
    from advisor.ingest.knowledge_base import load_knowledge_base

    knowledge_base, reports = load_knowledge_base(knowledge_base_dir)
    rejected = sum(len(report.rejected) for report in reports)
    console.print(
        f"Read {len(knowledge_base.credentials)} credentials, {len(knowledge_base.skills)} skills "
        f"and {len(knowledge_base.occupations)} occupations from {knowledge_base_dir} "
        f"({rejected} records rejected on import)."
    )
    return index_knowledge_with_progress(knowledge_base, rebuild, console)


def index_knowledge_with_progress(
    knowledge_base: KnowledgeBase, rebuild: bool, console: Console
) -> list[SyncSummary]:
    """Index a loaded knowledge base, with a progress bar per collection."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        tasks: dict[CollectionKind, int] = {}

        def report(kind: CollectionKind, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(f"Embedding {kind.value}", total=total)
            progress.update(tasks[kind], completed=done, total=total)

        return index_knowledge_base(knowledge_base, IndexStore(), rebuild=rebuild, progress=report)


def summary_table(summaries: list[SyncSummary]) -> Table:
    """Return a table of added, updated, unchanged, removed and rejected items per collection."""
    table = Table(title="Index summary")
    for column in ("collection", "added", "updated", "unchanged", "removed", "rejected", "seconds"):
        if column == "collection":
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    for summary in summaries:
        table.add_row(
            summary.collection,
            str(summary.added),
            str(summary.updated),
            str(summary.unchanged),
            str(summary.removed),
            str(len(summary.rejected)),
            f"{summary.seconds:.1f}",
        )
    return table


def search_and_render(
    query: str, collection: str, limit: int, as_json: bool, console: Console
) -> None:
    """Run a hybrid search and print the hits as a table or as JSON lines."""
    search = HybridSearch()
    hits = search.search(query, collection=collection, limit=limit)
    if not hits and search.store.collection(CollectionKind(collection)).count() == 0:
        Console(stderr=True).print(f"The {collection} collection is empty. Run: advisor index")
    if as_json:
        console.print_json(json.dumps([asdict(hit) for hit in hits]))
        return
    console.print(hits_table(query, hits))


def hits_table(query: str, hits: list[SearchHit]) -> Table:
    """Return a table of search hits with their fused rank and score and the rank in each method."""
    table = Table(
        title=f"Results for {query!r}",
        caption="rank: position in the fused ranking. fused score: reciprocal rank fusion, "
        "the sum of 1/(k + rank) over the dense and lexical rankings, so small values are normal.",
    )
    table.add_column("rank", justify="right", min_width=4)
    table.add_column("id", overflow="fold", max_width=30)
    table.add_column("text", overflow="fold", ratio=1)
    for column in ("fused score", "dense rank", "lexical rank"):
        table.add_column(column, justify="right", min_width=len(column))
    for position, hit in enumerate(hits, start=1):
        table.add_row(
            str(position),
            hit.id,
            hit.text,
            f"{hit.score:.4f}",
            str(hit.dense_rank or "-"),
            str(hit.lexical_rank or "-"),
        )
    return table
