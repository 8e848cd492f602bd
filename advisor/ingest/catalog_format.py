"""Importer for the project's own catalog format: Credential records as CSV, JSON or JSON Lines.

The format is described in knowledge_base/catalog-format.md. Every record is validated on its
own: a bad one is rejected in the report with its position, and the rest are kept.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from advisor.domain import Credential, ImportReport, ImportResult
from advisor.errors import InvalidInputError
from advisor.ingest.tables import read_rows

logger = logging.getLogger(__name__)

LIST_FIELDS = {"prerequisite_credentials", "has_part", "is_part_of", "derived"}
SKILL_FIELDS = {"skills", "prerequisite_skills"}
SOURCE_COLUMNS = {"source_dataset": "dataset", "source_position": "position", "source_licence": "licence", "source_url": "url"}
LEVEL_NAMES = {"foundational": 1, "intermediate": 2, "advanced": 3, "expert": 4}
LIST_SEPARATOR = ";"


def import_catalog_file(path: Path, file_format: str | None = None) -> ImportResult[Credential]:
    """Import a catalog file of any supported format, chosen by option or file extension."""
    chosen = (file_format or path.suffix.lstrip(".")).lower()
    if chosen == "coursera":
        from advisor.ingest.coursera import import_coursera

        return import_coursera(path)
    if chosen == "edx":
        from advisor.ingest.edx import import_edx

        return import_edx(path)
    readers = {"csv": import_catalog_csv, "json": import_catalog_json, "jsonl": import_catalog_jsonl}
    if chosen not in readers:
        raise InvalidInputError(
            f"Unknown catalog format {chosen!r} for {path}",
            value=chosen,
            hint="Use --format csv, json, jsonl, coursera or edx.",
        )
    if not path.is_file():
        raise InvalidInputError(f"File not found: {path}", value=str(path), hint="Check the path.")
    return readers[chosen](path)


def import_catalog_jsonl(path: Path) -> ImportResult[Credential]:
    """Import a JSON Lines catalog, one credential object a line."""
    report = ImportReport(source=str(path))
    records: list[tuple[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as error:
                report.reject(f"line {number}", f"invalid JSON: {error.msg} at column {error.colno}", value=line.strip())
    return validate_records(records, report)


def import_catalog_json(path: Path) -> ImportResult[Credential]:
    """Import a JSON catalog: a list of credential objects, or an object with a 'credentials' list."""
    report = ImportReport(source=str(path))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        report.reject(f"line {error.lineno} column {error.colno}", f"invalid JSON: {error.msg}; no record could be read")
        return ImportResult[Credential](items=[], report=report)

    if isinstance(document, dict) and isinstance(document.get("credentials"), list):
        items, prefix = document["credentials"], "$.credentials"
    elif isinstance(document, list):
        items, prefix = document, "$"
    else:
        report.reject("$", "expected a list of credentials or an object with a 'credentials' list", value=type(document).__name__)
        return ImportResult[Credential](items=[], report=report)
    return validate_records([(f"{prefix}[{index}]", item) for index, item in enumerate(items)], report)


def import_catalog_csv(path: Path) -> ImportResult[Credential]:
    """Import a CSV catalog whose columns are credential fields (see catalog-format.md)."""
    report = ImportReport(source=str(path))
    records: list[tuple[str, Any]] = []
    for line, row in read_rows(path):
        try:
            records.append((f"line {line}", record_from_csv_row(row)))
        except ValueError as error:
            field, value = error.args[1:3]
            report.reject(f"line {line}", str(error.args[0]), field=field, value=value)
    return validate_records(records, report)


def record_from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """Turn a CSV row into a credential dict: blank cells are unknown, lists split on ';'."""
    record: dict[str, Any] = {}
    source: dict[str, str] = {}
    for column, raw in row.items():
        value = raw.strip()
        if not value:
            continue
        if column in SOURCE_COLUMNS:
            source[SOURCE_COLUMNS[column]] = value
        elif column in LIST_FIELDS:
            record[column] = split_list(value)
        elif column in SKILL_FIELDS:
            record[column] = [parse_skill_cell(item, column) for item in split_list(value)]
        else:
            record[column] = value
    if source:
        record["source"] = source
    return record


def split_list(value: str) -> list[str]:
    """Split a ';'-separated cell, dropping blanks."""
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def parse_skill_cell(item: str, column: str) -> dict[str, Any]:
    """Parse 'skill_id' or 'skill_id@level' where level is 1-4 or its name."""
    skill_id, _, level = item.rpartition("@") if "@" in item else (item, "", "")
    if not level:
        return {"skill_id": skill_id}
    number = LEVEL_NAMES.get(level.lower(), level)
    try:
        return {"skill_id": skill_id, "level": int(number)}
    except ValueError as error:
        raise ValueError("skill level is neither 1-4 nor a level name", column, item) from error


def validate_records(records: list[tuple[str, Any]], report: ImportReport) -> ImportResult[Credential]:
    """Validate each record as a Credential, rejecting invalid ones and repeated ids."""
    credentials: list[Credential] = []
    first_seen: dict[str, str] = {}
    for position, record in records:
        if not isinstance(record, dict):
            report.reject(position, "record is not an object", value=record)
            continue
        try:
            credential = Credential.model_validate(record)
        except ValidationError as error:
            problems = error.errors()
            first = problems[0]
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            field = ".".join(str(part) for part in first["loc"]) or None
            value = first.get("input") if first["loc"] else None
            report.reject(position, first["msg"] + more, field=field, value=value)
            continue
        if credential.id in first_seen:
            report.reject(position, f"duplicate id, first seen at {first_seen[credential.id]}", field="id", value=credential.id)
            continue
        first_seen[credential.id] = position
        credentials.append(credential)

    report.accepted = len(credentials)
    logger.info("Catalog %s: %d accepted, %d rejected", report.source, report.accepted, len(report.rejected))
    return ImportResult[Credential](items=credentials, report=report)
