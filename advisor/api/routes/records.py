"""Record routes: upload a learner record, read the learner's profile, delete the learner's data."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from advisor.api.auth import Role
from advisor.api.deps import (
    SELF_ALIAS,
    CallerDep,
    LearnerDep,
    LearnerIdPath,
    ServicesDep,
    resolve_learner,
)
from advisor.api.errors import ApiError, forbidden
from advisor.api.schemas import DeletionPublic, ProfilePublic, RecordImportPublic
from advisor.engine.profile import build_profile
from advisor.ingest.records import import_record

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/learners/{learner_id}", tags=["records"])


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """Read an uploaded file, raising 413 once it passes ``limit`` bytes."""
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise ApiError(
            413,
            "too_large",
            f"The file {file.filename!r} is larger than {limit} bytes (ADVISOR_MAX_UPLOAD_BYTES). "
            "Upload a smaller file.",
        )
    return content


@router.put("/record")
async def upload_record(
    learner: LearnerDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="Open Badges 3.0 (JSON or JWT), CLR 2.0, LER-RS or plain JSON/YAML record.")],
) -> RecordImportPublic:
    """Upload the learner's record, replacing any earlier one, and return the import report."""
    content = await read_upload(file, services.settings.max_upload_bytes)
    result = await run_in_threadpool(
        import_record, content, learner_id=learner, knowledge_base=services.knowledge, filename=file.filename
    )
    record = result.items[0]
    await run_in_threadpool(services.records.save, record)
    return RecordImportPublic(
        learner_id=record.learner_id,
        format=(record.model_extra or {}).get("source_format"),
        accepted=result.report.accepted,
        rejected=result.report.rejected,
        warnings=result.report.warnings,
    )


@router.get("/profile")
async def read_profile(learner: LearnerDep, services: ServicesDep) -> ProfilePublic:
    """Return the learner's skill profile with the evidence behind each skill."""
    record = await run_in_threadpool(services.records.get, learner)
    profile = await run_in_threadpool(build_profile, services.knowledge, record, services.skill_search)
    profile.learner_id = learner
    return ProfilePublic(learner_id=learner, has_record=record is not None, profile=profile)


@router.delete("")
async def delete_learner(learner_id: LearnerIdPath, caller: CallerDep, services: ServicesDep) -> DeletionPublic:
    """Delete the learner's record, indexed record items, conversations and assignments."""
    if caller.role is Role.ADVISOR:
        raise forbidden("Advisors cannot delete learner data. The learner or an admin can.")
    if caller.role is Role.ADMIN and learner_id != SELF_ALIAS:
        learner = learner_id
    else:
        learner = resolve_learner(caller, learner_id, services)

    existed = await run_in_threadpool(services.records.delete, learner)
    removed = await run_in_threadpool(services.assignments.delete_learner, learner)
    logger.info("deleted data of learner %s at the request of %s %s", learner, caller.role.value, caller.subject)
    return DeletionPublic(learner_id=learner, record_deleted=existed, assignments_removed=removed)
