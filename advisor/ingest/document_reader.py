"""Read an uploaded document within the size limit and parse it as JSON or YAML.

Every problem found here concerns the whole file, so each one raises ``InvalidInputError``
carrying the offending value and a hint.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advisor.config import get_settings
from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

DocumentSource = bytes | str | Path | dict[str, Any] | list[Any]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Document:
    """A parsed document: the JSON value, or the raw text when it looked like a compact JWT."""

    name: str
    data: Any
    text: str | None = None


def source_name(source: DocumentSource, filename: str | None) -> str:
    """Return the name reports use for a source: the given filename, the path, or a placeholder."""
    if filename:
        return filename
    if isinstance(source, Path):
        return str(source)
    return "<input>"


def read_limited(path: Path, limit: int) -> bytes:
    """Read a file, raising before more than ``limit`` bytes are loaded into memory."""
    if path.is_dir():
        raise InvalidInputError(
            f"{str(path)!r} is a folder, but a file is needed.",
            value=str(path),
            hint="Give the path of one file inside the folder.",
        )
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InvalidInputError(
            f"Cannot read {str(path)!r}: {error.strerror}.",
            value=str(path),
            hint="Check the path and that the file is readable.",
        ) from error

    if size > limit:
        raise_too_large(str(path), size, limit)

    # A file can grow between stat and read, so the read itself is bounded too.
    with path.open("rb") as handle:
        content = handle.read(limit + 1)
    if len(content) > limit:
        raise_too_large(str(path), len(content), limit)
    return content


def raise_too_large(name: str, size: int, limit: int) -> None:
    """Raise the error for a document over the size limit."""
    raise InvalidInputError(
        f"{name!r} is {size} bytes, over the upload limit of {limit} bytes.",
        value=size,
        hint="Split the file, or raise the limit with the setting ADVISOR_MAX_UPLOAD_BYTES.",
    )


def load_bytes(source: bytes | str | Path, name: str, limit: int | None = None) -> bytes:
    """Return the raw bytes of a source, enforcing the upload size limit."""
    limit = limit if limit is not None else get_settings().max_upload_bytes
    if isinstance(source, Path):
        return read_limited(source, limit)

    content = source.encode("utf-8") if isinstance(source, str) else source
    if len(content) > limit:
        raise_too_large(name, len(content), limit)
    return content


def decode_text(content: bytes, name: str) -> str:
    """Decode UTF-8 (with or without a byte order mark) and reject empty documents."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{name!r} is not UTF-8 text: invalid byte at offset {error.start}.",
            value=content[error.start : error.start + 8],
            hint="Save the file as UTF-8 JSON, YAML or a compact JWT.",
        ) from error

    if not text.strip():
        raise InvalidInputError(
            f"{name!r} is empty.",
            value=name,
            hint="Upload a JSON or YAML record, an Open Badges or CLR credential, or a JWT.",
        )
    return text


def looks_like_jwt(text: str) -> bool:
    """Return whether text is one token of base64url segments joined by dots, as a JWT is."""
    token = text.strip()
    if not token or any(character.isspace() for character in token) or "." not in token:
        return False
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=")
    return set(token) <= alphabet


def parse_text(text: str, name: str) -> Any:
    """Parse JSON, or YAML when the text is not JSON, with ``yaml.safe_load``."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) and not name.lower().endswith(YAML_SUFFIXES):
        return parse_json(text, name)
    return parse_yaml(text, name)


def parse_json(text: str, name: str) -> Any:
    """Parse JSON, naming the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{name!r} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}.",
            value=text[max(0, error.pos - 20) : error.pos + 20],
            hint="Check the file is complete (not truncated) and well formed.",
        ) from error


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML with the safe loader, which rejects tags that construct Python objects."""
    try:
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as error:
        raise InvalidInputError(
            f"{name!r} uses a YAML tag the safe loader does not accept: {error.problem}.",
            value=str(error.problem_mark).strip() if error.problem_mark else None,
            hint="Remove tags such as !!python/object; a record needs only plain mappings, "
            "lists, strings and numbers.",
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InvalidInputError(
            f"{name!r} is neither valid JSON nor valid YAML{where}.",
            value=getattr(error, "problem", None),
            hint="Upload a JSON or YAML record, an Open Badges or CLR credential, or a JWT.",
        ) from error


def read_document(
    source: DocumentSource, *, filename: str | None = None, limit: int | None = None
) -> Document:
    """Read a source into a document: parsed JSON or YAML, or the text of a compact JWT."""
    name = source_name(source, filename)
    if isinstance(source, dict | list):
        return Document(name=name, data=source)

    content = load_bytes(source, name, limit)
    text = decode_text(content, name)
    logger.debug("read %d bytes from %s", len(content), name)

    if name.lower().endswith(".jwt") or looks_like_jwt(text):
        return Document(name=name, data=None, text=text.strip())
    return Document(name=name, data=parse_text(text, name))
