"""Reading delimited text files row by row, with the line each row starts on."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from advisor.errors import InvalidInputError

# ESCO keeps multi-line label lists in one cell, longer than the csv module's default limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_rows(path: Path, delimiter: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (first line number, row) for each data row of a CSV or TSV file with a header.

    Raises InvalidInputError when the file is missing or cannot be decoded as UTF-8.
    """
    if not path.is_file():
        raise InvalidInputError(f"File not found: {path}", value=str(path), hint="Check the path.")

    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter, quoting=quoting)
            reader.fieldnames  # reads the header, so line_num counts it
            start = reader.line_num + 1
            for row in reader:
                yield start, {key: (value or "") for key, value in row.items() if key is not None}
                start = reader.line_num + 1
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"File {path} is not UTF-8 text: {error}", value=str(path), hint="Save the file as UTF-8."
        ) from error
