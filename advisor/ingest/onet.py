"""Importers for O*NET: the 35 skills, technology examples and occupations with their ratings.

O*NET skill ratings come from O*NET 26.0 (importance IM 1-5, level LV 0-7); the technology
examples and alternate titles from O*NET 28 or later.
"""

from __future__ import annotations

import logging
from pathlib import Path


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
from advisor.ingest.cleaning import collapse_whitespace, slugify, unique_in_order
from advisor.ingest.tables import read_rows

logger = logging.getLogger(__name__)

DATASET = "onet"
ATTRIBUTION = "O*NET database by USDOL/ETA, CC BY 4.0. O*NET is a trademark of USDOL/ETA."
ESSENTIAL_MIN_IMPORTANCE = 3.0

# Upper bounds (exclusive) of O*NET level ratings for each proficiency step.
LEVEL_STEPS = ((2.0, Proficiency.FOUNDATIONAL), (4.0, Proficiency.INTERMEDIATE), (5.5, Proficiency.ADVANCED))

# Technology skills an occupation requires, by flag: (importance, essential).
TECHNOLOGY_WEIGHTS = {(True, True): (1.0, True), (False, True): (0.75, True), (True, False): (0.5, False)}
TECHNOLOGY_LEVEL = Proficiency.INTERMEDIATE


def skill_id(element_id: str) -> str:
    """Return the project id of an O*NET skill, such as 'onet:skill:2.A.1.a'."""
    return f"onet:skill:{element_id}"


def technology_id(example: str) -> str:
    """Return the project id of an O*NET technology example, such as 'onet:tech:microsoft-excel'."""
    return f"onet:tech:{slugify(example)}"


def importance_from_im(value: float) -> float:
    """Map an O*NET importance rating (1 to 5) linearly onto 0 to 1."""
    return round(min(max((value - 1.0) / 4.0, 0.0), 1.0), 3)


def proficiency_from_lv(value: float) -> Proficiency:
    """Map an O*NET level rating (0 to 7) onto the four-step proficiency scale."""
    for upper, step in LEVEL_STEPS:
        if value < upper:
            return step
    return Proficiency.EXPERT


def is_flag_set(text: str | None) -> bool:
    """Tell whether an O*NET Y/N flag is 'Y'."""
    return collapse_whitespace(text).upper() == "Y"


def import_onet_skills(path: Path) -> ImportResult[Skill]:
    """Read the 35 O*NET skills (element id and name) from the skills ratings file."""
    report = ImportReport(source=str(path))
    skills: dict[str, Skill] = {}
    for _, row in read_rows(path):
        element = collapse_whitespace(row.get("Element ID"))
        if element and element not in skills:
            skills[element] = Skill(
                id=skill_id(element),
                label=collapse_whitespace(row["Element Name"]),
                framework=Framework.ONET,
                framework_code=element,
                skill_type=SkillType.SKILL,
                source=DATASET,
            )
    report.accepted = len(skills)
    return ImportResult[Skill](items=list(skills.values()), report=report)


def import_onet_technology(path: Path) -> ImportResult[Skill]:
    """Read every distinct O*NET technology example as a technology skill, with its flags."""
    report = ImportReport(source=str(path))
    skills: dict[str, Skill] = {}
    for line, row in read_rows(path, delimiter="\t"):
        example = collapse_whitespace(row.get("Example"))
        if not example:
            report.reject(f"line {line}", "missing technology example", field="Example", value=row.get("Example"))
            continue

        key = technology_id(example)
        skill = skills.get(key)
        if skill is None:
            skill = Skill(
                id=key,
                label=example,
                framework=Framework.ONET,
                framework_code=collapse_whitespace(row.get("Commodity Code")) or None,
                skill_type=SkillType.TECHNOLOGY,
                source=DATASET,
                commodity_title=collapse_whitespace(row.get("Commodity Title")) or None,
                hot=False,
                in_demand=False,
            )
            skills[key] = skill
        extra = skill.model_extra or {}
        extra["hot"] = extra["hot"] or is_flag_set(row.get("Hot Technology"))
        extra["in_demand"] = extra["in_demand"] or is_flag_set(row.get("In Demand"))

    report.accepted = len(skills)
    logger.info("O*NET: %d technology examples", len(skills))
    return ImportResult[Skill](items=list(skills.values()), report=report)


