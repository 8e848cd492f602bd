"""Importers for ESCO v1.1.1 (English CSV): skills, skill groups and occupations with their skills.

Only labels and identifiers are read; ESCO's descriptions are left out.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from advisor.domain import (
    Framework,
    ImportReport,
    ImportResult,
    Occupation,
    Proficiency,
    RequiredSkill,
    Skill,
    SkillType,
    SourceRef,
)
from advisor.ingest.cleaning import collapse_whitespace, unique_in_order
from advisor.ingest.tables import read_rows

logger = logging.getLogger(__name__)

DATASET = "esco_v1.1.1"
ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
URI_PREFIX = "http://data.europa.eu/esco/"
LANGUAGE_GROUP_CODE = "L"
SKILL_TYPES = {"skill/competence": SkillType.SKILL, "knowledge": SkillType.KNOWLEDGE}

# ESCO states no proficiency levels; these are the levels the project assigns.
ESSENTIAL_LEVEL = Proficiency.INTERMEDIATE
OPTIONAL_LEVEL = Proficiency.FOUNDATIONAL
ESSENTIAL_IMPORTANCE = 1.0
OPTIONAL_IMPORTANCE = 0.5


def esco_id(uri: str) -> str:
    """Turn an ESCO concept URI into a project id: '.../esco/skill/<uuid>' gives 'esco:skill:<uuid>'."""
    uri = collapse_whitespace(uri)
    if not uri.startswith(URI_PREFIX):
        raise ValueError(f"not an ESCO URI: {uri!r}")
    return "esco:" + uri[len(URI_PREFIX) :].replace("/", ":")


def split_labels(cell: str | None) -> list[str]:
    """Split an ESCO label cell, one label a line."""
    return unique_in_order([label for label in (collapse_whitespace(line) for line in (cell or "").splitlines()) if label])


def import_esco_skills(directory: Path) -> ImportResult[Skill]:
    """Read ESCO skills and skill groups with labels, type and broader groups."""
    report = ImportReport(source=str(directory / "skills_en.csv"))
    groups = read_skill_groups(directory / "skillsHierarchy_en.csv")
    broader = read_broader(directory / "broaderRelationsSkillPillar.csv")
    transversal = {esco_id(row["conceptUri"]) for _, row in read_rows(directory / "transversalSkillsCollection_en.csv")}
    language_ids = descendants_of(language_roots(groups), broader)

    skills: list[Skill] = []
    for line, row in read_rows(directory / "skills_en.csv"):
        position = f"line {line}"
        try:
            skill_id = esco_id(row["conceptUri"])
            skill = Skill(
                id=skill_id,
                label=collapse_whitespace(row["preferredLabel"]),
                alt_labels=[label for label in split_labels(row.get("altLabels")) if label != row["preferredLabel"]],
                framework=Framework.ESCO,
                framework_uri=collapse_whitespace(row["conceptUri"]),
                skill_type=skill_type(skill_id, row.get("skillType", ""), transversal, language_ids),
                broader=[parent for parent in broader.get(skill_id, []) if parent in groups or parent.startswith("esco:skill:")],
                source=DATASET,
                reuse_level=collapse_whitespace(row.get("reuseLevel")) or None,
            )
        except (ValueError, ValidationError) as error:
            report.reject(position, str(error).splitlines()[0], field="conceptUri", value=row.get("conceptUri"))
            continue
        skills.append(skill)

    group_skills = [make_group(group_id, label, code, broader) for group_id, (label, code) in groups.items()]
    report.accepted = len(skills) + len(group_skills)
    logger.info("ESCO: %d skills and %d skill groups", len(skills), len(group_skills))
    return ImportResult[Skill](items=[*skills, *group_skills], report=report)


def skill_type(skill_id: str, esco_type: str, transversal: set[str], language_ids: set[str]) -> SkillType:
    """Return the project skill type: language and transversal first, then ESCO's own type."""
    if skill_id in language_ids:
        return SkillType.LANGUAGE
    if skill_id in transversal:
        return SkillType.TRANSVERSAL
    return SKILL_TYPES.get(collapse_whitespace(esco_type), SkillType.SKILL)


def read_skill_groups(path: Path) -> dict[str, tuple[str, str]]:
    """Read the skill hierarchy into {group id: (label, code)} for every level."""
    groups: dict[str, tuple[str, str]] = {}
    for _, row in read_rows(path):
        for level in range(4):
            uri = row.get(f"Level {level} URI", "")
            if uri.strip():
                groups.setdefault(esco_id(uri), (collapse_whitespace(row[f"Level {level} preferred term"]), collapse_whitespace(row.get(f"Level {level} code"))))
    return groups


