"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from advisor.api.schemas import HealthPublic

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

READY_RESPONSES = {503: {"model": HealthPublic, "description": "A check failed; the body names it."}}


@router.get("/healthz")
def healthz() -> HealthPublic:
    """Return ok while the process serves requests."""
    return HealthPublic(status="ok")


@router.get("/readyz", responses=READY_RESPONSES)
async def readyz(request: Request) -> HealthPublic:
    """Return ok when the index is open and the database is reachable, else 503 naming the failed check."""
    services = getattr(request.app.state, "services", None)
    if services is None:
        return JSONResponse(HealthPublic(status="unavailable", checks={"startup": "loading"}).model_dump(), 503)
    checks = await run_in_threadpool(run_checks, services)
    ready = all(value.startswith("ok") for value in checks.values())
    body = HealthPublic(status="ok" if ready else "unavailable", checks=checks)
    return body if ready else JSONResponse(body.model_dump(), 503)


def run_checks(services) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Check the database and the index; each value is 'ok ...' or the failure."""
    from advisor.index.store import CollectionKind

    checks: dict[str, str] = {}
    try:
        with services.records.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure makes the service unready
        logger.warning("readiness: database unreachable: %s", error)
        checks["database"] = f"unreachable: {type(error).__name__}"

    if services.index is None:
        checks["index"] = "not open"
    else:
        try:
            count = services.index.collection(CollectionKind.CREDENTIALS).count()
            checks["index"] = f"ok, {count} credentials indexed"
        except Exception as error:  # noqa: BLE001 - any failure makes the service unready
            logger.warning("readiness: index unavailable: %s", error)
            checks["index"] = f"unavailable: {type(error).__name__}"
    return checks


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request) -> Response:
    """Return the metrics in the Prometheus text format."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
