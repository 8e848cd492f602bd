"""Admin routes: import a catalog file and assign learners to advisors."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from advisor.api.deps import AdminDep, ServicesDep
from advisor.api.errors import ApiError, not_found
from advisor.api.routes.records import read_upload
from advisor.api.schemas import AssignmentCreate, AssignmentPublic
from advisor.domain import ImportReport
from advisor.ingest.catalog_format import import_catalog_file

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/admin", tags=["admin"])

CatalogFormat = Literal["csv", "json", "jsonl", "coursera", "edx"]


@router.post("/catalog/imports")
async def import_catalog(
    caller: AdminDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="Catalog file: CSV, JSON or JSON Lines, or a Coursera or edX export.")],
    file_format: Annotated[
        CatalogFormat | None, Form(alias="format", description="File format; default: from the file name.")
    ] = None,
) -> ImportReport:
    """Validate a catalog file and return its import report: accepted count and every rejected record."""
    content = await read_upload(file, services.settings.max_upload_bytes)
    name = Path(file.filename or "catalog").name
    suffix = Path(name).suffix if file_format is None else f".{file_format}"
    if file_format is None and suffix.lstrip(".").lower() not in {"csv", "json", "jsonl"}:
        raise ApiError(
            422,
            "invalid_input",
            f"Cannot tell the format of {name!r} from its name. Send the form field 'format' "
            "(csv, json, jsonl, coursera or edx).",
        )

    with tempfile.TemporaryDirectory(prefix="advisor-catalog-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        result = await run_in_threadpool(import_catalog_file, path, file_format)

    report = result.report
    for entry in (*report.rejected, *report.warnings):
        if entry.file == str(path):
            entry.file = name
    report.source = name
    # NOTE: the report validates the file; the served catalog changes only when the knowledge
    # base is rebuilt and re-indexed, because the index and the engine read that knowledge base.
    logger.info("admin %s imported catalog %s: %d accepted, %d rejected", caller.subject, name, report.accepted, len(report.rejected))
    return report


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
