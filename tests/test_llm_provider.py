"""The chat provider against a fake OpenAI-compatible server: answers, streams and tool calls."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from fakes.openai_server import Answer, FakeOpenAIServer, FakeToolCall, server_error
from langchain_core.messages import HumanMessage, SystemMessage

from advisor.chat.events import FinalEvent, TextDelta, ToolCallEvent, parse_event
from advisor.chat.faults import Fault
from advisor.chat.llm import ChatProvider, ModelReply, build_provider
from advisor.config import Settings
from advisor.errors import ConfigurationError

PLAN_TOOL = {
    "type": "function",
    "function": {
        "name": "plan_pathway",
        "description": "Plan a pathway toward a goal.",
        "parameters": {
            "type": "object",
            "properties": {"goal": {"type": "string"}, "max_hours": {"type": "number"}},
            "required": ["goal"],
        },
    },
}

MESSAGES = [SystemMessage("You are a learning advisor."), HumanMessage("What should I learn next?")]


def make_settings(server: FakeOpenAIServer, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "openai_api_key": "test-key",
        "openai_base_url": server.base_url,
        "openai_model": "fake-model",
        "openai_timeout_seconds": 3.0,
        "openai_stream_chunk_timeout_seconds": 1.0,
    }
    values.update(overrides)
    return Settings(**values)


def collect(provider: ChatProvider, tools: list | tuple = ()) -> list:
    async def run() -> list:
        return [item async for item in provider.astream(MESSAGES, tools)]

    return asyncio.run(run())


def test_complete_plain_answer(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="Start with statistics [cred-1]."))
    provider = ChatProvider(make_settings(fake_openai))

    reply = asyncio.run(provider.acomplete(MESSAGES))

    assert isinstance(reply, ModelReply)
    assert reply.text == "Start with statistics [cred-1]."
    assert reply.finish_reason == "stop"
    assert reply.model == "fake-model"
    assert reply.usage.input_tokens == 42
    assert reply.usage.output_tokens == 7
    assert reply.attempts == 1


def test_complete_sends_model_and_messages(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="Fine."))
    provider = ChatProvider(make_settings(fake_openai))

    asyncio.run(provider.acomplete(MESSAGES))

    request = fake_openai.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "fake-model"
    assert [message["role"] for message in request.body["messages"]] == ["system", "user"]
    assert request.body["messages"][1]["content"] == "What should I learn next?"
    assert request.headers["authorization"] == "Bearer test-key"
    assert not request.body.get("stream")


def test_client_retries_disabled(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(server_error(500))
    settings = make_settings(fake_openai, openai_max_attempts=1)
    provider = ChatProvider(settings)

    outcome = asyncio.run(provider.acomplete(MESSAGES))

    assert isinstance(outcome, Fault)
    assert len(fake_openai.requests) == 1
    assert fake_openai.requests[0].headers["x-stainless-retry-count"] == "0"
    assert provider.model.max_retries == 0


def test_stream_yields_deltas_then_reply(fake_openai: FakeOpenAIServer) -> None:
    text = "Take Data Analysis Basics [cred-7] first, then SQL for Analysts [cred-9]."
    fake_openai.script(Answer(text=text, text_chunk_chars=10))
    provider = ChatProvider(make_settings(fake_openai))

    items = collect(provider)

    deltas = [item for item in items if isinstance(item, TextDelta)]
    assert len(deltas) == 8
    assert "".join(delta.text for delta in deltas) == text
    assert isinstance(items[-1], ModelReply)
    assert items[-1].text == text
    assert items[-1].usage.input_tokens == 42


def test_stream_requests_usage(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="Fine."))
    provider = ChatProvider(make_settings(fake_openai))

    collect(provider)

    body = fake_openai.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_stream_tool_call_fragments(fake_openai: FakeOpenAIServer) -> None:
    arguments = json.dumps({"goal": "data analyst", "max_hours": 120})
    fake_openai.script(Answer(tool_calls=[FakeToolCall("plan_pathway", arguments, id="call_42", fragments=5)]))
    provider = ChatProvider(make_settings(fake_openai))

    items = collect(provider, tools=[PLAN_TOOL])

    reply = items[-1]
    assert isinstance(reply, ModelReply)
    assert reply.finish_reason == "tool_calls"
    assert len(reply.tool_calls) == 1
    assert reply.tool_calls[0].id == "call_42"
    assert reply.tool_calls[0].name == "plan_pathway"
    assert reply.tool_calls[0].arguments == {"goal": "data analyst", "max_hours": 120}


def test_stream_sends_tool_schemas(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="Fine."))
    provider = ChatProvider(make_settings(fake_openai))

    collect(provider, tools=[PLAN_TOOL])

    tools = fake_openai.requests[0].body["tools"]
    assert [tool["function"]["name"] for tool in tools] == ["plan_pathway"]


def test_complete_two_tool_calls(fake_openai: FakeOpenAIServer) -> None:
    calls = [
        FakeToolCall("plan_pathway", '{"goal": "nurse"}', id="call_a"),
        FakeToolCall("plan_pathway", '{"goal": "welder"}', id="call_b"),
    ]
    fake_openai.script(Answer(tool_calls=calls))
    provider = ChatProvider(make_settings(fake_openai))

    reply = asyncio.run(provider.acomplete(MESSAGES, tools=[PLAN_TOOL]))

    assert isinstance(reply, ModelReply)
    assert [call.arguments["goal"] for call in reply.tool_calls] == ["nurse", "welder"]
    assert reply.to_message().tool_calls[1]["id"] == "call_b"


def test_stream_two_tool_calls(fake_openai: FakeOpenAIServer) -> None:
    calls = [
        FakeToolCall("plan_pathway", '{"goal": "nurse"}', id="call_a"),
        FakeToolCall("plan_pathway", '{"goal": "welder"}', id="call_b"),
    ]
    fake_openai.script(Answer(tool_calls=calls))
    provider = ChatProvider(make_settings(fake_openai))

    reply = collect(provider, tools=[PLAN_TOOL])[-1]

    assert isinstance(reply, ModelReply)
    assert [call.id for call in reply.tool_calls] == ["call_a", "call_b"]
    assert [call.arguments["goal"] for call in reply.tool_calls] == ["nurse", "welder"]


def test_build_provider_without_key() -> None:
    assert build_provider(Settings()) is None


def test_provider_without_key_raises() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ChatProvider(Settings())

    assert "ADVISOR_OPENAI_API_KEY" in str(caught.value)


def test_events_round_trip() -> None:
    events = [
        TextDelta(text="Hi"),
        ToolCallEvent(call_id="c1", name="plan_pathway", arguments={"goal": "nurse"}),
        FinalEvent(answer="Hi", source="fallback", prompt_versions={"advisor_system": "1"}),
    ]

    parsed = [parse_event(event.model_dump_json()) for event in events]

    assert parsed == events


def test_chat_imports_no_web_framework() -> None:
    code = "import sys, advisor.chat; print(sorted(m for m in ('fastapi', 'starlette') if m in sys.modules))"

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
