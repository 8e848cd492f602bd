"""Skills, proficiency levels and references to skills from other models."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Proficiency(IntEnum):
    """Proficiency on the project's four-step scale.

    Catalog levels (Beginner, Intermediate, Advanced), O*NET level ratings (0 to 7) and
    result values in learner records are all mapped onto this scale by the importers.
    """

    FOUNDATIONAL = 1
    INTERMEDIATE = 2
    ADVANCED = 3
    EXPERT = 4


class Framework(StrEnum):
    """Skill framework a skill comes from."""

    ESCO = "esco"
    ONET = "onet"
    CATALOG = "catalog"
    OTHER = "other"


class SkillType(StrEnum):
    """Kind of skill, following the ESCO skill types plus O*NET technology examples."""

    SKILL = "skill"
    KNOWLEDGE = "knowledge"
    TECHNOLOGY = "technology"
    TRANSVERSAL = "transversal"
    LANGUAGE = "language"


class Skill(BaseModel):
    """A skill of the taxonomy: ESCO skill, O*NET skill or technology, or catalog skill."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, description="Stable project id, such as 'esco:skill:<uuid>'.")
    label: str = Field(min_length=1, description="Preferred label.")
    alt_labels: list[str] = Field(default_factory=list)
    framework: Framework
    framework_uri: str | None = Field(default=None, description="ESCO concept URI or similar.")
    framework_code: str | None = Field(default=None, description="O*NET element id or similar.")
    skill_type: SkillType = SkillType.SKILL
    broader: list[str] = Field(default_factory=list, description="Ids of broader skill groups.")
    source: str | None = Field(default=None, description="Dataset the skill was read from.")

    def all_labels(self) -> list[str]:
        """Return the preferred label followed by the alternative labels."""
        return [self.label, *self.alt_labels]


class SkillLevel(BaseModel):
    """A skill at a proficiency level, as taught by a credential or required by a goal."""

    skill_id: str = Field(min_length=1)
    level: Proficiency = Proficiency.INTERMEDIATE
    source_label: str | None = Field(
        default=None, description="Skill name as the source wrote it, before mapping to skill_id."
    )
    mapping_rule: str | None = Field(
        default=None,
        description="Rule that mapped source_label to skill_id (exact, variant, fuzzy, verb_object, "
        "synonym, embedding, reverse_embedding or new), with ':<score>' after the similarity rules.",
    )


class RequiredSkill(SkillLevel):
    """A skill an occupation or goal requires, with its weight in the gap."""

    importance: float = Field(default=1.0, ge=0.0, le=1.0)
    essential: bool = True


def extra_fields(model: BaseModel) -> dict[str, Any]:
    """Return the fields a model kept beyond its declared ones."""
    return dict(model.model_extra or {})
