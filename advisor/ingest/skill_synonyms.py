"""Reading the curated synonym table that maps frequent catalog skill names to taxonomy skills.

The table (knowledge_base/skill_synonyms.csv) has the columns source_label, skill_id,
skill_label and relation. skill_label repeats the taxonomy's preferred label so a reader can
check a row without looking the id up, and relation states why the name teaches that skill.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

COLUMNS = ("source_label", "skill_id", "skill_label", "relation")


def read_synonyms(path: Path) -> dict[str, list[str]]:
    """Return each catalog skill name of the table with the taxonomy skill ids it maps to.

    Raises InvalidInputError when the file is missing or lacks a column.
    """
    if not path.is_file():
        raise InvalidInputError(f"Synonym table not found: {path}", value=str(path), hint="Restore it from the repository.")

    synonyms: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInputError(
                f"Synonym table {path} lacks the columns {missing}", value=str(path), hint=f"Use the header {','.join(COLUMNS)}."
            )
        for row in reader:
            name, skill_id = row["source_label"].strip(), row["skill_id"].strip()
            if name and skill_id:
                synonyms.setdefault(name, []).append(skill_id)
    logger.info("Synonym table %s: %d names", path, len(synonyms))
    return synonyms
