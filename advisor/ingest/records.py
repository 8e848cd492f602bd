"""Import a learner record from any supported format, detected from its content.

Supported: Open Badges 3.0 credentials, CLR 2.0 credentials (JSON-LD or compact JWT), a JSON
list of Open Badges credentials, HR Open LER-RS résumés and the plain JSON or YAML record
format. Problems with the whole file raise ``InvalidInputError``. Problems with one item
become entries of the import report, and the other items are kept.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from advisor.domain import EarnedAchievement, ImportReport, ImportResult, KnowledgeBase, LearnerRecord
from advisor.errors import InvalidInputError
from advisor.ingest.clr import is_clr_credential, map_clr, map_embedded
from advisor.ingest.document_reader import Document, read_document
from advisor.ingest.jwt_form import UNSIGNED_WARNING, decode_jwt, is_unsigned
from advisor.ingest.ler_rs import ler_subject, map_ler_rs
from advisor.ingest.openbadges import is_achievement_credential, map_credential
from advisor.ingest.plain_record import is_plain_record, map_plain
from advisor.ingest.record_context import RecordContext
from advisor.ingest.record_values import id_of

logger = logging.getLogger(__name__)

SUPPORTED = (
    "Supported formats: Open Badges 3.0 (OpenBadgeCredential or AchievementCredential), "
    "CLR 2.0 (ClrCredential), either as JSON-LD or as a compact JWT, HR Open LER-RS, and the "
    "plain JSON or YAML record described in knowledge_base/record-format.md."
)


def import_record(
    source: bytes | str | Path | dict[str, Any],
    *,
    learner_id: str | None = None,
    knowledge_base: KnowledgeBase | None = None,
    filename: str | None = None,
) -> ImportResult[LearnerRecord]:
    """Import one learner record and report every item that was rejected.

    ``source`` is a file path, the file content (bytes or text) or parsed JSON. ``learner_id``
    comes from the authenticated caller and overrides any id inside the document.
    ``knowledge_base``, when given, joins alignments to catalog credentials and skills.
    Raises ``InvalidInputError`` when the file as a whole cannot be used.
    """
    document = read_document(source, filename=filename)
    report = ImportReport(source=document.name)
    context = RecordContext(report=report, knowledge_base=knowledge_base)

    data = credential_data(document)
    fields, extra = map_document(data, context)
    record_id = learner_id or document_learner_id(data, fields, extra)
    if not record_id:
        raise InvalidInputError(
            f"{document.name!r} names no learner.",
            value=document.name,
            hint="Pass the learner id (--learner-id on the command line), or add 'learner_id' "
            "to a plain record.",
        )
    if learner_id and extra.get("document_learner_id") not in (None, learner_id):
        report.warn(
            "$",
            "the learner id in the document was replaced by the caller's",
            value=extra["document_learner_id"],
        )

    record = LearnerRecord(learner_id=record_id, **fields, **extra)
    report.accepted = len(record.item_ids())
    logger.info(
        "imported record of %s from %s: %d items accepted, %d rejected",
        record_id,
        document.name,
        report.accepted,
        len(report.rejected),
    )
    return ImportResult[LearnerRecord](items=[record], report=report)


def credential_data(document: Document) -> Any:
    """Return the JSON value of a document, decoding it first when it is a compact JWT."""
    if document.text is not None:
        return decode_jwt(document.text).credential
    return document.data


def map_document(data: Any, context: RecordContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """Detect the format of a parsed document and map it to record fields and extra fields."""
    if isinstance(data, dict) and isinstance(data.get("vc"), dict):
        data = data["vc"]

    if is_clr_credential(data):
        # Embedded Open Badges credentials get their own unsigned-JWT warning from map_credential.
        if is_unsigned(data):
            context.report.warn("$", UNSIGNED_WARNING, field="jwt_header.alg", value="none")
        achievements, extra = map_clr(data, context)
        return {"achievements": achievements}, extra

    if is_achievement_credential(data):
        achievement = map_credential(data, "$", context)
        subject_id = (achievement.model_extra or {}).get("subject_id") if achievement else None
        return {"achievements": [achievement] if achievement else []}, {
            "source_format": "openbadges-3.0",
            **({"subject_id": subject_id} if subject_id else {}),
        }

    if isinstance(data, list):
        require_credential_items(data, context.report.source)
        return {"achievements": map_embedded(data, "$", context)}, {
            "source_format": "openbadges-3.0-list"
        }

    if ler_subject(data) is not None:
        return map_ler_rs(data, context)

    if is_plain_record(data):
        fields, extra = map_plain(data, context)
        document_id = data.get("learner_id")
        if isinstance(document_id, str) and document_id.strip():
            extra["document_learner_id"] = document_id.strip()
        return fields, extra

    raise InvalidInputError(
        f"{context.report.source!r} is {describe(data)}, not a learner record in a supported format.",
        value=describe(data),
        hint=SUPPORTED if isinstance(data, dict) else f"Expected an object or a compact JWT. {SUPPORTED}",
    )


def require_credential_items(data: list[Any], name: str) -> None:
    """Raise unless a JSON array holds at least one credential object or JWT, as a list of badges does."""
    if any(isinstance(item, dict | str) for item in data):
        return
    raise InvalidInputError(
        f"{name!r} is {describe(data)}, not a learner record.",
        value=describe(data),
        hint="A JSON array is read as a list of Open Badges 3.0 credentials, so each item must be "
        f"a credential object or a compact JWT. {SUPPORTED}",
    )


def document_learner_id(data: Any, fields: dict[str, Any], extra: dict[str, Any]) -> str | None:
    """Return the learner id a document names: its plain id, else a credential subject id."""
    named = extra.get("document_learner_id") or extra.get("subject_id")
    if named:
        return named
    if isinstance(data, dict) and isinstance(data.get("credentialSubject"), dict):
        return id_of(data["credentialSubject"].get("id"))
    for achievement in fields.get("achievements", []):
        subject_id = (achievement.model_extra or {}).get("subject_id")
        if subject_id:
            return subject_id
    return None


def describe(data: Any) -> str:
    """Return a short description of a parsed document for an error message, such as 'a JSON array of 3 numbers'."""
    if isinstance(data, dict):
        types = data.get("type")
        if not data:
            return "an empty object"
        keys = ", ".join(list(data)[:6])
        return f"an object of type {types!r} with keys {keys}" if types else f"an object with keys {keys}"
    if isinstance(data, list):
        kinds = sorted({value_kind(item) for item in data})
        return f"a JSON array of {len(data)} items ({', '.join(kinds)})" if data else "an empty JSON array"
    if isinstance(data, str):
        return "plain text that is neither valid JSON nor a YAML mapping"
    if data is None:
        return "a document with no value (only comments or null)"
    return f"a single {value_kind(data)} ({str(data)[:40]})"


def value_kind(value: Any) -> str:
    """Return the JSON name of a value's type: object, array, text, number, true/false or null."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else type(value).__name__


