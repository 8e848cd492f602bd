"""Credentials of the catalog and the occupations learners aim for."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from advisor.domain.skills import Framework, RequiredSkill, SkillLevel


class CredentialKind(StrEnum):
    """Kind of credential, from a single module up to a degree."""

    COURSE = "course"
    MODULE = "module"
    MICROCREDENTIAL = "microcredential"
    BADGE = "badge"
    CERTIFICATE = "certificate"
    DEGREE = "degree"


class Modality(StrEnum):
    """How a credential is delivered."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    BLENDED = "blended"


class CourseLevel(StrEnum):
    """Level a provider states for a credential."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    MIXED = "mixed"


class SourceRef(BaseModel):
    """Where a catalog item was read from, for attribution and error reports."""

    dataset: str = Field(description="Dataset name, such as 'coursera_catalog'.")
    position: str | None = Field(default=None, description="Row number or JSON path.")
    licence: str | None = None
    url: str | None = None


class Credential(BaseModel):
    """A credential a learner can earn: course, module, microcredential, badge and so on.

    Unknown fields are kept in ``model_extra``. ``cost`` of ``None`` means the cost is
    unknown, which is never the same as free. ``derived`` names the fields that a
    documented rule filled in rather than the source.
    """

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    provider: str | None = None
    kind: CredentialKind = CredentialKind.COURSE
    description: str | None = None
    skills: list[SkillLevel] = Field(default_factory=list, description="Skills taught.")
    prerequisite_skills: list[SkillLevel] = Field(default_factory=list)
    prerequisite_credentials: list[str] = Field(default_factory=list)
    has_part: list[str] = Field(default_factory=list)
    is_part_of: list[str] = Field(default_factory=list)
    hours: float | None = Field(default=None, ge=0)
    cost: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    modality: Modality = Modality.ONLINE
    language: str = Field(default="en", description="BCP 47 language tag.")
    level: CourseLevel | None = None
    url: HttpUrl | None = None
    source: SourceRef | None = None
    derived: list[str] = Field(default_factory=list)


class Occupation(BaseModel):
    """An occupation or role, with the skills it requires."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    alt_titles: list[str] = Field(default_factory=list)
    framework: Framework
    framework_uri: str | None = None
    framework_code: str | None = None
    required_skills: list[RequiredSkill] = Field(default_factory=list)
    source: SourceRef | None = None
