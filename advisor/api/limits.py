"""Limits on what one caller may send: body size, checked while the body arrives, and request rate.

The body limit counts bytes as they are received, so a chunked body without Content-Length is
cut off at the limit rather than read whole. File uploads get the upload limit plus room for
the multipart framing; every other request gets ``ADVISOR_MAX_BODY_BYTES``.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from advisor.api.errors import ApiError
from advisor.config import Settings

MULTIPART_OVERHEAD_BYTES = 64 * 1024
UPLOAD_PATHS = re.compile(r"^/v1/(learners/[^/]+/record|admin/catalog/imports)$")
MAX_TRACKED_CALLERS = 10_000


class BodyLimitMiddleware:
    """Answers 413 as soon as a request body passes its limit, before the route reads it whole."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.body_limit = settings.max_body_bytes
        self.upload_limit = settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES

    def limit_for(self, scope: Scope) -> int:
        """Return the byte limit of the request's body."""
        return self.upload_limit if UPLOAD_PATHS.match(scope["path"]) else self.body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        limit = self.limit_for(scope)
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await send_too_large(send, scope, limit)
            return

        received = 0
        rejected = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not rejected:
                    rejected = True
                    if not response_started:
                        await send_too_large(send, scope, limit)
                    # The route sees a disconnect and stops reading; its response is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            # A route that was cut off at the limit may fail on the truncated body; the 413 is sent.
            if not rejected:
                raise


def declared_length(scope: Scope) -> int | None:
    """Return the Content-Length header as a number, or None when absent or malformed."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def send_too_large(send: Send, scope: Scope, limit: int) -> None:
    """Send a JSON 413 that states the limit."""
    request_id = scope.get("state", {}).get("request_id")
    body = json.dumps(
        {
            "code": "too_large",
            "message": f"The request body is larger than {limit} bytes, the limit of this route. "
            "Send a smaller body or file.",
            "request_id": request_id,
            "details": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass
class Bucket:
    """A token bucket: tokens left and when it was last refilled."""

    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per caller: ``per_minute`` requests a minute, in bursts of up to that many.

    NOTE: buckets live in process memory, so each API worker counts on its own; several
    workers behind a load balancer need the buckets in a shared store.
    """

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}

    def check(self, key: str) -> None:
        """Take one token from the caller's bucket, or raise a 429 ApiError with Retry-After."""
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            self.forget_idle(now)
            bucket = self.buckets[key] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / self.rate)
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests: the limit is {int(self.capacity)} a minute per caller. "
                f"Wait {wait} seconds and try again.",
                headers={"Retry-After": str(wait)},
            )
        bucket.tokens -= 1

    def forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled completely, once too many callers are tracked."""
        if len(self.buckets) < MAX_TRACKED_CALLERS:
            return
        full_after = self.capacity / self.rate
        for key in [key for key, bucket in self.buckets.items() if now - bucket.updated >= full_after]:
            del self.buckets[key]
