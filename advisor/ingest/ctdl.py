"""Credential Engine CTDL JSON-LD catalogs to catalog ``Credential`` models.

Reads credential classes (``ceterms:*Degree``, ``Certificate``, ``Certification``, ``Badge``,
``MicroCredential`` and the rest), ``Course``, ``LearningProgram`` and
``LearningOpportunityProfile`` nodes from plain documents, ``@graph`` documents and
verifiable credentials whose ``credentialSubject.achievement`` holds CTDL nodes. Ids are
``ctdl:<ctid>``. Keys are read with or without the ``ceterms:`` prefix.

Mapping rules:

- ``requires`` and ``entryCondition`` condition profiles: ``targetLearningOpportunity``,
  ``targetCredential`` and ``targetAssessment`` become prerequisite credentials, and
  ``targetCompetency`` becomes prerequisite skills. Pathway component conditions
  (``hasCondition``/``targetComponent``) and ``prerequisite`` count as prerequisites too.
- ``hasPart``/``isPartOf`` become stacking links, filled in both directions.
- ``teaches``/``assesses`` competencies become skills when they resolve to the taxonomy of
  a given knowledge base; otherwise their text is kept in the extra field ``competencies``.
- ``estimatedCost``: an aggregate cost profile when one is given, else the sum of the direct
  cost prices, in one currency.
- ``estimatedDuration`` (``exactDuration``, else the midpoint of ``minimumDuration`` and
  ``maximumDuration``) and ``timeRequired``: clock durations (``PT40H``) are hours of study.
  Calendar durations (``P4W``, ``P9M``) are converted at ``HOURS_PER_WEEK`` hours a week, and
  ``hours`` is then listed in ``derived``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import HttpUrl, TypeAdapter, ValidationError

from advisor.domain import (
    CourseLevel,
    Credential,
    CredentialKind,
    ImportReport,
    ImportResult,
    KnowledgeBase,
    Modality,
    SkillLevel,
    SourceRef,
)
from advisor.errors import InvalidInputError
from advisor.ingest.alignment_join import CTID_PATTERN, AlignmentIndex, alignment_index
from advisor.ingest.cleaning import HOURS_PER_WEEK
from advisor.ingest.document_reader import read_document
from advisor.ingest.iso_duration import parse_iso_duration
from advisor.ingest.record_values import MAX_TEXT_CHARS, as_list, find_long_text, text_of

logger = logging.getLogger(__name__)

CTDL_PREFIXES = ("ceterms:", "https://purl.org/ctdl/terms/", "http://purl.org/ctdl/terms/")

LEARNING_OPPORTUNITY_TYPES = {
    "Course": CredentialKind.COURSE,
    "LearningProgram": CredentialKind.COURSE,
    "LearningOpportunityProfile": CredentialKind.COURSE,
}
EXACT_CREDENTIAL_TYPES = {
    "Badge": CredentialKind.BADGE,
    "DigitalBadge": CredentialKind.BADGE,
    "OpenBadge": CredentialKind.BADGE,
    "MicroCredential": CredentialKind.MICROCREDENTIAL,
    "Credential": CredentialKind.CERTIFICATE,
    "GeneralEducationDevelopment": CredentialKind.CERTIFICATE,
    "QualityAssuranceCredential": CredentialKind.CERTIFICATE,
    "ResearchDoctorate": CredentialKind.DEGREE,
    "ProfessionalDoctorate": CredentialKind.DEGREE,
}
CREDENTIAL_SUFFIXES = (
    ("Degree", CredentialKind.DEGREE),
    ("Certificate", CredentialKind.CERTIFICATE),
    ("Certification", CredentialKind.CERTIFICATE),
    ("Diploma", CredentialKind.CERTIFICATE),
    ("License", CredentialKind.CERTIFICATE),
)
COMPETENCY_TYPES = {"ceasn:Competency", "Competency"}  # local_name keeps the ceasn: prefix

CURRENCY_NAMES = {
    "us dollar": "USD",
    "us dollars": "USD",
    "dollar": "USD",
    "$": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "pound sterling": "GBP",
    "british pound": "GBP",
    "£": "GBP",
    "canadian dollar": "CAD",
    "australian dollar": "AUD",
}
DELIVERY = {
    "deliveryType:OnlineOnly": Modality.ONLINE,
    "deliveryType:InPerson": Modality.IN_PERSON,
    "deliveryType:InPersonOnly": Modality.IN_PERSON,
    "deliveryType:BlendedDelivery": Modality.BLENDED,
}
AUDIENCE_LEVELS = {
    "audLevel:BeginnerLevel": CourseLevel.BEGINNER,
    "audLevel:IntermediateLevel": CourseLevel.INTERMEDIATE,
    "audLevel:AdvancedLevel": CourseLevel.ADVANCED,
}
PREREQUISITE_TARGETS = ("targetLearningOpportunity", "targetCredential", "targetAssessment")
HANDLED_KEYS = frozenset(
    {
        "@context",
        "@id",
        "@type",
        "ctid",
        "name",
        "description",
        "ownedBy",
        "offeredBy",
        "requires",
        "entryCondition",
        "hasPart",
        "isPartOf",
        "teaches",
        "assesses",
        "estimatedCost",
        "estimatedDuration",
        "timeRequired",
        "inLanguage",
        "deliveryType",
        "audienceLevelType",
        "subjectWebpage",
        "prerequisite",
        "hasCondition",
        "occupationType",
    }
)

URL_ADAPTER = TypeAdapter(HttpUrl)


@dataclass
class Node:
    """One JSON-LD node with its CTDL keys unprefixed, and where it was found."""

    data: dict[str, Any]
    position: str
    file: str

    @property
    def node_id(self) -> str | None:
        """The node's ``@id``."""
        value = self.data.get("@id")
        return value if isinstance(value, str) else None

    @property
    def type_name(self) -> str | None:
        """The node's first type without its CTDL prefix."""
        types = [item for item in as_list(self.data.get("@type")) if isinstance(item, str)]
        return local_name(types[0]) if types else None


