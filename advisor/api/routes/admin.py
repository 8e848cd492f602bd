"""Admin routes: import catalog files into the served catalog and assign learners to advisors."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from advisor.api.catalog_admin import import_catalog_file_into, remove_imported_credentials
from advisor.api.deps import AdminDep, ServicesDep
from advisor.api.errors import ApiError, not_found
from advisor.api.routes.records import read_upload
from advisor.api.schemas import (
    AssignmentCreate,
    AssignmentPublic,
    CatalogImportCounts,
    CatalogImportPublic,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/admin", tags=["admin"])

CatalogFormat = Literal["csv", "json", "jsonl", "coursera", "edx", "ctdl"]
NAMED_SUFFIXES = {"csv", "json", "jsonl", "jsonld"}


@router.post("/catalog/imports")
async def import_catalog(
    caller: AdminDep,
    services: ServicesDep,
    file: Annotated[
        UploadFile,
        File(description="Catalog file: CSV, JSON or JSON Lines, a Coursera or edX export, or CTDL JSON-LD."),
    ],
    file_format: Annotated[
        CatalogFormat | None,
        Form(alias="format", description="File format; default: from the file name, and CTDL for JSON-LD."),
    ] = None,
) -> CatalogImportPublic:
    """Import a catalog file into the served catalog: add or update its credentials by id.

    Credentials whose id a shipped credential has are rejected. Search and advice see the
    imported credentials from the next request, and they are kept across restarts.
    """
    content = await read_upload(file, services.settings.max_upload_bytes)
    name = Path(file.filename or "catalog").name
    suffix = Path(name).suffix.lower() if file_format is None else f".{file_format}"
    if file_format is None and suffix.lstrip(".") not in NAMED_SUFFIXES:
        raise ApiError(
            422,
            "invalid_input",
            f"Cannot tell the format of {name!r} from its name. Send the form field 'format' "
            "(csv, json, jsonl, coursera, edx or ctdl).",
        )

    with tempfile.TemporaryDirectory(prefix="advisor-catalog-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        change, report, indexed = await run_in_threadpool(import_catalog_file_into, services, path, file_format)

    for entry in (*report.rejected, *report.warnings):
        if entry.file in {str(path), path.name}:
            entry.file = name
    report.source = name
    counts = CatalogImportCounts(
        added=len(change.added), updated=len(change.updated), unchanged=len(change.unchanged), rejected=len(report.rejected)
    )
    logger.info(
        "admin %s imported catalog %s: %d added, %d updated, %d unchanged, %d rejected",
        caller.subject,
        name,
        counts.added,
        counts.updated,
        counts.unchanged,
        counts.rejected,
    )
    return CatalogImportPublic(
        **report.model_dump(), counts=counts, added_ids=change.added, updated_ids=change.updated, indexed=indexed
    )


@router.delete("/catalog/imports/{credential_id:path}", status_code=204)
async def delete_imported_credential(credential_id: str, caller: AdminDep, services: ServicesDep) -> Response:
    """Remove an imported credential from the served catalog and the index."""
    change = await run_in_threadpool(remove_imported_credentials, services, [credential_id])
    if not change.removed:
        shipped = credential_id in services.catalog.shipped.credentials
        hint = " It is a shipped credential, which only a rebuild of the knowledge base removes." if shipped else ""
        raise not_found(f"No imported credential {credential_id!r}.{hint}")
    logger.info("admin %s removed imported credential %s", caller.subject, credential_id)
    return Response(status_code=204)


@router.post("/assignments", status_code=201)
def create_assignment(body: AssignmentCreate, caller: AdminDep, services: ServicesDep) -> AssignmentPublic:
    """Assign a learner to an advisor."""
    assignment = services.assignments.assign(body.advisor_id, body.learner_id)
    return AssignmentPublic.model_validate(assignment.model_dump())


@router.get("/assignments")
def list_assignments(
    caller: AdminDep,
    services: ServicesDep,
    advisor_id: Annotated[str | None, Query(max_length=200, description="Only this advisor's learners.")] = None,
) -> list[AssignmentPublic]:
    """List assignments, of one advisor or of all."""
    return [AssignmentPublic.model_validate(item.model_dump()) for item in services.assignments.list(advisor_id)]


@router.delete("/assignments/{advisor_id}/{learner_id}", status_code=204)
def delete_assignment(advisor_id: str, learner_id: str, caller: AdminDep, services: ServicesDep) -> Response:
    """Remove an assignment of a learner to an advisor."""
    if not services.assignments.unassign(advisor_id, learner_id):
        raise not_found(f"Learner {learner_id!r} is not assigned to advisor {advisor_id!r}.")
    return Response(status_code=204)