def import_record_file(
    path: Path, *, learner_id: str | None = None, knowledge_base_dir: Path | None = None
) -> ImportResult[LearnerRecord]:
    """Import a record file, joining alignments to the knowledge base in a folder when it loads.

    A missing or incomplete knowledge base folder only turns the joins off, with a warning.
    """
    knowledge_base = None
    if knowledge_base_dir is not None:
        from advisor.ingest.knowledge_base import load_knowledge_base

        try:
            knowledge_base, _reports = load_knowledge_base(knowledge_base_dir)
        except InvalidInputError as error:
            logger.warning("alignments not joined: %s", error)
    return import_record(path, learner_id=learner_id, knowledge_base=knowledge_base)


def summarize_import(result: ImportResult[LearnerRecord]) -> dict[str, Any]:
    """Return the counts, items and rejections of a record import as plain JSON values."""
    record = result.items[0] if result.items else None
    report = result.report
    summary: dict[str, Any] = {
        "source": report.source,
        "accepted": report.accepted,
        "rejected": [rejection.model_dump() for rejection in report.rejected],
        "warnings": [warning.model_dump() for warning in report.warnings],
    }
    if record is not None:
        summary["learner_id"] = record.learner_id
        summary["format"] = (record.model_extra or {}).get("source_format")
        summary["record"] = record.model_dump(mode="json")
    return summary


def report_lines(result: ImportResult[LearnerRecord]) -> list[str]:
    """Return a human-readable report: the record's items, then every rejection and warning."""
    report = result.report
    lines = [f"{report.source}: {report.accepted} items accepted, {len(report.rejected)} rejected"]
    for record in result.items:
        lines.append(
            f"learner {record.learner_id} ({(record.model_extra or {}).get('source_format')})"
        )
        for achievement in record.achievements:
            joined = f" -> {achievement.credential_id}" if achievement.credential_id else ""
            lines.append(
                f"  achievement {achievement.id}: {achievement.title} [{trust_label(achievement)}]{joined}"
            )
        for label, group in (
            ("degree", record.degrees),
            ("work", record.work_experience),
            ("project", record.projects),
        ):
            lines.extend(f"  {label} {item.id}: {item.title}" for item in group)
        lines.extend(f"  skill {item.id}: {item.name}" for item in record.self_reported_skills)
    lines.extend(f"rejected: {rejection}" for rejection in report.rejected)
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    return lines


def trust_label(achievement: EarnedAchievement) -> str:
    """Return what is known about an achievement's origin, for the import report.

    ``verified`` only means the credential names an issuer, because proofs and JWT signatures
    are not checked, so the label names the issuer and says the signature was not checked.
    """
    extra = achievement.model_extra or {}
    if not achievement.verified:
        from_credential = str(extra.get("source_format", "")).startswith("openbadges")
        return "no issuer named" if from_credential else "self-reported"
    issuer = achievement.issuer or extra.get("issuer_id")
    if is_unsigned(extra):
        return f"issued by {issuer}, unsigned JWT"
    return f"issued by {issuer}, signature not checked"
