"""Goals, constraints, skill gaps and pathways: what the engine reads and what it returns.

Every statement the engine makes carries citations: catalog credential ids and learner record
item ids, so that a later layer can phrase it without inventing anything.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from advisor.domain.records import EvidenceStrength, SkillEvidence
from advisor.domain.skills import Proficiency


class GoalKind(StrEnum):
    """Kind of goal a learner aims for."""

    OCCUPATION = "occupation"
    POSTING = "posting"
    SKILLS = "skills"


class GoalSkill(BaseModel):
    """A skill a goal names, as free text, optionally with the level wanted."""

    text: str = Field(min_length=1)
    level: Proficiency | None = None
    importance: float = Field(default=1.0, ge=0.0, le=1.0)


class Goal(BaseModel):
    """A learner's goal: an occupation, a job posting's text, or a list of skills."""

    kind: GoalKind
    occupation: str | None = Field(
        default=None, description="Occupation id, ESCO URI, O*NET code or title."
    )
    text: str | None = Field(default=None, description="Job posting text.")
    skills: list[GoalSkill] = Field(default_factory=list)

    @model_validator(mode="after")
    def check_kind_has_value(self) -> "Goal":
        """Reject a goal whose kind has nothing to work on."""
        if self.kind is GoalKind.OCCUPATION and not (self.occupation or "").strip():
            raise ValueError("an occupation goal needs 'occupation' (an id, code or title)")
        if self.kind is GoalKind.POSTING and not (self.text or "").strip():
            raise ValueError("a posting goal needs 'text' (the job posting)")
        if self.kind is GoalKind.SKILLS and not self.skills:
            raise ValueError("a skills goal needs at least one entry in 'skills'")
        return self


class UnknownCostPolicy(StrEnum):
    """Budget policy for credentials whose cost is unknown."""

    ALLOW = "allow"
    EXCLUDE = "exclude"


class Constraints(BaseModel):
    """Limits a pathway must respect. ``None`` means no limit."""

    hours_per_week: float | None = Field(default=None, gt=0, le=168)
    budget: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    unknown_cost: UnknownCostPolicy = Field(
        default=UnknownCostPolicy.ALLOW,
        description="allow: credentials of unknown cost may enter a budgeted plan and are "
        "reported; exclude: a budget admits only credentials with a known cost.",
    )
    start: date | None = Field(default=None, description="First day of study; today if empty.")
    deadline: date | None = None
    modalities: list[str] = Field(default_factory=list, description="Allowed modalities.")
    languages: list[str] = Field(default_factory=list, description="Allowed BCP 47 languages.")
    max_credentials: int | None = Field(default=None, ge=1)
    exclude: list[str] = Field(default_factory=list, description="Credential ids to leave out.")


class SkillMatch(BaseModel):
    """The result of normalising one skill text onto the taxonomy."""

    text: str
    skill_id: str | None = Field(default=None, description="None when the text is unmatched.")
    label: str | None = None
    method: str = Field(
        description="exact, alt_label, abbreviation, fuzzy, semantic or unmatched."
    )
    score: float = Field(default=1.0, ge=0.0, le=1.0)


class UnmatchedSkill(BaseModel):
    """A skill name from the learner's record that matched no taxonomy skill."""

    text: str
    record_item_ids: list[str] = Field(description="Record items that name it.")
    suggestion_id: str | None = Field(default=None, description="Closest skill id, if one is near.")
    suggestion: str | None = Field(default=None, description="Label of the closest skill.")


class ProfileSkill(BaseModel):
    """A skill of the learner's profile with its strongest evidence."""

    skill_id: str
    label: str
    level: Proficiency = Field(description="Level of the strongest evidence.")
    effective_level: int = Field(ge=0, le=4, description="Level the gap counts (see gap rule).")
    strength: EvidenceStrength
    record_item_ids: list[str] = Field(description="Every record item that evidences it.")
    evidence: list[SkillEvidence] = Field(default_factory=list)


class LearnerProfile(BaseModel):
    """The learner's skills, each with the record items behind it."""

    learner_id: str | None = None
    skills: dict[str, ProfileSkill] = Field(default_factory=dict)
    held_credentials: dict[str, str] = Field(
        default_factory=dict, description="Catalog credential id -> record item id."
    )
    unmatched: list[UnmatchedSkill] = Field(
        default_factory=list, description="Record skill names that matched no taxonomy skill."
    )
    record_item_ids: list[str] = Field(
        default_factory=list, description="Every record item read, with or without skills."
    )


class ResolvedGoal(BaseModel):
    """A goal turned into required taxonomy skills."""

    kind: GoalKind
    title: str
    occupation_id: str | None = None
    required: list[RequiredSkillRef] = Field(default_factory=list)
    matches: list[SkillMatch] = Field(default_factory=list, description="Skills found in the text.")
    unmatched: list[SkillMatch] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class RequiredSkillRef(BaseModel):
    """A required skill of a resolved goal."""

    skill_id: str
    label: str
    level: Proficiency
    importance: float = Field(ge=0.0, le=1.0)
    essential: bool = True


class GapSkill(BaseModel):
    """One required skill, the learner's evidenced level and what is missing."""

    skill_id: str
    label: str
    required_level: Proficiency
    current_level: int = Field(ge=0, le=4, description="Effective level; 0 means no evidence.")
    importance: float
    essential: bool = True
    strength: EvidenceStrength | None = None
    record_item_ids: list[str] = Field(default_factory=list)
    note: str | None = Field(default=None, description="Why the planner treats the skill differently.")

    @property
    def missing_levels(self) -> int:
        """Return the number of levels between the current and the required level."""
        return max(0, int(self.required_level) - self.current_level)

    @property
    def weighted_gap(self) -> float:
        """Return the missing levels times the importance."""
        return self.missing_levels * self.importance


