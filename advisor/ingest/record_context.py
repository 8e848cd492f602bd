"""State shared by the importers while one learner record is assembled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.domain import Alignment, ImportReport, KnowledgeBase
from advisor.ingest.alignment_join import AlignmentIndex, alignment_index, join_alignment
from advisor.ingest.record_values import MAX_TEXT_CHARS, find_long_text


@dataclass
class RecordContext:
    """The report, the alignment lookup and the item ids claimed so far in one import."""

    report: ImportReport
    knowledge_base: KnowledgeBase | None = None
    item_positions: dict[str, str] = field(default_factory=dict)
    _index: AlignmentIndex | None = None

    def claim_id(self, item_id: str, position: str) -> bool:
        """Reserve an item id, or report the item as a duplicate and return False."""
        first = self.item_positions.get(item_id)
        if first is not None:
            self.report.reject(
                position,
                f"duplicate item id; the item at {first} already has it",
                field="id",
                value=item_id,
            )
            return False
        self.item_positions[item_id] = position
        return True

    def reject_long_text(self, value: Any, position: str) -> bool:
        """Report an item holding a string over the text limit and return True, else False."""
        found = find_long_text(value, position)
        if found is None:
            return False
        path, length = found
        self.report.reject(
            position,
            f"text of {length} characters is over the limit of {MAX_TEXT_CHARS}",
            field=path.removeprefix(position).lstrip(".") or None,
            value=f"{length} characters",
        )
        return True

    def join(self, alignments: list[Alignment]) -> list[Alignment]:
        """Join alignments to the knowledge base, when one was given."""
        if self.knowledge_base is None:
            return alignments
        if self._index is None:
            self._index = alignment_index(self.knowledge_base)
        return [join_alignment(alignment, self._index) for alignment in alignments]

    def knows_credential(self, credential_id: str) -> bool | None:
        """Return whether the catalog has a credential id, or None without a knowledge base."""
        if self.knowledge_base is None:
            return None
        return credential_id in self.knowledge_base.credentials