@dataclass
class CtdlBatch:
    """Nodes of one or more documents, and the lookup tables built from them."""

    report: ImportReport
    index: AlignmentIndex | None = None
    nodes: list[Node] = field(default_factory=list)
    by_id: dict[str, Node] = field(default_factory=dict)
    item_ids: dict[str, str] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


def local_name(key: str) -> str:
    """Return a CTDL term without the ``ceterms:`` prefix or namespace."""
    for prefix in CTDL_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def normalize_node(value: dict[str, Any]) -> dict[str, Any]:
    """Return a node with ``id``/``type`` as ``@id``/``@type`` and CTDL keys unprefixed."""
    node: dict[str, Any] = {}
    for key, item in value.items():
        name = {"id": "@id", "type": "@type"}.get(key, local_name(key))
        node.setdefault(name, item)
    return node


def credential_kind(type_name: str | None) -> CredentialKind | None:
    """Return the catalog kind of a CTDL class, or None for classes that are not imported."""
    if type_name is None:
        return None
    if type_name in LEARNING_OPPORTUNITY_TYPES:
        return LEARNING_OPPORTUNITY_TYPES[type_name]
    if type_name in EXACT_CREDENTIAL_TYPES:
        return EXACT_CREDENTIAL_TYPES[type_name]
    for suffix, kind in CREDENTIAL_SUFFIXES:
        if type_name.endswith(suffix):
            return kind
    return None


def import_ctdl(
    source: bytes | str | Path | dict[str, Any],
    *,
    filename: str | None = None,
    knowledge_base: KnowledgeBase | None = None,
) -> ImportResult[Credential]:
    """Import the credentials and learning opportunities of one CTDL JSON-LD document.

    ``knowledge_base``, when given, resolves competencies to taxonomy skills. Raises
    ``InvalidInputError`` when the file as a whole cannot be read; bad nodes are reported.
    """
    return import_ctdl_files([source], filenames=[filename], knowledge_base=knowledge_base)


