"""Small conversions shared by the record importers: dates, ids, lists and text limits."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

MAX_TEXT_CHARS = 20_000
"""Longest string an imported item may hold; an item with a longer one is rejected."""

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def as_list(value: Any) -> list[Any]:
    """Return a JSON-LD value as a list: ``None`` is empty and a single value is wrapped."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def parse_date(value: Any) -> date | None:
    """Parse an ISO 8601 date, date-time or partial date (``2000``, ``2000-05``).

    Raises ``ValueError`` for a value that is none of these. A partial date takes the first
    day of the year or month.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date string, got {type(value).__name__}")

    text = value.strip()
    partial = PARTIAL_DATE.match(text)
    if partial:
        year, month, day = partial.groups()
        return date(int(year), int(month or 1), int(day or 1))

    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date") from None


def stable_item_id(prefix: str, key: str) -> str:
    """Return an item id derived from a key, the same on every import of the same key."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{digest}"


def content_key(value: Any) -> str:
    """Return a canonical JSON text of a value, to derive ids for items that carry none."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def find_long_text(value: Any, path: str, limit: int = MAX_TEXT_CHARS) -> tuple[str, int] | None:
    """Return the JSON path and length of the first string longer than ``limit``, if any."""
    if isinstance(value, str):
        return (path, len(value)) if len(value) > limit else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_long_text(item, f"{path}.{key}", limit)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = find_long_text(item, f"{path}[{index}]", limit)
            if found:
                return found
    return None


def text_of(value: Any, languages: tuple[str, ...] = ("en-US", "en", "en-GB")) -> str | None:
    """Return plain text from a string, a JSON-LD language map or a ``{"@value": ...}`` object.

    A language map yields the first of ``languages`` present, else its first value; a list
    value inside the map is joined with newlines.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        texts = [text for text in (text_of(item, languages) for item in value) if text]
        return "\n".join(texts) or None
    if isinstance(value, dict):
        if "@value" in value:
            return text_of(value["@value"], languages)
        for language in languages:
            if language in value:
                return text_of(value[language], languages)
        for item in value.values():
            text = text_of(item, languages)
            if text:
                return text
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def name_of(value: Any) -> str | None:
    """Return the name of a profile given as an object, or the string itself (often a URL)."""
    if isinstance(value, dict):
        return text_of(value.get("name")) or text_of(value.get("id"))
    return text_of(value)


def id_of(value: Any) -> str | None:
    """Return the id of a node given as an object with ``id``/``@id``, or as a string."""
    if isinstance(value, dict):
        found = value.get("id", value.get("@id"))
        return found if isinstance(found, str) and found.strip() else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def type_names(value: Any) -> list[str]:
    """Return the type names of a JSON-LD ``type`` value that may be a string or a list."""
    return [item for item in as_list(value) if isinstance(item, str)]
