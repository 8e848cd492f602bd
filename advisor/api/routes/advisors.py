"""Advisor routes: the learners assigned to the calling advisor."""

from __future__ import annotations

from fastapi import APIRouter

from advisor.api.deps import AdvisorDep, ServicesDep
from advisor.api.schemas import AssignedLearnerPublic

router = APIRouter(prefix="/v1/advisor", tags=["advisor"])


@router.get("/learners")
def list_assigned_learners(caller: AdvisorDep, services: ServicesDep) -> list[AssignedLearnerPublic]:
    """List the learners assigned to the calling advisor."""
    learners = []
    for assignment in services.assignments.list(caller.subject):
        record = services.records.get(assignment.learner_id)
        learners.append(
            AssignedLearnerPublic(
                learner_id=assignment.learner_id,
                name=record.name if record else None,
                has_record=record is not None,
                assigned_at=assignment.created_at,
            )
        )
    return learners
