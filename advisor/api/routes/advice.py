"""Advice without chat: the gap and the pathway toward a goal, with citations."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from advisor.api.deps import LearnerDep, ServicesDep
from advisor.api.schemas import AdviceCreate
from advisor.domain import Advice
from advisor.engine import advise
from advisor.engine.goals import goal_from_text

router = APIRouter(prefix="/v1/learners/{learner_id}", tags=["advice"])


@router.post("/advice")
async def create_advice(body: AdviceCreate, learner: LearnerDep, services: ServicesDep) -> Advice:
    """Plan the gap and pathway toward a goal from the learner's stored record."""
    goal = goal_from_text(body.goal) if isinstance(body.goal, str) else body.goal
    record = await run_in_threadpool(services.records.get, learner)
    return await run_in_threadpool(
        lambda: advise(
            services.knowledge,
            record,
            goal,
            body.constraints,
            services.skill_search,
            alternatives=body.alternatives,
        )
    )
