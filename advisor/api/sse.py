"""Server-sent events: chat events as an event stream that stops the turn when the client leaves."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

logger = logging.getLogger(__name__)


def format_event(event_type: str, data: str, event_id: int | None = None) -> str:
    """Return one server-sent event; ``data`` must be a single line, as compact JSON is."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event_type}\ndata: {data}\n\n"


def error_event(code: str, message: str, request_id: str | None) -> str:
    """Return an ``error`` event for a failure after the stream has started."""
    return format_event("error", json.dumps({"code": code, "message": message, "request_id": request_id}))


class EventStreamResponse(StreamingResponse):
    """A text/event-stream response that cancels its source as soon as the client disconnects.

    Starlette's StreamingResponse notices a disconnect only at the next write under ASGI 2.4
    servers; this one listens for ``http.disconnect`` while streaming, cancels the stream, and
    closes the body iterator so the source's cleanup runs.
    """

    media_type = "text/event-stream"

    def __init__(self, content: AsyncIterator[str]) -> None:
        super().__init__(
            content,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            media_type=self.media_type,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:

                async def stream_then_stop() -> None:
                    try:
                        await self.stream_response(send)
                    except OSError:
                        logger.info("event stream client went away during a write")
                    group.cancel_scope.cancel()

                group.start_soon(stream_then_stop)
                await self.listen_for_disconnect(receive)
                group.cancel_scope.cancel()
        finally:
            body = self.body_iterator
            if hasattr(body, "aclose"):
                with anyio.CancelScope(shield=True):
                    await body.aclose()