def import_ctdl_files(
    sources: list[bytes | str | Path | dict[str, Any]],
    *,
    filenames: list[str | None] | None = None,
    knowledge_base: KnowledgeBase | None = None,
) -> ImportResult[Credential]:
    """Import several CTDL documents at once, so references between the files resolve."""
    names = filenames or [None] * len(sources)
    documents = [
        read_document(source, filename=name) for source, name in zip(sources, names, strict=True)
    ]
    report = ImportReport(source=", ".join(document.name for document in documents))
    batch = CtdlBatch(
        report=report, index=alignment_index(knowledge_base) if knowledge_base else None
    )

    for document in documents:
        if document.text is not None or not isinstance(document.data, dict | list):
            raise InvalidInputError(
                f"{document.name!r} is not a CTDL JSON-LD document.",
                value=document.name,
                hint="Upload a JSON-LD document with @type ceterms:... nodes or an @graph list.",
            )
        collect_nodes(document.data, document.name, batch)

    assign_ids(batch)
    credentials = [item for node in batch.nodes if (item := map_node(node, batch)) is not None]
    link_stacking(credentials)

    report.accepted = len(credentials)
    logger.info(
        "imported %d CTDL credentials from %s, %d rejected",
        len(credentials),
        report.source,
        len(report.rejected),
    )
    return ImportResult[Credential](items=credentials, report=report)


def collect_nodes(data: Any, file: str, batch: CtdlBatch) -> None:
    """Gather the nodes of a document with their JSON paths, reporting entries that are not nodes."""
    for entry, position in node_entries(data):
        if not isinstance(entry, dict):
            batch.report.reject(
                position, "expected a JSON-LD node object", value=type(entry).__name__, file=file
            )
            continue
        node = Node(data=normalize_node(entry), position=position, file=file)
        batch.nodes.append(node)
        if node.node_id:
            batch.by_id.setdefault(node.node_id, node)


def node_entries(data: Any) -> list[tuple[Any, str]]:
    """Return the node entries of a document with their JSON paths.

    A document is an ``@graph`` list, a verifiable credential whose subject's ``achievement``
    holds the nodes, a bare list of nodes, or one node.
    """
    if isinstance(data, dict) and "@graph" in data:
        return [
            (entry, f"$['@graph'][{index}]") for index, entry in enumerate(as_list(data["@graph"]))
        ]

    if isinstance(data, dict) and isinstance(data.get("credentialSubject"), dict):
        achievement = data["credentialSubject"].get("achievement")
        base = "$.credentialSubject.achievement"
        if isinstance(achievement, list):
            return [(entry, f"{base}[{index}]") for index, entry in enumerate(achievement)]
        return [(achievement, base)]

    if isinstance(data, list):
        return [(entry, f"$[{index}]") for index, entry in enumerate(data)]
    return [(data, "$")]


def assign_ids(batch: CtdlBatch) -> None:
    """Give every importable node its ``ctdl:`` id, so references can be resolved."""
    for node in batch.nodes:
        if credential_kind(node.type_name) is None:
            continue
        item_id = node_item_id(node)
        if node.node_id and item_id:
            batch.item_ids.setdefault(node.node_id, item_id)


def node_item_id(node: Node) -> str | None:
    """Return ``ctdl:<ctid>``, taking the CTID from ``ceterms:ctid`` or from the ``@id``."""
    ctid = node.data.get("ctid")
    if isinstance(ctid, str) and ctid.strip():
        return f"ctdl:{ctid.strip()}"
    found = CTID_PATTERN.search(node.node_id or "")
    if found:
        return f"ctdl:{found.group(1)}"
    if node.node_id:
        tail = re.split(r"[/:#]", node.node_id.rstrip("/"))[-1]
        return f"ctdl:{tail}" if tail else None
    return None


