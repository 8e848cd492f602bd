"""Persona cases of the evaluation set: loading, validation against a knowledge base.

A case is a folder with ``case.yaml`` and the learner record files it names; the format is
described in evals/README.md.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from advisor.domain import Constraints, KnowledgeBase
from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

CASE_FILE = "case.yaml"


class GapSkillRef(BaseModel):
    """A skill the learner lacks toward the goal, named by label, synonyms and optional ids."""

    label: str = Field(min_length=1)
    also: list[str] = Field(default_factory=list, description="Other names of the same skill.")
    ids: list[str] = Field(default_factory=list, description="Taxonomy skill ids (ESCO, O*NET, catalog).")

    @property
    def names(self) -> list[str]:
        """Return the label followed by the synonyms."""
        return [self.label, *self.also]


class Expected(BaseModel):
    """What a careful human advisor expects for a case."""

    acceptable: list[str] = Field(default_factory=list, description="Credential ids worth recommending.")
    must_not: list[str] = Field(default_factory=list, description="Credential ids that must not appear.")
    gap_skills: list[GapSkillRef] = Field(default_factory=list)
    unclosable: list[str] = Field(
        default_factory=list, description="Labels of gap skills no catalog credential teaches."
    )


class Learner(BaseModel):
    """One learner of a case: a record file (None for a cold start) and the catalog credentials it holds."""

    record: str | None = None
    held: list[str] = Field(default_factory=list)


class Case(BaseModel):
    """One persona case: learners, a goal, constraints and the expectations."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    tags: list[str] = Field(default_factory=list)
    goal: str = Field(min_length=1, description="Same syntax as `advisor recommend --goal`.")
    constraints: Constraints = Field(default_factory=Constraints)
    today: date | None = Field(default=None, description="Date the plan starts from.")
    learners: list[Learner] = Field(default_factory=lambda: [Learner()])
    expected: Expected = Field(default_factory=Expected)
    notes: str = ""
    folder: Path | None = Field(default=None, exclude=True)

    @property
    def closable_gap(self) -> list[GapSkillRef]:
        """Return the gap skills the catalog can close."""
        unclosable = {label.casefold() for label in self.expected.unclosable}
        return [skill for skill in self.expected.gap_skills if skill.label.casefold() not in unclosable]

    def record_path(self, learner: Learner) -> Path | None:
        """Return the path of a learner's record file, or None for a cold start."""
        if learner.record is None or self.folder is None:
            return None
        return self.folder / learner.record


def load_case(folder: Path) -> Case:
    """Read one case folder; raise InvalidInputError when case.yaml is missing or invalid."""
    path = folder / CASE_FILE
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist.", value=str(path), hint="Add a case.yaml (see evals/README.md).")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        case = Case.model_validate(data)
    except (yaml.YAMLError, ValidationError) as error:
        raise InvalidInputError(f"{path} is not a valid case: {error}", value=str(path), hint="See evals/README.md.") from error
    case.folder = folder
    for learner in case.learners:
        record = case.record_path(learner)
        if record is not None and not record.is_file():
            raise InvalidInputError(
                f"Case {case.id!r} names a record that does not exist: {record}",
                value=str(record),
                hint="Put the record file beside case.yaml.",
            )
    return case


def load_cases(directory: Path, limit: int | None = None) -> list[Case]:
    """Read every case folder under ``directory``, sorted by id, at most ``limit`` of them."""
    if not directory.is_dir():
        raise InvalidInputError(
            f"The dataset directory {directory} does not exist.",
            value=str(directory),
            hint="Pass --dataset with a folder of case folders, such as evals/personas.",
        )
    folders = sorted(path for path in directory.iterdir() if (path / CASE_FILE).is_file())
    cases = [load_case(folder) for folder in folders]
    logger.info("loaded %d cases from %s", len(cases), directory)
    return cases[:limit] if limit else cases


def validate_case(case: Case, kb: KnowledgeBase) -> list[str]:
    """Return the problems of a case against a knowledge base: unknown ids, contradictions, stale gaps."""
    from advisor.evals.matching import teaching_credentials

    problems: list[str] = []
    named = case.expected.acceptable + case.expected.must_not + [h for item in case.learners for h in item.held]
    problems += [f"unknown credential id {item!r}" for item in dict.fromkeys(named) if item not in kb.credentials]
    problems += [f"{item!r} is both acceptable and must-not" for item in set(case.expected.acceptable) & set(case.expected.must_not)]

    labels = {skill.label.casefold() for skill in case.expected.gap_skills}
    problems += [f"unclosable skill {label!r} is not a gap skill" for label in case.expected.unclosable if label.casefold() not in labels]
    unclosable = {label.casefold() for label in case.expected.unclosable}
    for skill in case.expected.gap_skills:
        teachers = teaching_credentials(kb, skill)
        if skill.label.casefold() in unclosable and teachers:
            problems.append(f"gap skill {skill.label!r} is marked unclosable but {len(teachers)} credentials teach it, such as {teachers[0]!r}")
        if skill.label.casefold() not in unclosable and not teachers:
            problems.append(f"gap skill {skill.label!r} is closable but no credential teaches it")
    return problems
