"""HR Open LER-RS résumés, bare or wrapped in a verifiable credential.

Employment histories become work experience, education becomes degrees, certifications
become earned achievements (through the Open Badges mapping when they carry a credential),
and skills become self-reported skills.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from advisor.domain import Degree, EarnedAchievement, SelfReportedSkill, WorkExperience
from advisor.ingest.openbadges import is_achievement_credential, map_credential
from advisor.ingest.record_context import RecordContext
from advisor.ingest.record_values import (
    as_list,
    content_key,
    id_of,
    name_of,
    parse_date,
    stable_item_id,
    text_of,
)

logger = logging.getLogger(__name__)

# ISCED 2011 level codes of the degrees LER-RS names by ``iscedEducationLevelCode``.
ISCED_LEVELS = {"5": "short-cycle tertiary", "6": "bachelor", "7": "master", "8": "doctorate"}


def ler_subject(data: Any) -> dict[str, Any] | None:
    """Return the LER-RS résumé of a document (the VC subject or the document), or None."""
    if not isinstance(data, dict):
        return None
    subject = data.get("credentialSubject", data)
    if not isinstance(subject, dict):
        return None
    marker = str(subject.get("type", ""))
    if "LER-RS" in marker or "employmentHistories" in subject or "educationAndLearnings" in subject:
        return subject
    return None


def map_ler_rs(
    data: dict[str, Any], context: RecordContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Map a résumé to record fields; return the fields and the record extra fields."""
    subject = ler_subject(data) or {}
    base = "$.credentialSubject" if "credentialSubject" in data else "$"
    person = subject.get("person") if isinstance(subject.get("person"), dict) else {}
    name = person.get("name") if isinstance(person.get("name"), dict) else {}

    fields = {
        "name": text_of(name.get("formattedName")),
        "work_experience": map_employment(subject.get("employmentHistories"), base, context),
        "degrees": map_education(subject.get("educationAndLearnings"), base, context),
        "achievements": map_certifications(subject.get("certifications"), base, context),
        "self_reported_skills": map_skills(subject.get("skills"), base, context),
    }
    extra = {
        "source_format": "ler-rs",
        "document_id": text_of((subject.get("documentId") or {}).get("value"))
        if isinstance(subject.get("documentId"), dict)
        else None,
        "narratives": subject.get("narratives"),
    }
    return fields, {key: value for key, value in extra.items() if value}


def map_employment(values: Any, base: str, context: RecordContext) -> list[WorkExperience]:
    """Map each position of each employer to one work experience item."""
    items = []
    for index, employer in enumerate(as_list(values)):
        if not isinstance(employer, dict):
            context.report.reject(f"{base}.employmentHistories[{index}]", "expected an object")
            continue
        organization = (
            employer.get("organization") if isinstance(employer.get("organization"), dict) else {}
        )
        organization_name = text_of(organization.get("tradeName")) or text_of(
            organization.get("name")
        )

        for number, position_value in enumerate(as_list(employer.get("positionHistories"))):
            position = f"{base}.employmentHistories[{index}].positionHistories[{number}]"
            if not isinstance(position_value, dict) or context.reject_long_text(
                position_value, position
            ):
                continue
            item = build_item(
                WorkExperience,
                position,
                context,
                id=stable_item_id("work", content_key([organization_name, position_value])),
                title=text_of(position_value.get("title")),
                organization=organization_name,
                start=date_or_none(position_value.get("start"), f"{position}.start", context),
                end=date_or_none(position_value.get("end"), f"{position}.end", context),
                skills=[
                    text_of(s.get("name"))
                    for s in as_list(position_value.get("competencies"))
                    if isinstance(s, dict) and text_of(s.get("name"))
                ],
                descriptions=text_of((position_value.get("location") or {}).get("descriptions"))
                if isinstance(position_value.get("location"), dict)
                else text_of(position_value.get("descriptions")),
                current=position_value.get("current"),
            )
            if item is not None:
                items.append(item)
    return items