def map_node(node: Node, batch: CtdlBatch) -> Credential | None:
    """Map one node to a credential, or report why it cannot be; skip other classes."""
    kind = credential_kind(node.type_name)
    if kind is None:
        note_skipped(node, batch)
        return None

    report = batch.report
    long_text = find_long_text(node.data, node.position)
    if long_text:
        path, length = long_text
        report.reject(
            node.position,
            f"text of {length} characters is over the limit of {MAX_TEXT_CHARS}",
            field=path,
            value=f"{length} characters",
            file=node.file,
        )
        return None

    item_id = node_item_id(node)
    title = text_of(node.data.get("name"))
    if item_id is None:
        report.reject(
            node.position,
            "the node has neither ceterms:ctid nor @id",
            field="ceterms:ctid",
            file=node.file,
        )
        return None
    if not title:
        report.reject(
            node.position,
            "the node has no name",
            field="ceterms:name",
            value=item_id,
            file=node.file,
        )
        return None
    if item_id in batch.seen:
        report.reject(
            node.position,
            f"duplicate ctid; the node at {batch.seen[item_id]} already has it",
            field="ceterms:ctid",
            value=item_id,
            file=node.file,
        )
        return None
    batch.seen[item_id] = f"{Path(node.file).name} {node.position}"

    try:
        return build_credential(node, batch, item_id, title, kind)
    except ValidationError as error:
        report.reject_invalid(node.position, error, "invalid value", file=node.file)
        return None


def note_skipped(node: Node, batch: CtdlBatch) -> None:
    """Count a node of a class that is not imported, warning once per class."""
    type_name = node.type_name or "(no @type)"
    batch.skipped[type_name] += 1
    if batch.skipped[type_name] == 1:
        batch.report.warn(
            node.position,
            "node skipped: its class is not a credential or learning opportunity",
            field="@type",
            value=type_name,
        )


def build_credential(
    node: Node, batch: CtdlBatch, item_id: str, title: str, kind: CredentialKind
) -> Credential:
    """Assemble a credential from the fields of one node."""
    data = node.data
    report = batch.report
    skills, competencies = map_competencies(
        [*as_list(data.get("teaches")), *as_list(data.get("assesses"))], batch
    )
    conditions = map_conditions(node, batch)
    cost, currency = estimated_cost(data.get("estimatedCost"), node, batch)
    hours, derived = estimated_hours(data, node, report)

    extra = {
        "ctid": item_id.removeprefix("ctdl:"),
        "ctdl_type": node.type_name,
        "ctdl_uri": node.node_id,
        "competencies": competencies,
        "prerequisite_competencies": conditions.competencies,
        "conditions": conditions.texts,
        "occupations": occupations(data.get("occupationType")),
        "offered_by": [
            ref for ref in (reference_id(item) for item in as_list(data.get("offeredBy"))) if ref
        ],
        "duration_weeks": derived.pop("duration_weeks", None),
        "unresolved_references": unresolved(
            [*conditions.references, *as_list(data.get("hasPart")), *as_list(data.get("isPartOf"))],
            node,
            batch,
        ),
        "ctdl_fields": {key: value for key, value in data.items() if key not in HANDLED_KEYS},
    }

    return Credential(
        id=item_id,
        title=title,
        provider=provider_name(data, batch),
        kind=kind,
        description=text_of(data.get("description")),
        skills=skills,
        prerequisite_skills=conditions.skills,
        prerequisite_credentials=conditions.credentials,
        has_part=resolve_references(data.get("hasPart"), batch),
        is_part_of=resolve_references(data.get("isPartOf"), batch),
        hours=hours,
        cost=cost,
        currency=currency,
        modality=modality(data.get("deliveryType")),
        language=language(data.get("inLanguage")),
        level=audience_level(data.get("audienceLevelType")),
        url=web_url(data.get("subjectWebpage"), node, report),
        source=SourceRef(
            dataset="ctdl",
            position=node.position,
            url=node.node_id if is_http(node.node_id) else None,
        ),
        derived=derived.get("fields", []),
        **{key: value for key, value in extra.items() if value not in (None, [], {})},
    )


