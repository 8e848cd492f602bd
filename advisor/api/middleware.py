"""Request context: a request id, one log line and the metrics of every request, and a JSON 500.

Written as plain ASGI middleware so that streamed responses pass through untouched and a
client disconnect reaches the route.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from advisor.api.metrics import Metrics

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = b"x-request-id"
CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(scope: Scope) -> str:
    """Return the client's X-Request-ID when it is a plain token, else a fresh id."""
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if CLIENT_REQUEST_ID.match(text):
                return text
    return uuid.uuid4().hex[:16]


def route_template(scope: Scope) -> str:
    """Return the matched route's path template, so metric labels stay few."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestContextMiddleware:
    """Gives each request an id, logs one INFO line, updates metrics and turns crashes into JSON 500s."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = new_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("request %s %s %s failed", request_id, scope["method"], scope["path"])
            if not response_started:
                await send_internal_error(send_with_id, request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            caller = scope.get("state", {}).get("caller")
            logger.info(
                "%s %s %d %.1f ms request_id=%s caller=%s",
                scope["method"],
                scope["path"],
                status,
                elapsed * 1000,
                request_id,
                caller.subject if caller is not None else "-",
            )


async def send_internal_error(send: Send, request_id: str) -> None:
    """Send a JSON 500 that names the request id."""
    body = json.dumps(
        {
            "code": "internal_error",
            "message": f"The server failed on this request. Try again; if it keeps failing, "
            f"report request id {request_id} to the operator.",
            "request_id": request_id,
            "details": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
