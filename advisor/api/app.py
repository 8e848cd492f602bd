"""The FastAPI app: routes, middleware and the services loaded once at startup.

Middleware, outermost first: CORS (so every response, errors included, carries the CORS
headers), request context (request id, log line, metrics, JSON 500), body size limit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from advisor.api.auth import token_secret
from advisor.api.errors import ErrorPublic, install_error_handlers
from advisor.api.limits import BodyLimitMiddleware
from advisor.api.metrics import Metrics
from advisor.api.middleware import RequestContextMiddleware
from advisor.api.routes import admin, advice, advisors, catalog, chat, health, records, web
from advisor.api.services import load_services
from advisor.config import Settings, get_settings

logger = logging.getLogger(__name__)

ERROR_RESPONSES = {
    status: {"model": ErrorPublic, "description": description}
    for status, description in {
        400: "Malformed request body.",
        401: "Missing, invalid or expired bearer token.",
        403: "The token's role or subject may not reach this resource.",
        404: "No such route, or an id that names nothing the caller can reach.",
        413: "Request body or upload too large.",
        422: "Invalid request.",
        429: "Rate limit reached; see Retry-After.",
        503: "The service is starting, or the catalog index is unavailable.",
    }.items()
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the knowledge base, index and stores load when it starts serving."""
    settings = settings or get_settings()
    token_secret(settings)  # Fails fast on a missing or weak secret, before serving anything.

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(load_services, settings)
        app.state.services = services
        try:
            yield
        finally:
            services.close()
            app.state.services = None

    app = FastAPI(
        title="advisor",
        version="0.1.0",
        summary="Plans and explains pathways of stackable credentials toward a learner's goal.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.services = None
    app.state.metrics = Metrics()
    install_error_handlers(app)

    for module in (chat, records, advice, catalog, admin, advisors, health, web):
        app.include_router(module.router)

    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    return app
