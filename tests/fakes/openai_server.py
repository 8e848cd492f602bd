"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, scripted per test.

Each POST to ``/v1/chat/completions`` takes the next scripted reply. An ``Answer`` is sent as
one JSON body or as server-sent events ending in ``data: [DONE]``, whichever the request asks
for, and can be delayed, split into fragments, or stalled mid-stream. An ``ErrorReply`` sends an
HTTP error with a body and headers. Every request is recorded so tests can check what was sent.

    with FakeOpenAIServer() as server:
        server.script(Answer(text="Hello"))
        ...  # point the client at server.base_url
        assert server.requests[0].body["model"] == "fake-model"
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAKE_MODEL = "fake-model"


@dataclass
class FakeToolCall:
    """A tool call the fake model requests; ``arguments`` is sent verbatim, valid JSON or not."""

    name: str
    arguments: str
    id: str = "call_1"
    fragments: int = 3


@dataclass
class Answer:
    """A successful reply: text, tool calls, finish reason and how to stream them."""

    text: str | None = None
    tool_calls: list[FakeToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: tuple[int, int] = (42, 7)
    delay: float = 0.0
    text_chunk_chars: int = 8
    stall_after_chunks: int | None = None
    stall_seconds: float = 0.0
    keepalive_interval: float | None = None

    @property
    def resolved_finish_reason(self) -> str:
        """Finish reason as sent: tool_calls when there are tool calls, else stop."""
        if self.finish_reason is not None:
            return self.finish_reason
        return "tool_calls" if self.tool_calls else "stop"


@dataclass
class ErrorReply:
    """An HTTP error response."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class RecordedRequest:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def rate_limited(retry_after: str | None = "1") -> ErrorReply:
    """Return a 429 for too many requests, with an optional Retry-After header."""
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    body = {"error": {"message": "Rate limit reached.", "type": "requests", "code": "rate_limit_exceeded"}}
    return ErrorReply(status=429, body=body, headers=headers)


def quota_exhausted() -> ErrorReply:
    """Return the 429 OpenAI sends when the account has no quota left."""
    body = {
        "error": {
            "message": "You exceeded your current quota.",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    return ErrorReply(status=429, body=body, headers={"retry-after": "1"})


def server_error(status: int = 500) -> ErrorReply:
    """Return a 5xx server error."""
    body = {"error": {"message": f"Server error {status}.", "type": "server_error", "code": None}}
    return ErrorReply(status=status, body=body)


class FakeOpenAIServer:
    """A threaded HTTP server that plays back scripted chat-completion replies."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.replies: deque[Answer | ErrorReply] = deque()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.make_handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        """Base URL to give the OpenAI client."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Answer | ErrorReply) -> None:
        """Queue replies, one per coming request."""
        with self.lock:
            self.replies.extend(replies)

    def start(self) -> "FakeOpenAIServer":
        """Start serving in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Wake stalled handlers, stop serving and close the socket."""
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def next_reply(self) -> Answer | ErrorReply:
        """Take the next scripted reply, or a 500 that says the script ran out."""
        with self.lock:
            if self.replies:
                return self.replies.popleft()
        return ErrorReply(status=500, body={"error": {"message": "No scripted reply left."}})

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        """Return a request handler class bound to this server."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_POST(self) -> None:  # noqa: N802 - name fixed by http.server
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length) if length else b"{}"
                body = json.loads(raw or b"{}")
                headers = {key.lower(): value for key, value in self.headers.items()}
                with server.lock:
                    server.requests.append(RecordedRequest("POST", self.path, headers, body))

                if not self.path.endswith("/chat/completions"):
                    send_json(self, 404, {"error": {"message": f"Unknown path {self.path}."}})
                    return

                reply = server.next_reply()
                if reply.delay:
                    server.stopping.wait(reply.delay)
                try:
                    if isinstance(reply, ErrorReply):
                        send_json(self, reply.status, reply.body, reply.headers)
                    elif body.get("stream"):
                        send_stream(self, server, reply, body)
                    else:
                        send_json(self, 200, completion_body(reply))
                except (BrokenPipeError, ConnectionResetError):
                    return

        return Handler


def send_json(
    handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Send a JSON response with a content length."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def completion_body(answer: Answer) -> dict[str, Any]:
    """Return the chat.completion object for a non-streamed answer."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.text}
    if answer.tool_calls:
        message["tool_calls"] = [
            {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for call in answer.tool_calls
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": FAKE_MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": answer.resolved_finish_reason}],
        "usage": usage_body(answer),
    }


def usage_body(answer: Answer) -> dict[str, int]:
    """Return the usage object of an answer."""
    prompt, completion = answer.usage
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def stream_deltas(answer: Answer) -> list[dict[str, Any]]:
    """Split an answer into the choice objects of successive stream chunks."""
    choices: list[dict[str, Any]] = [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]

    text = answer.text or ""
    step = max(answer.text_chunk_chars, 1)
    for start in range(0, len(text), step):
        choices.append({"index": 0, "delta": {"content": text[start : start + step]}, "finish_reason": None})

    for index, call in enumerate(answer.tool_calls):
        opening = {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        choices.append({"index": 0, "delta": {"tool_calls": [opening]}, "finish_reason": None})
        for fragment in split_text(call.arguments, call.fragments):
            piece = {"index": index, "function": {"arguments": fragment}}
            choices.append({"index": 0, "delta": {"tool_calls": [piece]}, "finish_reason": None})

    choices.append({"index": 0, "delta": {}, "finish_reason": answer.resolved_finish_reason})
    return choices


def split_text(text: str, parts: int) -> list[str]:
    """Split text into up to ``parts`` consecutive non-empty fragments."""
    size = max(1, -(-len(text) // max(parts, 1)))
    return [text[start : start + size] for start in range(0, len(text), size)]


def send_stream(
    handler: BaseHTTPRequestHandler, server: FakeOpenAIServer, answer: Answer, request: dict[str, Any]
) -> None:
    """Send an answer as server-sent events, stalling where the answer says to."""
    handler.send_response(200)
    handler.send_header("content-type", "text/event-stream")
    handler.send_header("cache-control", "no-cache")
    handler.end_headers()

    created = int(time.time())
    for position, choice in enumerate(stream_deltas(answer)):
        if answer.stall_after_chunks is not None and position == answer.stall_after_chunks:
            stall(handler, server, answer)
            return
        chunk = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": created,
            "model": FAKE_MODEL,
            "choices": [choice],
        }
        write_event(handler, json.dumps(chunk))

    if (request.get("stream_options") or {}).get("include_usage"):
        usage_chunk = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": created,
            "model": FAKE_MODEL,
            "choices": [],
            "usage": usage_body(answer),
        }
        write_event(handler, json.dumps(usage_chunk))
    write_event(handler, "[DONE]")


def stall(handler: BaseHTTPRequestHandler, server: FakeOpenAIServer, answer: Answer) -> None:
    """Hold the stream open without chunks, sending only keep-alive comments if asked."""
    ends = time.monotonic() + answer.stall_seconds
    while not server.stopping.is_set():
        remaining = ends - time.monotonic()
        if remaining <= 0:
            return
        interval = answer.keepalive_interval or remaining
        server.stopping.wait(min(interval, remaining))
        if answer.keepalive_interval:
            handler.wfile.write(b": keepalive\n\n")
            handler.wfile.flush()


def write_event(handler: BaseHTTPRequestHandler, data: str) -> None:
    """Write one server-sent event and flush it."""
    handler.wfile.write(f"data: {data}\n\n".encode())
    handler.wfile.flush()
