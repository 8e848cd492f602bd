"""Importer for the edX catalog scrape: courses, and the programs their rows name."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from advisor.domain import CourseLevel, Credential, CredentialKind, ImportReport, ImportResult, SkillLevel, SourceRef
from advisor.ingest.cleaning import (
    collapse_whitespace,
    complete_title_from_slug,
    is_no_prerequisite,
    is_truncated_title,
    none_if_blank,
    slug_words,
    slugify,
    split_comma_list,
    split_program_names,
    split_run_together_words,
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

DATASET = "edx_catalog"
LICENCE = "No licence stated; facts taken from a public scrape of the edx.org catalog."
LEVELS = {
    "introductory": CourseLevel.BEGINNER,
    "intermediate": CourseLevel.INTERMEDIATE,
    "advanced": CourseLevel.ADVANCED,
}
LANGUAGES = {
    "english": "en",
    "español": "es",
    "français": "fr",
    "italiano": "it",
    "deutsch": "de",
    "português": "pt",
    "اَلْعَرَبِيَّةُ": "ar",
    "العربية": "ar",
    "中文": "zh",
}
PROGRAM_KINDS = {
    "Professional Certificate": CredentialKind.CERTIFICATE,
    "MicroMasters Program": CredentialKind.MICROCREDENTIAL,
    "MicroBachelors Program": CredentialKind.MICROCREDENTIAL,
    "XSeries": CredentialKind.MICROCREDENTIAL,
}


def import_edx(path: Path) -> ImportResult[Credential]:
    """Read the edX CSV into course credentials plus one credential per program it names."""
    report = ImportReport(source=str(path))

    courses: list[Credential] = []
    for line, row in read_rows(path):
        position = f"line {line}"
        try:
            courses.append(parse_row(row, position, report))
        except ValueError as error:
            field, value = error.args[1:3] if len(error.args) == 3 else (None, None)
            report.reject(position, str(error.args[0]), field=field, value=value)
        except ValidationError as error:
            report.reject_invalid(position, error)

    courses = drop_duplicate_ids(courses, report)
    programs = build_programs(courses)
    report.accepted = len(courses) + len(programs)
    logger.info(
        "edX: %d courses and %d programs accepted, %d rows rejected",
        len(courses),
        len(programs),
        len(report.rejected),
    )
    return ImportResult[Credential](items=[*courses, *programs], report=report)


def parse_row(row: dict[str, str], position: str, report: ImportReport) -> Credential:
    """Turn one CSV row into a course credential; raise ValueError(reason, field, value) when unusable."""
    url = collapse_whitespace(row.get("link"))
    words = slug_words(url) if url else []
    if not url.startswith("http") or not words:
        raise ValueError("missing or invalid course link", "link", row.get("link"))
    slug = url.rstrip("/").rsplit("/", 1)[-1]

    derived: list[str] = ["description"]
    raw_title = row.get("title") or ""
    title = split_run_together_words(raw_title, slug)
    if is_truncated_title(title):
        completed = complete_title_from_slug(title, slug)
        if completed == title:
            report.warn(position, "title cut off and not found in the URL", field="title", value=raw_title)
        else:
            title = completed
            derived.append("title")
    if not title:
        raise ValueError("missing title", "title", raw_title)

    level_text = collapse_whitespace(row.get("level"))
    level = LEVELS.get(level_text.casefold()) if level_text else None
    if level_text and level is None:
        raise ValueError("unknown level", "level", level_text)

    language_text = collapse_whitespace(row.get("language"))
    language = LANGUAGES.get(language_text.casefold(), "und") if language_text else "und"
    if language == "und":
        report.warn(position, "unknown language, stored as 'und'", field="language", value=language_text)

    skill_names, _ = clean_skill_strings(split_comma_list(row.get("associatedskills")))
    prerequisites = row.get("prerequisites")
    programs = split_program_names(row.get("associatedprograms"))

    # NOTE: the edX rows state no duration, so hours stay unknown rather than estimated.
    credential = Credential(
        id=f"edx:{slug}",
        title=title,
        provider=none_if_blank(row.get("institution")),
        kind=CredentialKind.COURSE,
        skills=catalog_skill_levels(skill_names, taught_level(level, CredentialKind.COURSE)),
        level=level,
        url=url,
        language=language,
        source=SourceRef(dataset=DATASET, position=position, licence=LICENCE, url=url),
        derived=derived,
        subject=none_if_blank(row.get("subject")),
        transcript_languages=split_comma_list(row.get("videotranscript")),
        prerequisites_text=None if is_no_prerequisite(prerequisites) else collapse_whitespace(prerequisites),
        program_names=[f"{kind} in {name}" for kind, name in programs],
    )
    credential.description = compose_description(credential, skill_names)
    return credential


def program_id(program_type: str, name: str) -> str:
    """Return the id of an edX program, such as 'edx:program:professional-certificate-in-data-science'."""
    return f"edx:program:{slugify(f'{program_type} in {name}')}"


def build_programs(courses: list[Credential]) -> list[Credential]:
    """Make one credential per named program, link its courses both ways and merge their skills."""
    members: dict[str, list[Credential]] = {}
    names: dict[str, tuple[str, str]] = {}
    for course in courses:
        for label in course.model_extra.get("program_names", []):  # type: ignore[union-attr]
            program_type, _, name = label.partition(" in ")
            key = program_id(program_type, name)
            names.setdefault(key, (program_type, name))
            members.setdefault(key, []).append(course)
            if key not in course.is_part_of:
                course.is_part_of.append(key)

    programs = [make_program(key, *names[key], parts) for key, parts in members.items()]
    return sorted(programs, key=lambda program: program.id)


def make_program(key: str, program_type: str, name: str, parts: list[Credential]) -> Credential:
    """Build a program credential from the courses that name it."""
    kind = PROGRAM_KINDS.get(program_type, CredentialKind.CERTIFICATE)
    provider = most_common([part.provider for part in parts if part.provider])
    language = most_common([part.language for part in parts]) or "en"
    levels = [part.level for part in parts if part.level]
    entry_level = min(levels, key=list(LEVELS.values()).index) if levels else None

    skills: dict[str, SkillLevel] = {}
    for part in parts:
        for skill in part.skills:
            skills.setdefault(skill.skill_id, skill.model_copy(update={"level": taught_level(entry_level, kind)}))

    positions = ", ".join(part.source.position for part in parts if part.source and part.source.position)
    program = Credential(
        id=key,
        title=f"{program_type} in {name}",
        provider=provider,
        kind=kind,
        skills=list(skills.values()),
        has_part=[part.id for part in parts],
        level=entry_level,
        language=language,
        source=SourceRef(dataset=DATASET, position=f"associatedprograms of {positions}", licence=LICENCE),
        derived=["skills", "has_part", "provider", "language", "level", "description"],
        program_type=program_type,
    )
    program.description = compose_description(program, [skill.source_label or skill.skill_id for skill in program.skills])
    return program


def most_common(values: list[str]) -> str | None:
    """Return the most frequent value, the first seen on a tie, or None for no values."""
    return Counter(values).most_common(1)[0][0] if values else None
