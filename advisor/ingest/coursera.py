"""Importer for the Coursera catalog scrape (CSV, one row per course or program)."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

from pydantic import ValidationError

from advisor.domain import CourseLevel, Credential, CredentialKind, ImportReport, ImportResult, SourceRef
from advisor.ingest.cleaning import (
    collapse_whitespace,
    duration_to_hours,
    none_if_blank,
    parse_count,
    parse_python_list,
    parse_rating,
)
from advisor.ingest.scraped_catalog import (
    catalog_skill_levels,
    clean_skill_strings,
    compose_description,
    drop_duplicate_ids,
    taught_level,
)
from advisor.ingest.tables import read_rows

logger = logging.getLogger(__name__)

DATASET = "coursera_catalog"
LICENCE = "No licence stated; facts taken from a public scrape of the coursera.org catalog."
KINDS = {
    "course": CredentialKind.COURSE,
    "guided project": CredentialKind.MODULE,
    "specialization": CredentialKind.MICROCREDENTIAL,
    "professional certificate": CredentialKind.CERTIFICATE,
}
LEVELS = {
    "beginner": CourseLevel.BEGINNER,
    "intermediate": CourseLevel.INTERMEDIATE,
    "advanced": CourseLevel.ADVANCED,
    "mixed": CourseLevel.MIXED,
}


def import_coursera(path: Path) -> ImportResult[Credential]:
    """Read the Coursera CSV into credentials, rejecting rows that cannot be used."""
    report = ImportReport(source=str(path))
    rows = list(read_rows(path))
    slug_sections = count_slug_sections(row for _, row in rows)

    credentials: list[Credential] = []
    outcomes_left_out = 0
    for line, row in rows:
        position = f"line {line}"
        try:
            credential, outcomes = parse_row(row, position, slug_sections)
        except ValueError as error:
            field, value = error.args[1:3] if len(error.args) == 3 else (None, None)
            report.reject(position, str(error.args[0]), field=field, value=value)
            continue
        except ValidationError as error:
            report.reject_invalid(position, error)
            continue
        outcomes_left_out += outcomes
        credentials.append(credential)

    credentials = drop_duplicate_ids(credentials, report)
    report.accepted = len(credentials)
    logger.info(
        "Coursera: %d credentials accepted, %d rejected, %d outcome sentences left out of skills",
        report.accepted,
        len(report.rejected),
        outcomes_left_out,
    )
    return ImportResult[Credential](items=credentials, report=report)


def count_slug_sections(rows: object) -> Counter[str]:
    """Count how many URL sections (learn, specializations, ...) use each slug."""
    sections: dict[str, set[str]] = {}
    for row in rows:  # type: ignore[attr-defined]
        section, slug = url_section_and_slug(row.get("course_url", ""))
        if slug:
            sections.setdefault(slug, set()).add(section)
    return Counter({slug: len(found) for slug, found in sections.items()})


def url_section_and_slug(url: str) -> tuple[str, str]:
    """Return the section and slug of a Coursera URL, such as ('learn', 'python')."""
    parts = [part for part in urlparse(collapse_whitespace(url)).path.split("/") if part]
    if len(parts) < 2:
        return "", ""
    return parts[-2], parts[-1]


def credential_id(url: str, slug_sections: Counter[str]) -> str:
    """Return 'coursera:<slug>', qualified by the URL section when two sections share a slug."""
    section, slug = url_section_and_slug(url)
    if slug_sections.get(slug, 0) > 1 and section != "learn":
        return f"coursera:{section}:{slug}"
    return f"coursera:{slug}"


def parse_row(row: dict[str, str], position: str, slug_sections: Counter[str]) -> tuple[Credential, int]:
    """Turn one CSV row into a credential; raise ValueError(reason, field, value) when unusable."""
    url = collapse_whitespace(row.get("course_url"))
    if not url_section_and_slug(url)[1]:
        raise ValueError("missing or invalid course URL", "course_url", url)

    title = collapse_whitespace(row.get("course_title"))
    if not title:
        raise ValueError("missing title", "course_title", row.get("course_title"))

    type_text = collapse_whitespace(row.get("course_certificate_type"))
    kind = KINDS.get(type_text.casefold())
    if kind is None:
        raise ValueError("unknown certificate type", "course_certificate_type", type_text)

    level_text = collapse_whitespace(row.get("course_difficulty"))
    level = LEVELS.get(level_text.casefold()) if level_text else None
    if level_text and level is None:
        raise ValueError("unknown difficulty", "course_difficulty", level_text)

    try:
        raw_skills = parse_python_list(row.get("course_skills"))
    except (ValueError, SyntaxError) as error:
        raise ValueError(f"skills are not a list literal: {error}", "course_skills", row.get("course_skills")) from error
    numbers = {}
    for field, parse in (
        ("course_rating", parse_rating),
        ("course_students_enrolled", parse_count),
        ("course_reviews_num", parse_count),
    ):
        try:
            numbers[field] = parse(row.get(field))
        except ValueError as error:
            raise ValueError(str(error), field, row.get(field)) from error

    skill_names, outcomes = clean_skill_strings(raw_skills)
    duration_text = none_if_blank(row.get("course_time"))
    hours = duration_to_hours(duration_text)
    derived = ["hours", "description"] if hours is not None else ["description"]

    credential = Credential(
        id=credential_id(url, slug_sections),
        title=title,
        provider=none_if_blank(row.get("course_organization")),
        kind=kind,
        skills=catalog_skill_levels(skill_names, taught_level(level, kind)),
        hours=hours,
        level=level,
        url=url,
        # NOTE: the scrape has no language column; a few items (such as French Google
        # certificates) are not in English but are stored as "en".
        language="en",
        source=SourceRef(dataset=DATASET, position=position, licence=LICENCE, url=url),
        derived=derived,
        provider_type=type_text,
        duration_text=duration_text,
        rating=numbers["course_rating"],
        reviews_count=numbers["course_reviews_num"],
        enrolled_count=numbers["course_students_enrolled"],
    )
    credential.description = compose_description(credential, skill_names)
    return credential, outcomes
