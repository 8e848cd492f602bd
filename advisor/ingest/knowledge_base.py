"""Loading and writing the knowledge base folder: credentials, skills and occupations as JSON Lines."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from advisor.domain import Credential, ImportReport, KnowledgeBase, Occupation, Skill
from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

CREDENTIALS_FILE = "credentials.jsonl"
SKILLS_FILE = "skills.jsonl"
OCCUPATIONS_FILE = "occupations.jsonl"

ModelT = TypeVar("ModelT", bound=BaseModel)


def load_knowledge_base(directory: Path) -> tuple[KnowledgeBase, list[ImportReport]]:
    """Load the three JSON Lines files of a knowledge base folder and check the ids they share.

    Returns the knowledge base and one report per file plus one for the cross references.
    A bad line is rejected in its report and the rest still loads. Raises InvalidInputError
    when the folder or one of its files is missing.
    """
    if not directory.is_dir():
        raise InvalidInputError(
            f"Knowledge base folder not found: {directory}",
            value=str(directory),
            hint="Set ADVISOR_KNOWLEDGE_BASE_DIR or build it with knowledge_base/build.py.",
        )

    started = time.perf_counter()
    skills, skills_report = read_jsonl(directory / SKILLS_FILE, Skill)
    credentials, credentials_report = read_jsonl(directory / CREDENTIALS_FILE, Credential)
    occupations, occupations_report = read_jsonl(directory / OCCUPATIONS_FILE, Occupation)
    knowledge_base = KnowledgeBase.from_items(credentials, skills, occupations)
    references_report = check_references(knowledge_base, str(directory))

    logger.info(
        "Loaded knowledge base %s: %d credentials, %d skills, %d occupations in %.2f s",
        directory,
        len(knowledge_base.credentials),
        len(knowledge_base.skills),
        len(knowledge_base.occupations),
        time.perf_counter() - started,
    )
    return knowledge_base, [credentials_report, skills_report, occupations_report, references_report]


def read_jsonl(path: Path, model: type[ModelT]) -> tuple[list[ModelT], ImportReport]:
    """Validate each line of a JSON Lines file as a model, rejecting bad lines in the report."""
    if not path.is_file():
        raise InvalidInputError(f"File not found: {path}", value=str(path), hint="Rebuild the knowledge base.")

    report = ImportReport(source=str(path))
    items: list[ModelT] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = model.model_validate_json(line)
            except ValidationError as error:
                report.reject_invalid(f"line {number}", error)
                continue
            item_id = getattr(item, "id")
            if item_id in seen:
                report.reject(f"line {number}", f"duplicate id, first seen at line {seen[item_id]}", field="id", value=item_id)
                continue
            seen[item_id] = number
            items.append(item)
    report.accepted = len(items)
    return items, report


def check_references(knowledge_base: KnowledgeBase, source: str) -> ImportReport:
    """Warn about every id that a credential or occupation names but the knowledge base lacks."""
    report = ImportReport(source=source)
    for credential in knowledge_base.credentials.values():
        for skill in [*credential.skills, *credential.prerequisite_skills]:
            if skill.skill_id not in knowledge_base.skills:
                report.warn(credential.id, "skill id not in skills", field="skills", value=skill.skill_id)
        for field in ("prerequisite_credentials", "has_part", "is_part_of"):
            for other in getattr(credential, field):
                if other not in knowledge_base.credentials:
                    report.warn(credential.id, "credential id not in credentials", field=field, value=other)
    for occupation in knowledge_base.occupations.values():
        for skill in occupation.required_skills:
            if skill.skill_id not in knowledge_base.skills:
                report.warn(occupation.id, "skill id not in skills", field="required_skills", value=skill.skill_id)
    report.accepted = len(knowledge_base.credentials) + len(knowledge_base.occupations)
    return report


def write_jsonl(path: Path, items: Iterable[BaseModel]) -> int:
    """Write models one a line, without None values, sorted as given; return the line count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for item in items:
            handle.write(json.dumps(item.model_dump(mode="json", exclude_none=True), ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
            count += 1
    return count
