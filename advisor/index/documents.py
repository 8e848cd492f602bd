"""Index documents: the short text, metadata and content hashes of each domain item.

Texts stay short on purpose (titles, kinds, levels and skill labels, not long descriptions),
because embedding time grows with text length and the catalog contains thousands of items.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.domain import (
    Credential,
    Degree,
    EarnedAchievement,
    LearnerRecord,
    Occupation,
    Project,
    SelfReportedSkill,
    Skill,
    WorkExperience,
)

MAX_SKILL_LABELS = 12
MAX_ALT_LABELS = 6
MAX_DESCRIPTION_CHARS = 200
TEXT_HASH_KEY = "text_hash"
CONTENT_HASH_KEY = "content_hash"

MetadataValue = str | int | float | bool


@dataclass(frozen=True)
class IndexDocument:
    """One item as the index stores it: stable id, text to embed, scalar metadata and hashes."""

    id: str
    text: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def text_hash(self) -> str:
        """Return the hash of the text alone, which decides whether the vector must change."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def content_hash(self) -> str:
        """Return the hash of text and metadata, which decides whether the item changed at all."""
        payload = json.dumps([self.text, self.metadata], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def stored_metadata(self) -> dict[str, MetadataValue]:
        """Return the metadata written to Chroma: the item's fields plus both hashes."""
        return {**self.metadata, TEXT_HASH_KEY: self.text_hash, CONTENT_HASH_KEY: self.content_hash}


def clean_text(parts: Iterable[str | None], separator: str = ". ") -> str:
    """Join the non-empty parts with ``separator``, collapsing the whitespace inside each part."""
    cleaned = [" ".join(part.split()) for part in parts if part and part.strip()]
    return separator.join(cleaned)


def scalar_metadata(values: Mapping[str, Any]) -> dict[str, MetadataValue]:
    """Drop empty values and turn enums into their string values, as Chroma stores scalars only."""
    result: dict[str, MetadataValue] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        if isinstance(value, (bool, int, float)):
            result[key] = value
        else:
            result[key] = str(getattr(value, "value", value))
    return result


def skill_labels(skill_ids: Iterable[str], skills: Mapping[str, Skill]) -> list[str]:
    """Return the preferred labels of the known skills among ``skill_ids``, without repeats."""
    labels: list[str] = []
    for skill_id in skill_ids:
        skill = skills.get(skill_id)
        if skill is not None and skill.label not in labels:
            labels.append(skill.label)
    return labels[:MAX_SKILL_LABELS]


def credential_document(credential: Credential, skills: Mapping[str, Skill]) -> IndexDocument:
    """Describe a credential by title, provider, kind, level and the labels of its skills."""
    labels = skill_labels((item.skill_id for item in credential.skills), skills)
    level = f"{credential.level.value} level" if credential.level else None
    text = clean_text(
        [
            credential.title,
            credential.provider,
            clean_text([credential.kind.value, level], separator=", "),
            f"Skills: {', '.join(labels)}" if labels else None,
        ]
    )
    metadata = scalar_metadata(
        {
            "title": credential.title,
            "provider": credential.provider,
            "kind": credential.kind,
            "level": credential.level,
            "language": credential.language,
            "modality": credential.modality,
            "hours": credential.hours,
            "cost": credential.cost,
            "currency": credential.currency,
        }
    )
    return IndexDocument(credential.id, text, metadata)


def credential_title_document(credential: Credential) -> IndexDocument:
    """Describe a credential by its title alone, for scoring goal relevance without skill labels."""
    return IndexDocument(credential.id, clean_text([credential.title]))


def skill_document(skill: Skill) -> IndexDocument:
    """Describe a skill by its preferred label and a few alternative labels."""
    alternatives = [label for label in skill.alt_labels if label != skill.label][:MAX_ALT_LABELS]
    text = clean_text([skill.label, *alternatives], separator="; ")
    metadata = scalar_metadata(
        {"label": skill.label, "framework": skill.framework, "skill_type": skill.skill_type}
    )
    return IndexDocument(skill.id, text, metadata)


def occupation_document(occupation: Occupation) -> IndexDocument:
    """Describe an occupation by its title and a few alternative titles."""
    alternatives = [title for title in occupation.alt_titles if title != occupation.title]
    text = clean_text([occupation.title, *alternatives[:MAX_ALT_LABELS]], separator="; ")
    metadata = scalar_metadata({"title": occupation.title, "framework": occupation.framework})
    return IndexDocument(occupation.id, text, metadata)


def record_item_id(learner_id: str, item_id: str) -> str:
    """Return the Chroma id of a record item, unique across learners.

    The learner id's length comes first, so no two (learner, item) pairs share an id even
    when ids contain the separator.
    """
    return f"record:{len(learner_id)}:{learner_id}:{item_id}"


def record_documents(record: LearnerRecord) -> list[IndexDocument]:
    """Describe every item of a learner's record, each tagged with the learner id."""
    groups: list[tuple[str, list[Any], Callable[[Any], str]]] = [
        ("achievement", record.achievements, _achievement_text),
        ("degree", record.degrees, _degree_text),
        ("work_experience", record.work_experience, _work_text),
        ("project", record.projects, _project_text),
        ("self_reported_skill", record.self_reported_skills, _self_reported_text),
    ]
    documents: list[IndexDocument] = []
    for item_type, items, describe in groups:
        for item in items:
            title = item.name if isinstance(item, SelfReportedSkill) else item.title
            documents.append(
                _record_document(record.learner_id, item_type, item.id, title, describe(item))
            )
    return documents


def _record_document(
    learner_id: str, item_type: str, item_id: str, title: str, text: str
) -> IndexDocument:
    metadata = scalar_metadata(
        {"learner_id": learner_id, "item_id": item_id, "item_type": item_type, "title": title}
    )
    return IndexDocument(record_item_id(learner_id, item_id), text, metadata)


def _skills_part(skills: list[str]) -> str | None:
    return f"Skills: {', '.join(skills[:MAX_SKILL_LABELS])}" if skills else None


def _achievement_text(achievement: EarnedAchievement) -> str:
    aligned = [
        alignment.target_name for alignment in achievement.alignments if alignment.target_name
    ]
    skills = list(dict.fromkeys([*achievement.skills, *aligned]))
    parts = [achievement.title, achievement.issuer, achievement.achievement_type]
    return clean_text([*parts, _skills_part(skills)])


def _degree_text(degree: Degree) -> str:
    parts = [degree.title, degree.field, degree.level, degree.institution]
    return clean_text([*parts, _skills_part(degree.skills)])


def _work_text(job: WorkExperience) -> str:
    return clean_text([job.title, job.organization, _skills_part(job.skills)])


def _project_text(project: Project) -> str:
    description = (project.description or "")[:MAX_DESCRIPTION_CHARS]
    return clean_text([project.title, description, _skills_part(project.skills)])


def _self_reported_text(skill: SelfReportedSkill) -> str:
    level = skill.level.name.lower() if skill.level else None
    return clean_text([skill.name, level])
