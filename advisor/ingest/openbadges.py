"""Open Badges 3.0 ``OpenBadgeCredential`` / ``AchievementCredential`` to ``EarnedAchievement``.

``verified`` means the credential names an issuer. Proofs are not checked, so it does not
yet mean the signature was verified. Status lists (revocation) cannot be checked offline:
the status entry is kept in the extra field ``credential_status``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pydantic import ValidationError

from advisor.domain import AchievementResult, Alignment, EarnedAchievement, Evidence
from advisor.ingest.jwt_form import UNSIGNED_WARNING, is_unsigned
from advisor.ingest.record_context import RecordContext
from advisor.ingest.record_values import (
    as_list,
    content_key,
    id_of,
    name_of,
    parse_date,
    stable_item_id,
    text_of,
    type_names,
)

logger = logging.getLogger(__name__)

CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})

# Alignment target types that name a competency rather than a program or a rubric level.
SKILL_TARGET_TYPES = frozenset({"ceasn:Competency", "CFItem", "ext:Skill", "ext:ESCO", "ext:ONET"})

HANDLED_CREDENTIAL_KEYS = frozenset(
    {
        "@context",
        "id",
        "type",
        "name",
        "description",
        "issuer",
        "validFrom",
        "validUntil",
        "issuanceDate",
        "expirationDate",
        "awardedDate",
        "credentialSubject",
        "evidence",
        "endorsement",
        "endorsementJwt",
        "credentialStatus",
        "proof",
        "credentialSchema",
        "refreshService",
        "image",
        "jwt_header",
    }
)
HANDLED_ACHIEVEMENT_KEYS = frozenset(
    {
        "id",
        "type",
        "name",
        "description",
        "achievementType",
        "creator",
        "criteria",
        "alignment",
        "resultDescription",
        "endorsement",
        "endorsementJwt",
        "image",
        "tag",
        "fieldOfStudy",
        "specialization",
        "creditsAvailable",
        "humanCode",
    }
)


def is_achievement_credential(data: Any) -> bool:
    """Return whether a JSON value is an Open Badges 3.0 achievement credential."""
    return isinstance(data, dict) and bool(CREDENTIAL_TYPES & set(type_names(data.get("type"))))


def map_credential(vc: Any, position: str, context: RecordContext) -> EarnedAchievement | None:
    """Map one achievement credential to an earned achievement, or report why it cannot be."""
    if not isinstance(vc, dict):
        context.report.reject(position, "expected a credential object", value=type(vc).__name__)
        return None
    if context.reject_long_text(vc, position):
        return None

    subject = vc.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if subject is not None and not isinstance(subject, dict):
        context.report.reject(
            f"{position}.credentialSubject", "expected an object", value=type(subject).__name__
        )
        return None
    subject = subject or {}

    achievement = subject.get("achievement") or {}
    if not isinstance(achievement, dict):
        context.report.reject(
            f"{position}.credentialSubject.achievement",
            "expected an achievement object",
            value=type(achievement).__name__,
        )
        return None

    title = text_of(achievement.get("name")) or text_of(vc.get("name"))
    if not title:
        context.report.reject(
            f"{position}.credentialSubject.achievement",
            "the achievement has no name and neither has the credential",
            field="name",
        )
        return None

    item_id = credential_item_id(vc, position, context)
    if not context.claim_id(item_id, position):
        return None

    try:
        return build_achievement(vc, subject, achievement, item_id, title, position, context)
    except ValidationError as error:
        context.report.reject_invalid(position, error, "invalid value")
        return None


def credential_item_id(vc: dict[str, Any], position: str, context: RecordContext) -> str:
    """Derive the item id from the credential id, or from the content when the id is missing."""
    credential_id = id_of(vc.get("id"))
    if credential_id:
        return stable_item_id("ob", credential_id)

    context.report.warn(
        position,
        "the credential has no id; its item id is derived from its content",
        field="id",
    )
    return stable_item_id("ob", content_key(vc))


def build_achievement(
    vc: dict[str, Any],
    subject: dict[str, Any],
    achievement: dict[str, Any],
    item_id: str,
    title: str,
    position: str,
    context: RecordContext,
) -> EarnedAchievement:
    """Assemble the earned achievement from the parts of a credential."""
    issuer = vc.get("issuer") or achievement.get("creator")
    alignments = context.join(map_alignments(achievement.get("alignment")))
    credential_ids = [a.credential_id for a in alignments if a.credential_id]

    endorsements = [
        *as_list(vc.get("endorsement")),
        *as_list(vc.get("endorsementJwt")),
        *as_list(achievement.get("endorsement")),
        *as_list(achievement.get("endorsementJwt")),
    ]

    extra = {
        "source_format": "openbadges-3.0",
        "source_credential_id": id_of(vc.get("id")),
        "achievement_id": id_of(achievement.get("id")),
        "subject_id": id_of(subject.get("id")),
        "credential_types": type_names(vc.get("type")),
        "description": text_of(achievement.get("description")) or text_of(vc.get("description")),
        "criteria": criteria_text(achievement.get("criteria")),
        "valid_until": text_of(vc.get("validUntil") or vc.get("expirationDate")),
        "credential_status": vc.get("credentialStatus"),
        "endorsements": [endorsement_summary(item) for item in endorsements],
        "issuer_id": id_of(issuer),
        "jwt_header": vc.get("jwt_header"),
        "field_of_study": text_of(achievement.get("fieldOfStudy")),
        "tags": [tag for tag in as_list(achievement.get("tag")) if isinstance(tag, str)],
        "result_descriptions": as_list(achievement.get("resultDescription")),
        "unknown_credential_fields": unknown_fields(vc, HANDLED_CREDENTIAL_KEYS),
        "unknown_achievement_fields": unknown_fields(achievement, HANDLED_ACHIEVEMENT_KEYS),
        # Identity objects (hashed or plain e-mail addresses) are left out on purpose: the
        # record is keyed by the learner id alone.
        "unknown_subject_fields": unknown_fields(
            subject, {"id", "type", "achievement", "result", "identifier"}
        ),
    }
    warn_status(vc, position, context)
    if is_unsigned(vc):
        context.report.warn(position, UNSIGNED_WARNING, field="jwt_header.alg", value="none")

    return EarnedAchievement(
        id=item_id,
        title=title,
        issuer=name_of(issuer),
        achievement_type=text_of(achievement.get("achievementType")),
        issued_on=issued_on(vc, position, context),
        # NOTE: proofs (Data Integrity and JWS) are not checked yet, so an issuer is all it takes.
        verified=id_of(issuer) is not None,
        endorsed=bool(endorsements),
        credential_id=credential_ids[0] if credential_ids else None,
        alignments=alignments,
        results=map_results(subject.get("result"), achievement.get("resultDescription"), context),
        evidence=map_evidence(vc.get("evidence")),
        skills=skill_names(alignments),
        **{key: value for key, value in extra.items() if value not in (None, [], {})},
    )


def issued_on(vc: dict[str, Any], position: str, context: RecordContext) -> date | None:
    """Return the issue date from ``validFrom``, ``issuanceDate`` or ``awardedDate``."""
    for key in ("validFrom", "issuanceDate", "awardedDate"):
        value = vc.get(key)
        if value is None:
            continue
        try:
            return parse_date(value)
        except ValueError as error:
            context.report.warn(
                f"{position}.{key}", f"date ignored: {error}", field=key, value=value
            )
    return None


def warn_status(vc: dict[str, Any], position: str, context: RecordContext) -> None:
    """Warn that a credential status list was not checked, and that an expired one expired."""
    if vc.get("credentialStatus"):
        context.report.warn(
            f"{position}.credentialStatus",
            "revocation status not checked offline; kept in credential_status",
            field="credentialStatus",
        )

    valid_until = vc.get("validUntil") or vc.get("expirationDate")
    try:
        until = parse_date(valid_until)
    except ValueError:
        return
    if until is not None and until < date.today():
        context.report.warn(
            position, f"the credential expired on {until.isoformat()}", field="validUntil"
        )


def map_alignments(values: Any) -> list[Alignment]:
    """Map Open Badges alignment objects, skipping entries that are not objects."""
    alignments = []
    for value in as_list(values):
        if not isinstance(value, dict):
            continue
        alignments.append(
            Alignment(
                target_name=text_of(value.get("targetName")),
                target_url=text_of(value.get("targetUrl")),
                target_code=text_of(value.get("targetCode")),
                target_framework=text_of(value.get("targetFramework")),
                target_type=text_of(value.get("targetType")),
                **description_extra(value),
            )
        )
    return alignments


def description_extra(value: dict[str, Any]) -> dict[str, Any]:
    """Return the alignment description as an extra field when present."""
    description = text_of(value.get("targetDescription"))
    return {"target_description": description} if description else {}


def map_results(values: Any, descriptions: Any, context: RecordContext) -> list[AchievementResult]:
    """Map results, naming each by its result description and rubric level where given."""
    described = {item.get("id"): item for item in as_list(descriptions) if isinstance(item, dict)}
    levels = {
        level.get("id"): level
        for item in described.values()
        for level in as_list(item.get("rubricCriterionLevel"))
        if isinstance(level, dict)
    }

    results = []
    for value in as_list(values):
        if not isinstance(value, dict):
            continue
        description = described.get(value.get("resultDescription"), {})
        level = levels.get(value.get("achievedLevel"), {})
        result_value = (
            text_of(value.get("value"))
            or text_of(level.get("level"))
            or text_of(value.get("status"))
        )
        results.append(
            AchievementResult(
                value=result_value,
                description=text_of(description.get("name")),
                alignment=context.join(map_alignments(value.get("alignment"))),
                **{
                    key: item
                    for key, item in (
                        ("result_type", text_of(description.get("resultType"))),
                        ("status", text_of(value.get("status"))),
                    )
                    if item
                },
            )
        )
    return results


def map_evidence(values: Any) -> list[Evidence]:
    """Map evidence objects; a bare string is taken as the evidence URL."""
    evidence = []
    for value in as_list(values):
        if isinstance(value, str):
            evidence.append(Evidence(id=value, url=value))
            continue
        if not isinstance(value, dict):
            continue
        evidence_id = id_of(value.get("id"))
        evidence.append(
            Evidence(
                id=evidence_id,
                name=text_of(value.get("name")),
                narrative=text_of(value.get("narrative")) or text_of(value.get("description")),
                url=evidence_id if evidence_id and evidence_id.startswith("http") else None,
            )
        )
    return evidence


def criteria_text(value: Any) -> str | None:
    """Return the criteria narrative, or its URL when only the id is given."""
    if isinstance(value, dict):
        return text_of(value.get("narrative")) or id_of(value.get("id"))
    return text_of(value)


def endorsement_summary(value: Any) -> dict[str, Any]:
    """Return the endorser and the endorsement comment. A JWT endorsement is kept undecoded."""
    if isinstance(value, str):
        return {"jwt": True}
    if not isinstance(value, dict):
        return {}
    subject = (
        value.get("credentialSubject") if isinstance(value.get("credentialSubject"), dict) else {}
    )
    return {
        "id": id_of(value.get("id")),
        "issuer": name_of(value.get("issuer")),
        "comment": text_of(subject.get("endorsementComment")),
    }


def skill_names(alignments: list[Alignment]) -> list[str]:
    """Return names of alignments that join a skill or whose target type is a competency."""
    names = []
    for alignment in alignments:
        skill_like = alignment.skill_id is not None or alignment.target_type in SKILL_TARGET_TYPES
        if skill_like and alignment.credential_id is None and alignment.target_name:
            names.append(alignment.target_name)
    return list(dict.fromkeys(names))


def unknown_fields(node: dict[str, Any], handled: frozenset[str] | set[str]) -> dict[str, Any]:
    """Return the fields of a node that the mapping does not read."""
    return {key: value for key, value in node.items() if key not in handled}
