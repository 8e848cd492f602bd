"""Helpers shared by the Coursera and edX catalog importers."""

from __future__ import annotations

from advisor.domain import CourseLevel, Credential, CredentialKind, ImportReport, Proficiency, SkillLevel
from advisor.ingest.cleaning import (
    is_learning_outcome,
    slugify,
    strip_trailing_period,
    unique_in_order,
)

# A provider's level states what a learner needs to start; a multi-course program ends a step higher.
TAUGHT_LEVEL = {
    CourseLevel.BEGINNER: Proficiency.FOUNDATIONAL,
    CourseLevel.MIXED: Proficiency.FOUNDATIONAL,
    CourseLevel.INTERMEDIATE: Proficiency.INTERMEDIATE,
    CourseLevel.ADVANCED: Proficiency.ADVANCED,
}
PROGRAM_KINDS = {CredentialKind.CERTIFICATE, CredentialKind.MICROCREDENTIAL, CredentialKind.DEGREE}


def taught_level(level: CourseLevel | None, kind: CredentialKind) -> Proficiency:
    """Return the proficiency a credential's skills reach, from its stated level and kind."""
    base = TAUGHT_LEVEL.get(level, Proficiency.FOUNDATIONAL) if level else Proficiency.FOUNDATIONAL
    if kind in PROGRAM_KINDS:
        return Proficiency(min(int(base) + 1, int(Proficiency.EXPERT)))
    return base


def clean_skill_strings(raw: list[str]) -> tuple[list[str], int]:
    """Return the skill names of a scraped list and how many outcome sentences were left out."""
    names: list[str] = []
    outcomes = 0
    for item in raw:
        text = strip_trailing_period(" ".join(item.split()))
        if not text:
            continue
        if is_learning_outcome(text):
            outcomes += 1
            continue
        names.append(text)
    return unique_in_order(names), outcomes


def catalog_skill_levels(names: list[str], level: Proficiency) -> list[SkillLevel]:
    """Turn skill names into catalog skill references, before mapping them to a taxonomy."""
    return [
        SkillLevel(skill_id=catalog_skill_id(name), level=level, source_label=name, mapping_rule="new")
        for name in names
    ]


def catalog_skill_id(name: str) -> str:
    """Return the id of the catalog skill made for a skill name that matches no taxonomy skill."""
    return f"catalog:skill:{slugify(name) or 'unnamed'}"


def compose_description(credential: Credential, skill_names: list[str]) -> str:
    """Compose a short description from facts: kind, provider, level and the first skills."""
    parts = [credential.kind.value.capitalize()]
    if credential.provider:
        parts.append(f"by {credential.provider}")
    if credential.level:
        parts.append(f"at {credential.level.value} level")
    text = " ".join(parts)
    if skill_names:
        text += "; skills: " + ", ".join(skill_names[:6])
    return text + "."


def drop_duplicate_ids(credentials: list[Credential], report: ImportReport) -> list[Credential]:
    """Keep the first credential of each id and reject the later ones in the report."""
    first_seen: dict[str, str] = {}
    kept: list[Credential] = []
    for credential in credentials:
        position = credential.source.position if credential.source and credential.source.position else "?"
        if credential.id in first_seen:
            report.reject(
                position,
                f"duplicate id, first seen at {first_seen[credential.id]}",
                field="id",
                value=credential.id,
            )
            continue
        first_seen[credential.id] = position
        kept.append(credential)
    return kept
