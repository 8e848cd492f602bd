"""The imported catalog: credentials that admins add on top of the shipped knowledge base.

The imported credentials are stored as JSON Lines at ``<data_dir>/catalog/imported.jsonl``, and
every change rewrites the whole file atomically. The served knowledge base is the shipped one
plus these credentials. Shipped credentials are never replaced by an import: an imported id that
a shipped credential already has is rejected, because the shipped catalog changes only when the
knowledge base is rebuilt.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from advisor.config import Settings
from advisor.domain import Credential, ImportReport, ImportResult, KnowledgeBase
from advisor.errors import InvalidInputError
from advisor.ingest.catalog_format import import_catalog_file
from advisor.ingest.knowledge_base import load_knowledge_base, read_jsonl, write_jsonl

logger = logging.getLogger(__name__)

IMPORTED_CATALOG_FILE = Path("catalog") / "imported.jsonl"
SHIPPED_ID_REASON = "id of a shipped credential; an import cannot replace a shipped credential, so give it a new id"


class CatalogChange(BaseModel):
    """Ids of the imported credentials that one import or removal added, updated, left or removed."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Return whether the imported catalog differs from before."""
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class ServedCatalog:
    """The shipped knowledge base, the imported credentials and the knowledge base of both."""

    shipped: KnowledgeBase
    imported: dict[str, Credential]
    knowledge: KnowledgeBase


def imported_catalog_path(settings: Settings) -> Path:
    """Return the path of the imported catalog under the data directory."""
    return settings.data_dir / IMPORTED_CATALOG_FILE


def load_served_knowledge_base(settings: Settings) -> tuple[ServedCatalog, list[ImportReport]]:
    """Load the shipped knowledge base and the imported catalog, and merge them.

    Returns the served catalog and the reports of the shipped files, of the imported file and
    of the merge (imported ids that collide with shipped ones, and unknown references).
    """
    shipped, reports = load_knowledge_base(settings.knowledge_base_dir)
    path = imported_catalog_path(settings)
    imported, stored_report = read_imported(path)
    served, merge_report = merge_catalog(shipped, imported, str(path))
    if stored_report.rejected or merge_report.rejected:
        logger.warning(
            "imported catalog %s: %d lines unreadable, %d credentials not served",
            path,
            len(stored_report.rejected),
            len(merge_report.rejected),
        )
    return served, [*reports, stored_report, merge_report]


def read_imported(path: Path) -> tuple[list[Credential], ImportReport]:
    """Read the imported catalog; a missing file is an empty catalog."""
    if not path.is_file():
        return [], ImportReport(source=str(path))
    return read_jsonl(path, Credential)


