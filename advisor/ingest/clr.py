"""CLR 2.0 ``ClrCredential``: each embedded credential becomes an earned achievement.

The embedded credentials sit in ``credentialSubject.verifiableCredential`` as objects or as
compact JWTs. Associations (``isChildOf``, ``isParentOf``, ``precedes`` and the rest) link
achievement ids. Each is kept on the achievements at both of its ends, in the extra field
``associations``, with the item ids of the achievements at either end.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from advisor.domain import EarnedAchievement
from advisor.errors import InvalidInputError
from advisor.ingest.jwt_form import decode_jwt
from advisor.ingest.openbadges import map_credential
from advisor.ingest.record_context import RecordContext
from advisor.ingest.record_values import as_list, id_of, text_of, type_names

logger = logging.getLogger(__name__)


def is_clr_credential(data: Any) -> bool:
    """Return whether a JSON value is a CLR 2.0 credential."""
    return isinstance(data, dict) and "ClrCredential" in type_names(data.get("type"))


def clr_subject(clr: dict[str, Any]) -> dict[str, Any]:
    """Return the CLR subject, raising when the credential has none."""
    subject = clr.get("credentialSubject")
    if isinstance(subject, list) and subject:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise InvalidInputError(
            "The CLR credential has no credentialSubject object.",
            value=type(subject).__name__,
            hint="A ClrCredential carries its achievements in credentialSubject.verifiableCredential.",
        )
    return subject


def map_clr(
    clr: dict[str, Any], context: RecordContext
) -> tuple[list[EarnedAchievement], dict[str, Any]]:
    """Map the embedded credentials of a CLR; return the achievements and record extra fields."""
    subject = clr_subject(clr)
    credentials = subject.get("verifiableCredential")
    base = "$.credentialSubject.verifiableCredential"
    if credentials is not None and not isinstance(credentials, list):
        context.report.reject(
            base, "expected a list of credentials", value=type(credentials).__name__
        )
        credentials = []

    achievements = map_embedded(as_list(credentials), base, context)
    associations = map_associations(subject, achievements, context)

    extra = {
        "source_format": "clr-2.0",
        "subject_id": id_of(subject.get("id")),
        "clr_id": id_of(clr.get("id")),
        "clr_name": text_of(clr.get("name")),
        "clr_issuer": id_of(clr.get("issuer")),
        "clr_associations": associations,
        "clr_achievements": [
            {"id": id_of(item.get("id")), "name": text_of(item.get("name"))}
            for item in as_list(subject.get("achievement"))
            if isinstance(item, dict)
        ],
    }
    return achievements, {key: value for key, value in extra.items() if value not in (None, [])}


def map_embedded(
    credentials: list[Any], base: str, context: RecordContext
) -> list[EarnedAchievement]:
    """Map each embedded credential; one bad credential is reported and the rest go on."""
    achievements = []
    for index, item in enumerate(credentials):
        position = f"{base}[{index}]"
        if isinstance(item, str):
            try:
                item = decode_jwt(item).credential
            except InvalidInputError as error:
                context.report.reject(position, error.message, value=item[:60])
                continue

        achievement = map_credential(item, position, context)
        if achievement is not None:
            achievements.append(achievement)
    return achievements


def map_associations(
    subject: dict[str, Any], achievements: list[EarnedAchievement], context: RecordContext
) -> list[dict[str, Any]]:
    """Attach associations to the achievements they link and return them all with item ids."""
    items_by_achievement: dict[str, list[str]] = defaultdict(list)
    for achievement in achievements:
        achievement_id = (achievement.model_extra or {}).get("achievement_id")
        if achievement_id:
            items_by_achievement[achievement_id].append(achievement.id)

    linked: list[dict[str, Any]] = []
    raw = as_list(subject.get("association")) + as_list(subject.get("associations"))
    for index, value in enumerate(raw):
        if not isinstance(value, dict) or not value.get("sourceId") or not value.get("targetId"):
            context.report.warn(
                f"$.credentialSubject.association[{index}]",
                "association skipped: it needs sourceId and targetId",
                value=value,
            )
            continue
        linked.append(
            {
                "association_type": text_of(value.get("associationType")),
                "source_id": value["sourceId"],
                "target_id": value["targetId"],
                "source_item_ids": items_by_achievement.get(value["sourceId"], []),
                "target_item_ids": items_by_achievement.get(value["targetId"], []),
            }
        )

    for achievement in achievements:
        own_id = (achievement.model_extra or {}).get("achievement_id")
        own = [link for link in linked if own_id in (link["source_id"], link["target_id"])]
        if own:
            achievement.associations = own
    return linked
