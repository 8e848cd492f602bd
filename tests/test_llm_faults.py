"""Every fault of a chat model call ends in a typed outcome, within its time bound."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from fakes.openai_server import (
    Answer,
    ErrorReply,
    FakeOpenAIServer,
    FakeToolCall,
    quota_exhausted,
    rate_limited,
    server_error,
)
from langchain_core.messages import HumanMessage

from advisor.chat.faults import Fault, FaultKind, RetryPolicy, parse_retry_after
from advisor.chat.llm import ChatProvider, ModelReply
from advisor.config import Settings

MESSAGES = [HumanMessage("What should I learn next?")]
TOOL = {
    "type": "function",
    "function": {"name": "plan_pathway", "parameters": {"type": "object", "properties": {"goal": {"type": "string"}}}},
}


class SleepRecorder:
    """Stands in for asyncio.sleep and records the waits the retry policy asked for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_provider(base_url: str, sleep: SleepRecorder | None = None, **overrides: object) -> ChatProvider:
    values: dict[str, object] = {
        "openai_api_key": "test-key",
        "openai_base_url": base_url,
        "openai_model": "fake-model",
        "openai_timeout_seconds": 1.0,
        "openai_stream_chunk_timeout_seconds": 0.3,
        "openai_max_attempts": 3,
        "openai_retry_max_wait_seconds": 5.0,
    }
    values.update(overrides)
    return ChatProvider(Settings(**values), sleep=sleep or SleepRecorder())


def run(provider: ChatProvider, stream: bool, tools: tuple = ()) -> ModelReply | Fault:
    async def go() -> ModelReply | Fault:
        items = [item async for item in provider.astream(MESSAGES, tools, stream=stream)]
        return items[-1]

    return asyncio.run(go())


@pytest.mark.parametrize("stream", [False, True])
def test_timeout_bounded(fake_openai: FakeOpenAIServer, stream: bool) -> None:
    fake_openai.script(Answer(text="late", delay=3.0))
    provider = make_provider(fake_openai.base_url)

    started = time.monotonic()
    outcome = run(provider, stream)
    elapsed = time.monotonic() - started

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.TIMEOUT
    assert elapsed < 2.0
    assert len(fake_openai.requests) == 1


