"""A learner's learning and employment record, and the skill evidence drawn from it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from advisor.domain.skills import Proficiency


class Alignment(BaseModel):
    """An Open Badges alignment: a link from an achievement to a framework item."""

    model_config = ConfigDict(extra="allow")

    target_name: str | None = None
    target_url: str | None = None
    target_code: str | None = None
    target_framework: str | None = None
    target_type: str | None = None
    skill_id: str | None = Field(default=None, description="Taxonomy skill it joined to.")
    credential_id: str | None = Field(default=None, description="Catalog credential it joined to.")


class AchievementResult(BaseModel):
    """A result the learner obtained, such as a grade or a rubric level."""

    model_config = ConfigDict(extra="allow")

    value: str | None = None
    description: str | None = None
    alignment: list[Alignment] = Field(default_factory=list)


class Evidence(BaseModel):
    """Evidence attached to an achievement."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    url: str | None = None


class EarnedAchievement(BaseModel):
    """An achievement the learner earned: badge, microcredential, course, licence."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, description="Item id, unique within the record.")
    title: str = Field(min_length=1)
    issuer: str | None = None
    achievement_type: str | None = None
    issued_on: date | None = None
    verified: bool = Field(default=False, description="Issued as a credential by an issuer.")
    endorsed: bool = False
    credential_id: str | None = Field(default=None, description="Catalog credential it joined to.")
    alignments: list[Alignment] = Field(default_factory=list)
    results: list[AchievementResult] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list, description="Skill names it states.")


class Degree(BaseModel):
    """A degree the learner holds."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    institution: str | None = None
    field: str | None = None
    level: str | None = Field(default=None, description="bachelor, master, doctorate, ...")
    awarded_on: date | None = None
    verified: bool = False
    skills: list[str] = Field(default_factory=list)


class WorkExperience(BaseModel):
    """A position the learner held, with the skills used in it."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    organization: str | None = None
    start: date | None = None
    end: date | None = None
    skills: list[str] = Field(default_factory=list)


class Project(BaseModel):
    """A project the learner did, with the skills it shows."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str | None = None
    url: str | None = None
    skills: list[str] = Field(default_factory=list)


class SelfReportedSkill(BaseModel):
    """A skill the learner states, optionally with a level."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    level: Proficiency | None = None
    endorsed: bool = False


class Preferences(BaseModel):
    """What the learner prefers when a pathway is planned."""

    model_config = ConfigDict(extra="allow")

    hours_per_week: float | None = Field(default=None, gt=0, le=168)
    budget: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    modalities: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)


class LearnerRecord(BaseModel):
    """A learning and employment record. Every item id is unique within the record."""

    model_config = ConfigDict(extra="allow")

    learner_id: str = Field(min_length=1)
    name: str | None = None
    achievements: list[EarnedAchievement] = Field(default_factory=list)
    degrees: list[Degree] = Field(default_factory=list)
    work_experience: list[WorkExperience] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    self_reported_skills: list[SelfReportedSkill] = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=Preferences)

    def item_ids(self) -> set[str]:
        """Return the ids of every item in the record."""
        groups = (
            self.achievements,
            self.degrees,
            self.work_experience,
            self.projects,
            self.self_reported_skills,
        )
        return {item.id for group in groups for item in group}


class EvidenceStrength(StrEnum):
    """How strongly a record item supports a skill, strongest first."""

    VERIFIED = "verified"
    ENDORSED = "endorsed"
    SELF_REPORTED = "self_reported"
    INFERRED = "inferred"


class SkillEvidence(BaseModel):
    """One piece of evidence that the learner has a skill at a level."""

    skill_id: str = Field(min_length=1)
    level: Proficiency
    strength: EvidenceStrength
    record_item_id: str = Field(min_length=1, description="Record item the evidence comes from.")
    note: str | None = None