def write_imported(path: Path, credentials: Iterable[Credential]) -> int:
    """Write the imported catalog sorted by id, replacing the file atomically; return the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        count = write_jsonl(temporary, sorted(credentials, key=lambda item: item.id))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return count


def merge_catalog(
    shipped: KnowledgeBase, imported: Iterable[Credential], source: str
) -> tuple[ServedCatalog, ImportReport]:
    """Serve the imported credentials beside the shipped ones; a shipped id wins a collision."""
    report = ImportReport(source=source)
    served_imports: dict[str, Credential] = {}
    for credential in imported:
        if credential.id in shipped.credentials:
            report.reject(credential.id, SHIPPED_ID_REASON, field="id", value=credential.id)
            continue
        served_imports[credential.id] = credential

    knowledge = KnowledgeBase(
        credentials={**shipped.credentials, **served_imports},
        skills=dict(shipped.skills),
        occupations=dict(shipped.occupations),
    )
    check_imported_references(knowledge, served_imports.values(), report)
    report.accepted = len(served_imports)
    return ServedCatalog(shipped=shipped, imported=served_imports, knowledge=knowledge), report


def check_imported_references(knowledge: KnowledgeBase, credentials: Iterable[Credential], report: ImportReport) -> None:
    """Warn about skill and credential ids that imported credentials name but the catalog lacks."""
    for credential in credentials:
        for skill in [*credential.skills, *credential.prerequisite_skills]:
            if skill.skill_id not in knowledge.skills:
                report.warn(
                    credential.id,
                    "skill id not in the skills taxonomy; the credential is kept, but the planner cannot match this skill",
                    field="skills",
                    value=skill.skill_id,
                )
        for field in ("prerequisite_credentials", "has_part", "is_part_of"):
            for other in getattr(credential, field):
                if other not in knowledge.credentials:
                    report.warn(credential.id, "credential id not in the catalog", field=field, value=other)


def read_catalog_file(
    path: Path, file_format: str | None = None, knowledge: KnowledgeBase | None = None
) -> ImportResult[Credential]:
    """Import a catalog file in the project's formats or as CTDL JSON-LD.

    Without ``file_format``, a ``.jsonld`` file, or a JSON document with ``@context``,
    ``@graph`` or ``@type`` at its top, is read as CTDL. ``knowledge`` resolves CTDL
    competencies to taxonomy skills.
    """
    chosen = (file_format or "").lower() or ("ctdl" if looks_like_ctdl(path) else None)
    if chosen != "ctdl":
        return import_catalog_file(path, chosen)

    from advisor.ingest.ctdl import import_ctdl

    if not path.is_file():
        raise InvalidInputError(f"File not found: {path}", value=str(path), hint="Check the path.")
    return import_ctdl(path, filename=path.name, knowledge_base=knowledge)


def looks_like_ctdl(path: Path) -> bool:
    """Return whether a file is JSON-LD by its extension or by the keys at its top."""
    suffix = path.suffix.lower()
    if suffix == ".jsonld":
        return True
    if suffix != ".json" or not path.is_file():
        return False
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(document, dict) and bool({"@context", "@graph", "@type"} & document.keys())


def apply_import(
    served: ServedCatalog, result: ImportResult[Credential], path: Path
) -> tuple[ServedCatalog, CatalogChange]:
    """Upsert the good credentials of an import into the imported catalog by id.

    A credential equal to the stored one is unchanged, and one that differs replaces it. A
    shipped id is rejected in ``result.report``, which also gets warnings for unknown
    references. The file is rewritten only when something changed.
    """
    report = result.report
    imported = dict(served.imported)
    change = CatalogChange()
    for credential in result.items:
        if credential.id in served.shipped.credentials:
            report.reject(credential.id, SHIPPED_ID_REASON, field="id", value=credential.id)
            continue
        previous = imported.get(credential.id)
        if previous is None:
            change.added.append(credential.id)
        elif stored_form(previous) == stored_form(credential):
            change.unchanged.append(credential.id)
            continue
        else:
            change.updated.append(credential.id)
        imported[credential.id] = credential

    report.accepted = len(change.added) + len(change.updated) + len(change.unchanged)
    if change.changed:
        write_imported(path, imported.values())
    updated, _merge_report = merge_catalog(served.shipped, imported.values(), str(path))
    check_imported_references(updated.knowledge, [imported[item] for item in change.added + change.updated], report)
    logger.info(
        "imported catalog %s: %d added, %d updated, %d unchanged, %d rejected",
        report.source,
        len(change.added),
        len(change.updated),
        len(change.unchanged),
        len(report.rejected),
    )
    return updated, change


def remove_imported(served: ServedCatalog, credential_ids: Iterable[str], path: Path) -> tuple[ServedCatalog, CatalogChange]:
    """Remove imported credentials by id; ids that name no imported credential are skipped."""
    imported = dict(served.imported)
    change = CatalogChange()
    for credential_id in credential_ids:
        if imported.pop(credential_id, None) is not None:
            change.removed.append(credential_id)
    if not change.changed:
        return served, change

    write_imported(path, imported.values())
    updated, _merge_report = merge_catalog(served.shipped, imported.values(), str(path))
    logger.info("imported catalog %s: removed %s", path, change.removed)
    return updated, change


def stored_form(credential: Credential) -> dict[str, object]:
    """Return a credential as the imported catalog stores it, for comparing two versions."""
    return credential.model_dump(mode="json", exclude_none=True)
