"""Domain models shared by every layer. Imports nothing from the project but itself."""

from advisor.domain.catalog import (
    CourseLevel,
    Credential,
    CredentialKind,
    Modality,
    Occupation,
    SourceRef,
)
from advisor.domain.knowledge import KnowledgeBase
from advisor.domain.records import (
    AchievementResult,
    Alignment,
    Degree,
    EarnedAchievement,
    Evidence,
    EvidenceStrength,
    LearnerRecord,
    Preferences,
    Project,
    SelfReportedSkill,
    SkillEvidence,
    WorkExperience,
)
from advisor.domain.reports import ImportReport, ImportResult, Rejection
from advisor.domain.skills import (
    Framework,
    Proficiency,
    RequiredSkill,
    Skill,
    SkillLevel,
    SkillType,
)

__all__ = [
    "AchievementResult",
    "Alignment",
    "CourseLevel",
    "Credential",
    "CredentialKind",
    "Degree",
    "EarnedAchievement",
    "Evidence",
    "EvidenceStrength",
    "Framework",
    "ImportReport",
    "ImportResult",
    "KnowledgeBase",
    "LearnerRecord",
    "Modality",
    "Occupation",
    "Preferences",
    "Proficiency",
    "Project",
    "Rejection",
    "RequiredSkill",
    "SelfReportedSkill",
    "Skill",
    "SkillEvidence",
    "SkillLevel",
    "SkillType",
    "SourceRef",
    "WorkExperience",
]