def import_onet_occupations(directory: Path) -> ImportResult[Occupation]:
    """Read O*NET occupations with rated skills, hot or in-demand technologies and alternate titles."""
    report = ImportReport(source=str(directory / "skills_onet26_im_lv.csv"))
    occupations: dict[str, Occupation] = {}
    for line, row in read_rows(directory / "occupation_data.txt", delimiter="\t"):
        code = collapse_whitespace(row.get("O*NET-SOC Code"))
        title = collapse_whitespace(row.get("Title"))
        if not code or not title:
            report.reject(f"line {line}", "missing code or title", field="O*NET-SOC Code", value=code, file=str(directory / "occupation_data.txt"))
            continue
        occupations[code] = Occupation(
            id=f"onet:occupation:{code}",
            title=title,
            framework=Framework.ONET,
            framework_code=code,
            source=SourceRef(dataset=DATASET, position=f"line {line}", licence=ATTRIBUTION),
        )

    add_rated_skills(directory / "skills_onet26_im_lv.csv", occupations, report)
    add_technology_skills(directory / "technology_skills.txt", occupations, report)
    add_alternate_titles(directory / "alternate_titles.txt", occupations)

    report.accepted = len(occupations)
    logger.info("O*NET: %d occupations, %d rating rows left out", len(occupations), len(report.rejected))
    return ImportResult[Occupation](items=list(occupations.values()), report=report)


def add_rated_skills(path: Path, occupations: dict[str, Occupation], report: ImportReport) -> None:
    """Attach the rated skills, leaving out rows flagged not relevant or suppressed."""
    for line, row in read_rows(path):
        position = f"line {line}"
        occupation = occupations.get(collapse_whitespace(row.get("O*NET-SOC Code")))
        if occupation is None:
            report.reject(position, "occupation not in the occupation list", field="O*NET-SOC Code", value=row.get("O*NET-SOC Code"), file=str(path))
            continue
        if is_flag_set(row.get("LV Not Relevant")):
            report.warn(position, "level flagged not relevant; skill left out", field="LV Not Relevant", value=row.get("Element ID"))
            continue
        if is_flag_set(row.get("IM Recommend Suppress")) or is_flag_set(row.get("LV Recommend Suppress")):
            report.warn(position, "rating flagged for suppression; skill left out", field="Recommend Suppress", value=row.get("Element ID"))
            continue
        try:
            importance = float(row["Importance (IM, 1-5)"])
            level = float(row["Level (LV, 0-7)"])
        except (KeyError, ValueError):
            report.reject(position, "importance or level is not a number", field="Importance (IM, 1-5)", value=row.get("Importance (IM, 1-5)"), file=str(path))
            continue
        occupation.required_skills.append(
            RequiredSkill(
                skill_id=skill_id(collapse_whitespace(row["Element ID"])),
                level=proficiency_from_lv(level),
                importance=importance_from_im(importance),
                essential=importance >= ESSENTIAL_MIN_IMPORTANCE,
                im=importance,
                lv=level,
            )
        )


def add_technology_skills(path: Path, occupations: dict[str, Occupation], report: ImportReport) -> None:
    """Attach each occupation's hot or in-demand technology examples."""
    for line, row in read_rows(path, delimiter="\t"):
        occupation = occupations.get(collapse_whitespace(row.get("O*NET-SOC Code")))
        flags = (is_flag_set(row.get("Hot Technology")), is_flag_set(row.get("In Demand")))
        if flags not in TECHNOLOGY_WEIGHTS:
            continue
        if occupation is None:
            report.reject(f"line {line}", "occupation not in the occupation list", field="O*NET-SOC Code", value=row.get("O*NET-SOC Code"), file=str(path))
            continue
        key = technology_id(collapse_whitespace(row["Example"]))
        if any(skill.skill_id == key for skill in occupation.required_skills):
            continue
        importance, essential = TECHNOLOGY_WEIGHTS[flags]
        occupation.required_skills.append(
            RequiredSkill(skill_id=key, level=TECHNOLOGY_LEVEL, importance=importance, essential=essential)
        )


def add_alternate_titles(path: Path, occupations: dict[str, Occupation]) -> None:
    """Attach alternate titles and short titles to their occupations."""
    titles: dict[str, list[str]] = {}
    for _, row in read_rows(path, delimiter="\t"):
        code = collapse_whitespace(row.get("O*NET-SOC Code"))
        for column in ("Alternate Title", "Short Title"):
            value = collapse_whitespace(row.get(column))
            if value and value.lower() != "n/a":
                titles.setdefault(code, []).append(value)
    for code, found in titles.items():
        if code in occupations:
            occupation = occupations[code]
            occupation.alt_titles = [title for title in unique_in_order(found) if title != occupation.title]
