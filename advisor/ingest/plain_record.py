"""The project's plain record format: a direct, friendly JSON or YAML form of ``LearnerRecord``.

The format is documented with a complete example in ``knowledge_base/record-format.md``.
Each item is validated on its own, so one bad item is reported and the others are kept.
A plain record is written by the learner, so ``verified`` and ``endorsed`` are always False.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from advisor.domain import (
    Degree,
    EarnedAchievement,
    Preferences,
    Project,
    SelfReportedSkill,
    WorkExperience,
)
from advisor.domain.skills import Proficiency
from advisor.ingest.alignment_join import alignment_index
from advisor.ingest.openbadges import map_alignments
from advisor.ingest.record_context import RecordContext
from advisor.ingest.record_values import content_key, stable_item_id

logger = logging.getLogger(__name__)

SECTIONS: dict[str, tuple[tuple[str, ...], type[BaseModel], str]] = {
    "achievements": (("achievements", "credentials", "badges"), EarnedAchievement, "ach"),
    "degrees": (("degrees", "education"), Degree, "deg"),
    "work_experience": (("work_experience", "work", "employment"), WorkExperience, "work"),
    "projects": (("projects",), Project, "proj"),
    "self_reported_skills": (("self_reported_skills", "skills"), SelfReportedSkill, "skill"),
}
RECORD_KEYS = frozenset(
    {"learner_id", "name", "preferences"}
    | {alias for aliases, _, _ in SECTIONS.values() for alias in aliases}
)

LEVEL_NAMES = {
    "beginner": Proficiency.FOUNDATIONAL,
    "basic": Proficiency.FOUNDATIONAL,
    "foundational": Proficiency.FOUNDATIONAL,
    "intermediate": Proficiency.INTERMEDIATE,
    "advanced": Proficiency.ADVANCED,
    "expert": Proficiency.EXPERT,
}


def is_plain_record(data: Any) -> bool:
    """Return whether a mapping looks like a plain record: no credential type, a plain key."""
    if not isinstance(data, dict) or "type" in data or "@context" in data:
        return False
    return bool(RECORD_KEYS & set(data))


def map_plain(
    data: dict[str, Any], context: RecordContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate a plain record item by item; return the record fields and extra fields."""
    fields: dict[str, Any] = {
        "name": data.get("name") if isinstance(data.get("name"), str) else None
    }
    for section, (aliases, model, prefix) in SECTIONS.items():
        key = next((alias for alias in aliases if alias in data), None)
        if key is not None:
            fields[section] = map_section(data[key], key, model, prefix, context)

    fields["preferences"] = map_preferences(data.get("preferences"), context)
    extra = {key: value for key, value in data.items() if key not in RECORD_KEYS}
    return fields, {"source_format": "plain", **extra}


def map_section(
    values: Any, key: str, model: type[BaseModel], prefix: str, context: RecordContext
) -> list[BaseModel]:
    """Validate the items of one section; report each one that cannot be kept."""
    if not isinstance(values, list):
        context.report.reject(f"$.{key}", "expected a list of items", value=type(values).__name__)
        return []

    prepare = PREPARERS.get(model, lambda item, position, context: item)
    items = []
    for index, value in enumerate(values):
        position = f"$.{key}[{index}]"
        if isinstance(value, str) and model is SelfReportedSkill:
            value = {"name": value}
        if not isinstance(value, dict):
            context.report.reject(position, "expected an object", value=type(value).__name__)
            continue
        if context.reject_long_text(value, position):
            continue

        item = validate_item(
            prepare(dict(value), position, context), model, prefix, position, context
        )
        if item is not None and context.claim_id(item.id, position):
            items.append(item)
    return items


def validate_item(
    value: dict[str, Any],
    model: type[BaseModel],
    prefix: str,
    position: str,
    context: RecordContext,
) -> Any:
    """Fill a missing id, then validate one item against its model."""
    if not value.get("id"):
        value["id"] = stable_item_id(prefix, content_key(value))
        context.report.warn(
            position, "the item has no id; one is derived from its content", field="id"
        )

    try:
        return model.model_validate(value)
    except ValidationError as error:
        context.report.reject_invalid(position, error, "invalid item")
        return None