class Gap(BaseModel):
    """The skill gap between a learner's profile and a goal."""

    goal_title: str
    occupation_id: str | None = None
    skills: list[GapSkill] = Field(default_factory=list, description="Skills still missing.")
    met: list[GapSkill] = Field(default_factory=list, description="Skills held at the level.")

    @property
    def total_weight(self) -> float:
        """Return the importance-weighted gap summed over the missing skills."""
        return sum(item.weighted_gap for item in self.skills)


class SkillClosure(BaseModel):
    """A gap skill a step raises, from one level to another."""

    skill_id: str
    label: str
    from_level: int
    to_level: int
    required_level: int
    importance: float


class PrerequisiteNote(BaseModel):
    """A prerequisite of a step and what satisfies it."""

    kind: str = Field(description="credential or skill.")
    target_id: str = Field(description="Credential id or skill id required.")
    label: str
    level: int | None = None
    satisfied_by: str = Field(description="profile, held, or plan.")
    citations: list[str] = Field(default_factory=list)


class StackNote(BaseModel):
    """A larger credential a step is part of."""

    credential_id: str
    title: str
    parts_total: int
    parts_in_plan: int
    parts_held: int

    @property
    def completed(self) -> bool:
        """Return True when the plan and the record together hold every part."""
        return self.parts_in_plan + self.parts_held >= self.parts_total


class PathwayStep(BaseModel):
    """One credential of a pathway, when it comes and why."""

    order: int
    credential_id: str
    title: str
    provider: str | None = None
    hours: float
    hours_estimated: bool = False
    cost: float | None = None
    currency: str | None = None
    start_week: int
    end_week: int
    start_date: date | None = None
    end_date: date | None = None
    closes: list[SkillClosure] = Field(default_factory=list)
    prerequisites: list[PrerequisiteNote] = Field(default_factory=list)
    stacks_into: list[StackNote] = Field(default_factory=list)
    needed_by: list[str] = Field(default_factory=list, description="Steps needing this one.")
    citations: list[str] = Field(default_factory=list)


class OpenGapReason(StrEnum):
    """Reason a gap skill stays open."""

    NO_CREDENTIAL = "no_credential"
    EXCLUDED = "excluded"
    FILTERED = "filtered"
    OVER_BUDGET = "over_budget"
    PAST_DEADLINE = "past_deadline"
    MAX_CREDENTIALS = "max_credentials"
    PREREQUISITE_UNAVAILABLE = "prerequisite_unavailable"
    NOT_CHOSEN = "not_chosen"
    PRACTICE = "practice"


class OpenGap(BaseModel):
    """A gap skill the pathway leaves open, with the reason."""

    skill_id: str
    label: str
    required_level: int
    reached_level: int
    importance: float
    reason: OpenGapReason
    detail: str
    credential_ids: list[str] = Field(
        default_factory=list, description="Credentials that teach it but were left out."
    )


class FurtherOption(BaseModel):
    """A goal-relevant credential outside the plan that still fits the limits after it."""

    credential_id: str
    title: str
    provider: str | None = None
    hours: float
    hours_estimated: bool = False
    relevance: float = Field(description="Cosine similarity of goal text and credential, in [0, 1].")


class Pathway(BaseModel):
    """An ordered plan of credentials and the gaps it leaves open."""

    steps: list[PathwayStep] = Field(default_factory=list)
    open_gaps: list[OpenGap] = Field(default_factory=list)
    covered_weight: float = 0.0
    total_weight: float = 0.0
    total_hours: float = 0.0
    known_cost: float = 0.0
    currency: str | None = None
    unknown_cost_ids: list[str] = Field(default_factory=list)
    weeks: int = 0
    hours_per_week: float
    hours_per_week_default: bool = False
    end_date: date | None = None
    solver: str = Field(description="cp-sat or greedy.")
    optimal: bool = False
    candidates: int = 0
    further_options: list[FurtherOption] = Field(
        default_factory=list, description="Credentials to consider after the plan, most goal-relevant first."
    )
    notes: list[str] = Field(default_factory=list)

    @property
    def credential_ids(self) -> list[str]:
        """Return the credential ids of the steps in order."""
        return [step.credential_id for step in self.steps]


class Alternatives(BaseModel):
    """Other pathways for the same goal, each with why it was or was not found."""

    cheaper: Pathway | None = None
    cheaper_note: str | None = None
    cheaper_proven: bool = Field(
        default=True,
        description="False when ``cheaper`` only has fewer credentials of unknown price, so its "
        "total cost cannot be shown to be lower.",
    )
    faster: Pathway | None = None
    faster_note: str | None = None


class CredentialAssessment(BaseModel):
    """Assessment of one credential for a learner toward a goal."""

    credential_id: str
    title: str
    held: bool
    closes: list[SkillClosure] = Field(default_factory=list)
    covered_weight: float = 0.0
    hours: float
    hours_estimated: bool = False
    cost: float | None = None
    currency: str | None = None
    missing_prerequisites: list[PrerequisiteNote] = Field(default_factory=list)
    stacks_into: list[StackNote] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    """Two credentials side by side for one learner and goal."""

    first: CredentialAssessment
    second: CredentialAssessment
    more_gap_closed: str | None = Field(default=None, description="Credential id, or None on a tie.")
    fewer_hours: str | None = None
    cheaper: str | None = Field(default=None, description="None on a tie or an unknown cost.")
    summary: str


class Advice(BaseModel):
    """Everything the engine works out for one learner, goal and set of constraints."""

    goal: ResolvedGoal
    profile: LearnerProfile
    gap: Gap
    pathway: Pathway
    constraints: Constraints
    alternatives: Alternatives | None = None


ResolvedGoal.model_rebuild()