def reference_id(value: Any) -> str | None:
    """Return the ``@id`` a reference names: a string, or an object's ``@id``/``id``."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        found = value.get("@id", value.get("id"))
        return found if isinstance(found, str) else None
    return None


def resolve_reference(value: Any, batch: CtdlBatch) -> str | None:
    """Return the ``ctdl:`` id a reference names: a node of the batch, or any URI with a CTID."""
    ref = reference_id(value)
    if ref is None:
        return None
    if ref in batch.item_ids:
        return batch.item_ids[ref]
    found = CTID_PATTERN.search(ref)
    if found:
        return f"ctdl:{found.group(1)}"
    return None


def resolve_references(values: Any, batch: CtdlBatch) -> list[str]:
    """Resolve a list of references, dropping those that name no credential."""
    resolved = (resolve_reference(value, batch) for value in as_list(values))
    return list(dict.fromkeys(item for item in resolved if item))


def referenced_node(value: Any, batch: CtdlBatch) -> dict[str, Any] | None:
    """Return the node a value is or references: an inline object, or a node of the batch."""
    if isinstance(value, dict) and set(value) - {"@id", "id"}:
        return normalize_node(value)
    ref = reference_id(value)
    node = batch.by_id.get(ref) if ref else None
    return node.data if node else None


@dataclass
class Conditions:
    """Prerequisites read from one node."""

    credentials: list[str] = field(default_factory=list)
    skills: list[SkillLevel] = field(default_factory=list)
    competencies: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    references: list[Any] = field(default_factory=list)


def map_conditions(node: Node, batch: CtdlBatch) -> Conditions:
    """Read prerequisites from condition profiles, pathway conditions and ``prerequisite``."""
    data = node.data
    found = Conditions()
    competencies: list[Any] = []

    for value in [*as_list(data.get("requires")), *as_list(data.get("entryCondition"))]:
        target = referenced_node(value, batch)
        target_type = node_type(target)
        if target is None or credential_kind(target_type) is not None:
            found.references.append(value)
        elif target_type in COMPETENCY_TYPES:
            competencies.append(value)
        else:
            for key in PREREQUISITE_TARGETS:
                found.references.extend(as_list(target.get(key)))
            competencies.extend(as_list(target.get("targetCompetency")))
            texts = (text_of(target.get("description")), text_of(target.get("condition")))
            found.texts.extend(text for text in texts if text and text not in found.texts)

    for condition in as_list(data.get("hasCondition")):
        if isinstance(condition, dict):
            found.references.extend(as_list(normalize_node(condition).get("targetComponent")))
    found.references.extend(as_list(data.get("prerequisite")))

    own_id = node_item_id(node)
    found.credentials = [
        item for item in resolve_references(found.references, batch) if item != own_id
    ]
    found.skills, found.competencies = map_competencies(competencies, batch)
    return found


def node_type(node: dict[str, Any] | None) -> str | None:
    """Return the first type of a normalized node without its CTDL prefix."""
    types = [item for item in as_list((node or {}).get("@type")) if isinstance(item, str)]
    return local_name(types[0]) if types else None


def map_competencies(
    values: list[Any], batch: CtdlBatch
) -> tuple[list[SkillLevel], list[dict[str, Any]]]:
    """Resolve competencies to taxonomy skills; keep the text of those that do not resolve."""
    skills: list[SkillLevel] = []
    unresolved_items: list[dict[str, Any]] = []
    for value in values:
        competency = competency_of(value, batch)
        keys = [
            competency.get("uri"),
            competency.get("target_node"),
            competency.get("coded_notation"),
        ]
        skill_id = batch.index.skill_for(*keys) if batch.index else None
        if skill_id:
            skills.append(SkillLevel(skill_id=skill_id))
        elif any(competency.values()):
            unresolved_items.append({key: item for key, item in competency.items() if item})
    unique_skills = {skill.skill_id: skill for skill in skills}
    return list(unique_skills.values()), unresolved_items


def competency_of(value: Any, batch: CtdlBatch) -> dict[str, Any]:
    """Return the id, label, text and codes of a competency or a competency alignment object."""
    node = referenced_node(value, batch) or {}
    uri = (
        reference_id(value)
        if not isinstance(value, dict) or "@id" in value or "id" in value
        else None
    )
    return {
        "uri": uri,
        "label": text_of(node.get("ceasn:competencyLabel"))
        or text_of(node.get("targetNodeName"))
        or text_of(node.get("name")),
        "text": text_of(node.get("ceasn:competencyText"))
        or text_of(node.get("targetNodeDescription")),
        "coded_notation": text_of(node.get("ceasn:codedNotation"))
        or text_of(node.get("codedNotation")),
        "target_node": reference_id(node.get("targetNode")),
        "framework": text_of(node.get("frameworkName")) or reference_id(node.get("framework")),
    }


def estimated_cost(values: Any, node: Node, batch: CtdlBatch) -> tuple[float | None, str | None]:
    """Return the total direct cost and its currency, or (None, None) when it is unknown."""
    profiles = [normalize_node(item) for item in as_list(values) if isinstance(item, dict)]
    priced = [profile for profile in profiles if isinstance(profile.get("price"), int | float)]
    if not priced:
        return None, None

    aggregate = [
        profile for profile in priced if "AggregateCost" in str(profile.get("directCostType"))
    ]
    chosen = aggregate or priced
    currencies = {currency_code(profile.get("currency")) for profile in chosen}
    if len(currencies) != 1 or None in currencies:
        batch.report.warn(
            node.position,
            "cost left unknown: its prices have no single known currency",
            field="ceterms:estimatedCost",
            value=sorted(str(code) for code in currencies),
        )
        return None, None
    return float(sum(profile["price"] for profile in chosen)), currencies.pop()


def currency_code(value: Any) -> str | None:
    """Return an ISO 4217 code from a code or a currency name such as 'US Dollar'."""
    text = text_of(value)
    if text is None:
        return None
    if re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()
    return CURRENCY_NAMES.get(text.strip().lower())


def estimated_hours(
    data: dict[str, Any], node: Node, report: ImportReport
) -> tuple[float | None, dict[str, Any]]:
    """Return study hours from duration profiles or ``timeRequired``, and how they were derived."""
    texts: list[str] = []
    for profile in as_list(data.get("estimatedDuration")):
        if isinstance(profile, dict):
            profile = normalize_node(profile)
            texts.extend(duration_texts(profile))
    texts.extend(
        text for text in (text_of(value) for value in as_list(data.get("timeRequired"))) if text
    )

    for text in texts:
        try:
            duration = parse_iso_duration(text)
        except ValueError as error:
            report.warn(
                node.position,
                f"duration ignored: {error}",
                field="ceterms:estimatedDuration",
                value=text,
            )
            continue
        if duration.is_clock_time:
            return round(duration.clock_hours(), 1), {}
        weeks = duration.calendar_weeks()
        return round(weeks * HOURS_PER_WEEK + duration.clock_hours(), 1), {
            "fields": ["hours"],
            "duration_weeks": round(weeks, 2),
        }
    return None, {}


def duration_texts(profile: dict[str, Any]) -> list[str]:
    """Return the durations of a profile: the exact one, else minimum and maximum (midpoint)."""
    exact = text_of(profile.get("exactDuration"))
    if exact:
        return [exact]
    low, high = text_of(profile.get("minimumDuration")), text_of(profile.get("maximumDuration"))
    if low and high:
        try:
            first, second = parse_iso_duration(low), parse_iso_duration(high)
        except ValueError:
            return [low, high]
        if first.is_clock_time and second.is_clock_time:
            return [f"PT{(first.clock_hours() + second.clock_hours()) / 2:g}H"]
        return [f"P{(first.calendar_weeks() + second.calendar_weeks()) / 2:g}W"]
    return [text for text in (low, high) if text]


def modality(values: Any) -> Modality:
    """Return the delivery mode: online only, in person, or blended when both or stated so."""
    modes = {
        DELIVERY.get(reference_id(normalize_node(v).get("targetNode")) or "")
        for v in as_list(values)
        if isinstance(v, dict)
    }
    modes.discard(None)
    if len(modes) > 1:
        return Modality.BLENDED
    return modes.pop() if modes else Modality.ONLINE


def audience_level(values: Any) -> CourseLevel | None:
    """Return the first audience level that maps to beginner, intermediate or advanced."""
    for value in as_list(values):
        if isinstance(value, dict):
            level = AUDIENCE_LEVELS.get(reference_id(normalize_node(value).get("targetNode")) or "")
            if level:
                return level
    return None


def language(values: Any) -> str:
    """Return the first language tag, defaulting to English."""
    for value in as_list(values):
        text = text_of(value)
        if text:
            return text
    return "en"


def occupations(values: Any) -> list[dict[str, Any]]:
    """Return the occupation codes and names a node aligns to."""
    found = []
    for value in as_list(values):
        if isinstance(value, dict):
            item = normalize_node(value)
            found.append(
                {
                    "code": text_of(item.get("codedNotation")),
                    "name": text_of(item.get("targetNodeName")),
                    "uri": reference_id(item.get("targetNode")),
                }
            )
        elif isinstance(value, str):
            found.append({"uri": value})
    return found


def provider_name(data: dict[str, Any], batch: CtdlBatch) -> str | None:
    """Return the name of the offering or owning organization, when the batch or node gives it."""
    for value in [*as_list(data.get("offeredBy")), *as_list(data.get("ownedBy"))]:
        organization = referenced_node(value, batch)
        name = text_of((organization or {}).get("name"))
        if name:
            return name
    return None


def web_url(value: Any, node: Node, report: ImportReport) -> HttpUrl | None:
    """Return the subject webpage as a URL, warning when it is not an http(s) URL."""
    text = text_of(value)
    if text is None:
        return None
    try:
        return URL_ADAPTER.validate_python(text)
    except ValidationError:
        report.warn(
            node.position,
            "subject webpage ignored: not an http(s) URL",
            field="ceterms:subjectWebpage",
            value=text,
        )
        return None


def is_http(value: str | None) -> bool:
    """Return whether a value is an http or https URL."""
    return bool(value) and value.startswith(("http://", "https://"))


def unresolved(references: list[Any], node: Node, batch: CtdlBatch) -> list[str]:
    """Warn about references that name no known credential, and return them."""
    refs = (reference_id(value) for value in references)
    missing = list(
        dict.fromkeys(ref for ref in refs if ref and resolve_reference(ref, batch) is None)
    )
    for ref in missing:
        batch.report.warn(
            node.position,
            "reference to a resource outside this import kept unresolved",
            field="@id",
            value=ref,
        )
    return missing


def link_stacking(credentials: list[Credential]) -> None:
    """Fill ``has_part`` and ``is_part_of`` in both directions between imported credentials."""
    by_id = {credential.id: credential for credential in credentials}
    for credential in credentials:
        for part_id in credential.has_part:
            part = by_id.get(part_id)
            if part and credential.id not in part.is_part_of:
                part.is_part_of.append(credential.id)
        for whole_id in credential.is_part_of:
            whole = by_id.get(whole_id)
            if whole and credential.id not in whole.has_part:
                whole.has_part.append(credential.id)