def prepare_achievement(
    value: dict[str, Any], position: str, context: RecordContext
) -> dict[str, Any]:
    """Accept friendly names, clear self-asserted trust flags and join alignments."""
    value = rename(
        value, {"type": "achievement_type", "credential": "credential_id", "date": "issued_on"}
    )
    for flag in ("verified", "endorsed"):
        if value.pop(flag, False):
            context.report.warn(
                position,
                f"'{flag}' is ignored in a plain record; only an issued credential sets it",
                field=flag,
                value=True,
            )

    raw_alignments = value.get("alignments")
    if isinstance(raw_alignments, list):
        camel = [camel_alignment(item) for item in raw_alignments if isinstance(item, dict)]
        value["alignments"] = context.join(map_alignments(camel))

    joined = [
        a.credential_id for a in value.get("alignments", []) if getattr(a, "credential_id", None)
    ]
    value["credential_id"] = resolve_credential(value.get("credential_id"), position, context) or (
        joined[0] if joined else None
    )
    return value


def camel_alignment(item: dict[str, Any]) -> dict[str, Any]:
    """Return an alignment with Open Badges key names, accepting snake_case keys too."""
    names = {
        "target_name": "targetName",
        "target_url": "targetUrl",
        "target_code": "targetCode",
        "target_framework": "targetFramework",
        "target_type": "targetType",
        "target_description": "targetDescription",
    }
    return {names.get(key, key): value for key, value in item.items()}


def resolve_credential(reference: Any, position: str, context: RecordContext) -> str | None:
    """Return the catalog id a credential reference (id or URL) names, warning when unknown."""
    if not isinstance(reference, str) or not reference.strip():
        return None
    if context.knowledge_base is None:
        return reference

    found = alignment_index(context.knowledge_base).credential_for(reference)
    if found is None:
        context.report.warn(
            position,
            "the catalog has no credential with this id or URL",
            field="credential",
            value=reference,
        )
    return found


def prepare_skill(value: dict[str, Any], position: str, context: RecordContext) -> dict[str, Any]:
    """Accept a level as a name (beginner to expert) or a number from 1 to 4."""
    value = dict(value)
    if "id" not in value and isinstance(value.get("name"), str):
        value["id"] = stable_item_id("skill", value["name"].strip().lower())

    level = value.get("level")
    if isinstance(level, str):
        known = LEVEL_NAMES.get(level.strip().lower())
        if known is None:
            context.report.warn(
                position,
                "unknown level ignored; use beginner, intermediate, advanced or expert",
                field="level",
                value=level,
            )
        value["level"] = known
    return value


def prepare_work(value: dict[str, Any], position: str, context: RecordContext) -> dict[str, Any]:
    """Accept ``role``/``employer`` as names for ``title``/``organization``."""
    return rename(value, {"role": "title", "employer": "organization"})


def map_preferences(value: Any, context: RecordContext) -> Preferences:
    """Validate the preferences, falling back to none stated when they are invalid."""
    if value is None:
        return Preferences()
    try:
        return Preferences.model_validate(value)
    except ValidationError as error:
        context.report.reject_invalid("$.preferences", error, "invalid preferences ignored")
        return Preferences()


def rename(value: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Return a copy with friendly keys renamed, unless the model's own key is also present."""
    renamed = dict(value)
    for friendly, own in names.items():
        if friendly in renamed and own not in renamed:
            renamed[own] = renamed.pop(friendly)
    return renamed


PREPARERS: dict[type[BaseModel], Callable[[dict[str, Any], str, RecordContext], dict[str, Any]]] = {
    EarnedAchievement: prepare_achievement,
    SelfReportedSkill: prepare_skill,
    WorkExperience: prepare_work,
}