def read_broader(path: Path) -> dict[str, list[str]]:
    """Read {concept id: [broader concept ids]} from the skill pillar's broader relations."""
    broader: dict[str, list[str]] = {}
    for _, row in read_rows(path):
        broader.setdefault(esco_id(row["conceptUri"]), []).append(esco_id(row["broaderUri"]))
    return broader


def language_roots(groups: dict[str, tuple[str, str]]) -> set[str]:
    """Return the ids of the language skill groups, whose codes start with 'L'."""
    return {group_id for group_id, (_, code) in groups.items() if code.startswith(LANGUAGE_GROUP_CODE)}


def descendants_of(roots: set[str], broader: dict[str, list[str]]) -> set[str]:
    """Return every concept whose chain of broader concepts reaches one of the roots."""
    found: dict[str, bool] = {}

    def reaches(concept: str, path: frozenset[str]) -> bool:
        if concept in roots:
            return True
        if concept in found:
            return found[concept]
        result = any(reaches(parent, path | {concept}) for parent in broader.get(concept, []) if parent not in path)
        found[concept] = result
        return result

    return {concept for concept in broader if reaches(concept, frozenset())}


def make_group(group_id: str, label: str, code: str, broader: dict[str, list[str]]) -> Skill:
    """Build a skill-group entry so that every broader id of a skill names a known entry."""
    return Skill(
        id=group_id,
        label=label or group_id,
        framework=Framework.ESCO,
        framework_uri=URI_PREFIX + group_id.removeprefix("esco:").replace(":", "/"),
        framework_code=code or None,
        skill_type=SkillType.LANGUAGE if code.startswith(LANGUAGE_GROUP_CODE) else SkillType.SKILL,
        broader=broader.get(group_id, []),
        source=DATASET,
        is_group=True,
    )


def import_esco_occupations(directory: Path) -> ImportResult[Occupation]:
    """Read ESCO occupations with their essential and optional skills.

    Relations that point at an occupation missing from the occupation list are rejected in
    the report rather than attached to anything.
    """
    report = ImportReport(source=str(directory / "occupationSkillRelations.csv"))
    occupations: dict[str, Occupation] = {}
    for line, row in read_rows(directory / "occupations_en.csv"):
        try:
            occupation = make_occupation(row, f"line {line}")
        except (ValueError, ValidationError) as error:
            report.reject(f"line {line}", str(error).splitlines()[0], field="conceptUri", value=row.get("conceptUri"), file=str(directory / "occupations_en.csv"))
            continue
        occupations[occupation.id] = occupation

    for line, row in read_rows(directory / "occupationSkillRelations.csv"):
        attach_relation(row, f"line {line}", occupations, report)

    report.accepted = len(occupations)
    logger.info("ESCO: %d occupations, %d relations rejected", len(occupations), len(report.rejected))
    return ImportResult[Occupation](items=list(occupations.values()), report=report)


def make_occupation(row: dict[str, str], position: str) -> Occupation:
    """Build an occupation without skills from one row of the occupation list."""
    title = collapse_whitespace(row["preferredLabel"])
    return Occupation(
        id=esco_id(row["conceptUri"]),
        title=title,
        alt_titles=[label for label in split_labels(row.get("altLabels")) if label != title],
        framework=Framework.ESCO,
        framework_uri=collapse_whitespace(row["conceptUri"]),
        framework_code=collapse_whitespace(row.get("code")) or None,
        source=SourceRef(dataset=DATASET, position=position, licence=ATTRIBUTION),
        isco_group=collapse_whitespace(row.get("iscoGroup")) or None,
    )


def attach_relation(row: dict[str, str], position: str, occupations: dict[str, Occupation], report: ImportReport) -> None:
    """Add one occupation-skill relation to its occupation, or reject it in the report."""
    try:
        occupation_id = esco_id(row["occupationUri"])
        skill_id = esco_id(row["skillUri"])
    except ValueError as error:
        report.reject(position, str(error), field="occupationUri", value=row.get("occupationUri"))
        return

    occupation = occupations.get(occupation_id)
    if occupation is None:
        report.reject(position, "occupation not in the released occupation list", field="occupationUri", value=row["occupationUri"])
        return

    relation = collapse_whitespace(row.get("relationType")).lower()
    if relation not in {"essential", "optional"}:
        report.reject(position, "relation type is neither essential nor optional", field="relationType", value=relation)
        return

    essential = relation == "essential"
    occupation.required_skills.append(
        RequiredSkill(
            skill_id=skill_id,
            level=ESSENTIAL_LEVEL if essential else OPTIONAL_LEVEL,
            importance=ESSENTIAL_IMPORTANCE if essential else OPTIONAL_IMPORTANCE,
            essential=essential,
        )
    )