def map_education(values: Any, base: str, context: RecordContext) -> list[Degree]:
    """Map education entries, bare or inside verification credentials, to degrees."""
    items = []
    for index, entry in enumerate(as_list(values)):
        position = f"{base}.educationAndLearnings[{index}]"
        if not isinstance(entry, dict) or context.reject_long_text(entry, position):
            continue

        sources: list[tuple[dict[str, Any], str, bool]] = [(entry, position, False)]
        for number, verification in enumerate(as_list(entry.get("verifications"))):
            subject = (
                verification.get("credentialSubject") if isinstance(verification, dict) else None
            )
            learning = subject.get("educationAndLearning") if isinstance(subject, dict) else None
            if isinstance(learning, dict):
                issued = id_of(verification.get("issuer")) is not None
                sources.append((learning, f"{position}.verifications[{number}]", issued))

        for learning, where, verified in sources:
            items.extend(degrees_of(learning, where, verified, context))
    return items


def degrees_of(
    learning: dict[str, Any], position: str, verified: bool, context: RecordContext
) -> list[Degree]:
    """Map the degrees of one education entry."""
    institution = name_of(learning.get("institution"))
    degrees = []
    for number, value in enumerate(as_list(learning.get("educationDegrees"))):
        where = f"{position}.educationDegrees[{number}]"
        if not isinstance(value, dict):
            continue
        granted = text_of(value.get("degreeGrantedStatus"))
        awarded = value.get("date") or (learning.get("end") if granted == "Granted" else None)
        majors = [
            text_of(s.get("name"))
            for s in as_list(value.get("specializations"))
            if isinstance(s, dict)
        ]
        item = build_item(
            Degree,
            where,
            context,
            id=stable_item_id("deg", content_key([institution, value])),
            title=text_of(value.get("name")),
            institution=institution,
            field=next((major for major in majors if major), None),
            level=ISCED_LEVELS.get(str(value.get("iscedEducationLevelCode"))),
            awarded_on=date_or_none(awarded, f"{where}.date", context),
            verified=verified,
            degree_granted_status=granted,
        )
        if item is not None:
            degrees.append(item)
    return degrees


def map_certifications(values: Any, base: str, context: RecordContext) -> list[EarnedAchievement]:
    """Map certifications: through their Open Badges credential when one is attached."""
    items = []
    for index, entry in enumerate(as_list(values)):
        position = f"{base}.certifications[{index}]"
        if not isinstance(entry, dict):
            continue
        credentials = [
            v for v in as_list(entry.get("verifications")) if is_achievement_credential(v)
        ]
        for number, credential in enumerate(credentials):
            achievement = map_credential(credential, f"{position}.verifications[{number}]", context)
            if achievement is not None:
                items.append(achievement)
        if credentials or context.reject_long_text(entry, position):
            continue

        item = build_item(
            EarnedAchievement,
            position,
            context,
            id=stable_item_id("cert", content_key(entry)),
            title=text_of(entry.get("name")),
            issuer=name_of(entry.get("issuingAuthority")),
            achievement_type="Certification",
            issued_on=date_or_none(
                entry.get("effectiveTimePeriod", {}).get("start")
                if isinstance(entry.get("effectiveTimePeriod"), dict)
                else None,
                f"{position}.effectiveTimePeriod",
                context,
            ),
        )
        if item is not None:
            items.append(item)
    return items


def map_skills(values: Any, base: str, context: RecordContext) -> list[SelfReportedSkill]:
    """Map stated skills; years of experience are kept in an extra field."""
    items = []
    for index, value in enumerate(as_list(values)):
        position = f"{base}.skills[{index}]"
        if not isinstance(value, dict) or context.reject_long_text(value, position):
            continue
        name = text_of(value.get("name"))
        item = build_item(
            SelfReportedSkill,
            position,
            context,
            id=stable_item_id("skill", (name or "").lower()),
            name=name,
            years_of_experience=value.get("yearsOfExperience"),
            comments=text_of(value.get("comments")),
        )
        if item is not None:
            items.append(item)
    return items


def build_item(model: type[Any], position: str, context: RecordContext, **values: Any) -> Any:
    """Validate one item, drop empty extra values, and claim its id."""
    values = {key: value for key, value in values.items() if value is not None}
    try:
        item = model.model_validate(values)
    except ValidationError as error:
        context.report.reject_invalid(position, error, "invalid item")
        return None
    return item if context.claim_id(item.id, position) else None


def date_or_none(value: Any, position: str, context: RecordContext) -> Any:
    """Parse a date, warning and returning None when it is not a date."""
    try:
        return parse_date(value)
    except ValueError as error:
        context.report.warn(position, f"date ignored: {error}", value=value)
        return None