def test_rate_limit_honours_retry_after(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(rate_limited("2"), rate_limited("1.5"), Answer(text="Now it works."))
    sleep = SleepRecorder()
    provider = make_provider(fake_openai.base_url, sleep)

    outcome = run(provider, stream=True)

    assert isinstance(outcome, ModelReply)
    assert outcome.attempts == 3
    assert sleep.delays == [2.0, 1.5]
    assert len(fake_openai.requests) == 3


def test_rate_limit_real_wait(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(rate_limited("0.4"), Answer(text="Now it works."))
    provider = ChatProvider(
        Settings(openai_api_key="test-key", openai_base_url=fake_openai.base_url, openai_timeout_seconds=1.0)
    )

    started = time.monotonic()
    outcome = run(provider, stream=False)
    elapsed = time.monotonic() - started

    assert isinstance(outcome, ModelReply)
    assert elapsed >= 0.4


def test_rate_limit_retry_after_beyond_budget(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(rate_limited("30"), Answer(text="never sent"))
    sleep = SleepRecorder()
    provider = make_provider(fake_openai.base_url, sleep)

    outcome = run(provider, stream=False)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.RATE_LIMITED
    assert outcome.retry_after == 30.0
    assert sleep.delays == []
    assert len(fake_openai.requests) == 1


def test_rate_limit_total_wait_bounded(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(rate_limited("3"), rate_limited("3"), rate_limited("3"))
    sleep = SleepRecorder()
    provider = make_provider(fake_openai.base_url, sleep, openai_max_attempts=5)

    outcome = run(provider, stream=False)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.RATE_LIMITED
    assert outcome.attempts == 2
    assert sum(sleep.delays) <= 5.0


def test_rate_limit_without_retry_after(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(rate_limited(None), rate_limited(None), rate_limited(None))
    sleep = SleepRecorder()
    provider = make_provider(fake_openai.base_url, sleep)

    outcome = run(provider, stream=False)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.RATE_LIMITED
    assert outcome.attempts == 3
    assert len(sleep.delays) == 2
    assert 0.375 <= sleep.delays[0] <= 0.5
    assert 0.75 <= sleep.delays[1] <= 1.0


def test_quota_exhausted_not_retried(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(quota_exhausted(), Answer(text="never sent"))
    sleep = SleepRecorder()
    provider = make_provider(fake_openai.base_url, sleep)

    outcome = run(provider, stream=True)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.QUOTA_EXHAUSTED
    assert outcome.status == 429
    assert sleep.delays == []
    assert len(fake_openai.requests) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_retried(fake_openai: FakeOpenAIServer, status: int) -> None:
    fake_openai.script(server_error(status), Answer(text="Recovered."))
    sleep = SleepRecorder()
    provider = make_provider(fake_openai.base_url, sleep)

    outcome = run(provider, stream=True)

    assert isinstance(outcome, ModelReply)
    assert outcome.text == "Recovered."
    assert outcome.attempts == 2
    assert len(sleep.delays) == 1


def test_server_error_exhausts_attempts(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(server_error(503), server_error(500), server_error(503))
    provider = make_provider(fake_openai.base_url)

    outcome = run(provider, stream=False)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.SERVER_ERROR
    assert outcome.status == 503
    assert outcome.attempts == 3
    assert len(fake_openai.requests) == 3


def test_client_error_not_retried(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(ErrorReply(status=401, body={"error": {"message": "Invalid key.", "code": "invalid_api_key"}}))
    provider = make_provider(fake_openai.base_url)

    outcome = run(provider, stream=False)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.REQUEST_REJECTED
    assert outcome.status == 401
    assert len(fake_openai.requests) == 1


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = SleepRecorder()
    provider = make_provider(f"http://127.0.0.1:{port}/v1", sleep)

    outcome = run(provider, stream=True)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.CONNECTION_ERROR
    assert outcome.attempts == 3


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("arguments", ['{"goal": "data an', "[1, 2]", '{"goal": }'])
def test_malformed_tool_arguments(fake_openai: FakeOpenAIServer, stream: bool, arguments: str) -> None:
    fake_openai.script(Answer(tool_calls=[FakeToolCall("plan_pathway", arguments)], finish_reason="length"))
    provider = make_provider(fake_openai.base_url)

    outcome = run(provider, stream, tools=(TOOL,))

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.MALFORMED_TOOL_CALL
    assert len(outcome.detail["tool_calls"]) == 1


@pytest.mark.parametrize("keepalive", [None, 0.05])
def test_stream_stall_bounded(fake_openai: FakeOpenAIServer, keepalive: float | None) -> None:
    answer = Answer(text="Start with SQL and then", stall_after_chunks=3, stall_seconds=5.0, keepalive_interval=keepalive)
    fake_openai.script(answer)
    provider = make_provider(fake_openai.base_url, openai_timeout_seconds=3.0)

    started = time.monotonic()
    outcome = run(provider, stream=True)
    elapsed = time.monotonic() - started

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.STREAM_STALLED
    assert elapsed < 1.5


@pytest.mark.parametrize("stream", [False, True])
def test_content_filter(fake_openai: FakeOpenAIServer, stream: bool) -> None:
    fake_openai.script(Answer(text="Partial answer that", finish_reason="content_filter"))
    provider = make_provider(fake_openai.base_url)

    outcome = run(provider, stream)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.CONTENT_FILTERED
    assert len(fake_openai.requests) == 1


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("text", [None, "", "  \n"])
def test_empty_answer(fake_openai: FakeOpenAIServer, stream: bool, text: str | None) -> None:
    fake_openai.script(Answer(text=text))
    provider = make_provider(fake_openai.base_url)

    outcome = run(provider, stream)

    assert isinstance(outcome, Fault)
    assert outcome.kind is FaultKind.EMPTY_ANSWER


def test_fault_incident() -> None:
    fault = Fault(kind=FaultKind.RATE_LIMITED, message="Rate limited.", status=429, retry_after=2.0, attempts=3)

    incident = fault.incident()

    assert incident.kind == "llm_rate_limited"
    assert incident.detail["status"] == 429
    assert incident.detail["attempts"] == 3
    assert incident.detail["retry_after"] == 2.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, 10.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-4"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    now = 1445412480.0  # 2015-10-21 07:28:00 UTC

    assert parse_retry_after(headers, now=now) == expected


def test_policy_backoff_capped() -> None:
    policy = RetryPolicy(max_attempts=10, max_total_wait=100.0, jitter=lambda: 0.0)
    fault = Fault(kind=FaultKind.SERVER_ERROR, message="boom")

    delays = [policy.delay_before_retry(fault, attempt, 0.0) for attempt in range(1, 8)]

    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_policy_backoff_cut_to_budget() -> None:
    policy = RetryPolicy(max_attempts=10, max_total_wait=3.0, jitter=lambda: 0.0)
    fault = Fault(kind=FaultKind.SERVER_ERROR, message="boom")

    assert policy.delay_before_retry(fault, 4, 2.5) == 0.5
    assert policy.delay_before_retry(fault, 4, 3.0) is None
