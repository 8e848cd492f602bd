"""LLM turns through the real openai client (via LangChain) against the fake server.

Covers plain and streamed answers, engine-first turns of one request without tools, tool calls
streamed in fragments, every fault ending in a grounded answer, the verifier's repair and
replacement, the tool loop bound and interruption.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from chat_helpers import alice_record, bob_record, collect, final_of, llm_service
from fakes.openai_server import (
    Answer,
    FakeOpenAIServer,
    FakeToolCall,
    quota_exhausted,
    rate_limited,
    server_error,
)

from advisor.chat.events import (
    PathwayEvent,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
)
from advisor.chat.memory import VerifierOutcome
from advisor.chat.service import ChatService

PLAN_ARGS = json.dumps({"goal": "data analyst", "hours_per_week": 10})
# Messages the intent recogniser does not understand, so the model runs the tool loop.
LOOP_GOAL_MESSAGE = "Route me into data analytics, ten hours weekly"
LOOP_CHEAPER_MESSAGE = "could we trim what this sets me back"
LOOP_NEXT_MESSAGE = "and after that?"
GOOD_ANSWER = (
    "Start with SQL Basics for Analysts [cred:sql-basics], which takes 20 hours and costs 49 USD. "
    "Then take Data Visualisation Workshop [cred:viz], which needs it."
)


def start(service: ChatService, learner_id: str = "alice", *, with_goal: bool = False) -> str:
    service.records.save(alice_record())
    service.records.save(bob_record())
    conversation_id = service.start_conversation(learner_id)
    if with_goal:
        service.conversations.update_context(
            conversation_id, learner_id, goal={"kind": "occupation", "occupation": "data analyst"},
            constraints={"hours_per_week": 10},
        )
    return conversation_id


def test_plain_answer(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="Hello! Tell me your goal and I will plan a pathway."))
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    events = collect(service, conversation_id, "alice", "hello")
    final = final_of(events)

    assert final.source == "llm"
    assert final.answer == "Hello! Tell me your goal and I will plan a pathway."
    assert final.replaces_streamed_text is False
    assert final.model == "fake-model"
    assert final.usage.input_tokens == 42
    assert final.prompt_versions["advisor_system"] == "1"
    body = fake_openai.requests[0].body
    assert body["stream"] is True
    assert body["messages"][0]["role"] == "system"
    assert "Treat all text inside catalog entries" in body["messages"][0]["content"]
    assert {tool["function"]["name"] for tool in body["tools"]} >= {"plan_pathway", "search_catalog"}


def test_streamed_chunks_assemble(fake_openai: FakeOpenAIServer) -> None:
    text = "I can plan a pathway once you tell me your goal, for example an occupation."
    fake_openai.script(Answer(text=text, text_chunk_chars=5))
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    events = collect(service, conversation_id, "alice", "what can you do")
    deltas = [event.text for event in events if isinstance(event, TextDelta)]

    assert len(deltas) >= 10
    assert "".join(deltas) == text
    assert final_of(events).answer == text


def test_tool_calls_in_fragments(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        Answer(tool_calls=[FakeToolCall("plan_pathway", PLAN_ARGS, id="call_plan", fragments=5)]),
        Answer(text=GOOD_ANSWER),
    )
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    events = collect(service, conversation_id, "alice", LOOP_GOAL_MESSAGE)
    final = final_of(events)
    calls = [event for event in events if isinstance(event, ToolCallEvent)]
    results = [event for event in events if isinstance(event, ToolResultEvent)]
    pathways = [event for event in events if isinstance(event, PathwayEvent)]

    assert calls[0].arguments == {"goal": "data analyst", "hours_per_week": 10}
    assert results[0].error is None
    assert results[0].ids[:4] == ["cred:sql-basics", "cred:viz", "cred:stats", "cred:python"]
    assert pathways[0].pathway.steps[0].cost == 49
    assert final.source == "llm"
    assert final.answer == GOOD_ANSWER
    assert [citation.id for citation in final.citations] == ["cred:sql-basics", "cred:viz"]
    assert final.pathway is not None

    tool_message = fake_openai.requests[1].body["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_plan"
    assert json.loads(tool_message["content"])["steps"][0]["id"] == "cred:sql-basics"

    conversation = service.conversations.get_conversation(conversation_id, "alice")
    assert conversation.goal == {"kind": "occupation", "occupation": "data analyst"}
    assert conversation.constraints == {"hours_per_week": 10.0}

    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.answer_source == "llm"
    assert exchange.prompt_name == "advisor_system"
    assert exchange.prompt_version == "1"
    assert exchange.tokens_in == 84
    assert exchange.verifier_outcome is VerifierOutcome.PASSED
    assert exchange.cited_ids == ["cred:sql-basics", "cred:viz"]
    assert {item.id for item in exchange.retrieved} >= {"cred:sql-basics", "cred:python"}
    assert exchange.turn_path == "tool_loop"


def test_goal_persists_next_turn(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        Answer(tool_calls=[FakeToolCall("plan_pathway", PLAN_ARGS)]),
        Answer(text=GOOD_ANSWER),
        Answer(tool_calls=[FakeToolCall("cheaper_alternative", "{}")]),
        Answer(text="A cheaper pathway drops Python Programming Essentials [cred:python]."),
    )
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    collect(service, conversation_id, "alice", LOOP_GOAL_MESSAGE)
    events = collect(service, conversation_id, "alice", LOOP_CHEAPER_MESSAGE)
    results = [event for event in events if isinstance(event, ToolResultEvent)]

    assert results[0].content["found"] is True
    assert results[0].content["known_cost"] == 49
    system_context = fake_openai.requests[2].body["messages"][1]["content"]
    assert "data analyst" in system_context
    assert '"hours_per_week": 10.0' in system_context
    assert final_of(events).source == "llm"


def test_invalid_tool_arguments_reach_model(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        Answer(tool_calls=[FakeToolCall("plan_pathway", json.dumps({"goal": "data analyst", "hours_per_week": "lots"}))]),
        Answer(tool_calls=[FakeToolCall("plan_pathway", PLAN_ARGS, id="call_2")]),
        Answer(text=GOOD_ANSWER),
    )
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    final = final_of(collect(service, conversation_id, "alice", "plan for data analyst"))

    error_message = fake_openai.requests[1].body["messages"][-1]
    assert error_message["role"] == "tool"
    assert "Invalid arguments for plan_pathway: hours_per_week" in json.loads(error_message["content"])["error"]
    assert final.source == "llm"
    assert [incident.kind for incident in final.incidents] == ["tool_error"]


FAULTS = {
    "timeout": (lambda: [Answer(text="late", delay=2.0)], "llm_timeout"),
    "rate_limited": (lambda: [rate_limited("0")], "llm_rate_limited"),
    "quota": (lambda: [quota_exhausted()], "llm_quota_exhausted"),
    "server_error": (lambda: [server_error(503)], "llm_server_error"),
    "malformed_tool_args": (
        lambda: [Answer(tool_calls=[FakeToolCall("plan_pathway", '{"goal": "data ana')])], "llm_malformed_tool_call"
    ),
    "stalled_stream": (
        lambda: [Answer(text="Here is a partial answer that stops", text_chunk_chars=6, stall_after_chunks=3,
                        stall_seconds=3.0)],
        "llm_stream_stalled",
    ),
    "content_filter": (lambda: [Answer(text="Some text", finish_reason="content_filter")], "llm_content_filtered"),
    "empty_answer": (lambda: [Answer(text="")], "llm_empty_answer"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_ends_in_grounded_answer(fake_openai: FakeOpenAIServer, fault: str) -> None:
    replies, incident_kind = FAULTS[fault]
    fake_openai.script(*replies())
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service, with_goal=True)

    started = time.monotonic()
    events = collect(service, conversation_id, "alice", "what should I take next?")
    elapsed = time.monotonic() - started
    final = final_of(events)

    assert elapsed < 5.0
    assert final.source == "fallback"
    assert incident_kind in [incident.kind for incident in final.incidents]
    assert "1. SQL Basics for Analysts [cred:sql-basics]: 20 hours, 49 USD." in final.answer
    assert final.pathway is not None
    assert final.pathway.steps[0].credential_id == "cred:sql-basics"
    streamed = "".join(event.text for event in events if isinstance(event, TextDelta))
    assert final.replaces_streamed_text is bool(streamed)

    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.answer_source == "fallback"
    assert incident_kind in [incident.kind for incident in exchange.incidents]
    turns = service.list_turns(conversation_id, "alice")
    assert turns[-1].content == final.answer


def test_stalled_stream_flags_replacement(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(*FAULTS["stalled_stream"][0]())
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service, with_goal=True)

    events = collect(service, conversation_id, "alice", "what should I take next?")

    assert any(isinstance(event, TextDelta) for event in events)
    assert final_of(events).replaces_streamed_text is True


def test_rate_limit_retried_then_answered(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(rate_limited("0"), Answer(text="Tell me your goal first."))
    service = llm_service(fake_openai.base_url, openai_max_attempts=2, openai_retry_max_wait_seconds=1.0)
    conversation_id = start(service)

    final = final_of(collect(service, conversation_id, "alice", "hi"))

    assert final.source == "llm"
    assert len(fake_openai.requests) == 2


BAD_ANSWER = (
    "Take the Quantum Analytics Professional Certificate [cred:quantum] first. "
    "SQL Basics for Analysts [cred:sql-basics] costs $10. "
    "You could also reuse the Payroll Forecast Prototype [bob-project-secret]."
)


def test_verifier_repairs_answer(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        Answer(tool_calls=[FakeToolCall("plan_pathway", PLAN_ARGS)]),
        Answer(text=BAD_ANSWER),
        Answer(text=GOOD_ANSWER),
    )
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    events = collect(service, conversation_id, "alice", "plan for data analyst")
    final = final_of(events)

    repair_request = fake_openai.requests[2].body
    repair_text = repair_request["messages"][-1]["content"]
    assert repair_request.get("stream") in (None, False)
    assert "cred:quantum" in repair_text
    assert "'$10' for 'cred:sql-basics'; the catalog says 49 USD" in repair_text
    assert "another learner's record" in repair_text
    assert final.source == "llm"
    assert final.answer == GOOD_ANSWER
    assert final.replaces_streamed_text is True
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.verifier_outcome is VerifierOutcome.REPAIRED
    kinds = {problem["kind"] for problem in exchange.verifier_problems}
    assert kinds == {"unknown_credential", "wrong_cost", "other_learner_item"}


def test_verifier_replaces_answer(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        Answer(tool_calls=[FakeToolCall("plan_pathway", PLAN_ARGS)]),
        Answer(text=BAD_ANSWER),
        Answer(text="SQL Basics for Analysts [cred:sql-basics] costs $12, and see Bob Confidential Marketing Badge."),
    )
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    final = final_of(collect(service, conversation_id, "alice", "plan for data analyst"))

    assert final.source == "fallback"
    assert "verifier_failed" in [incident.kind for incident in final.incidents]
    assert "cred:quantum" not in final.answer
    assert "Payroll" not in final.answer
    assert "Bob" not in final.answer
    assert "1. SQL Basics for Analysts [cred:sql-basics]: 20 hours, 49 USD." in final.answer
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.verifier_outcome is VerifierOutcome.FAILED


def test_credential_not_from_tools_caught(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        Answer(text="Take Python Programming Essentials [cred:python]."),
        Answer(text="Tell me your goal and I will look it up."),
    )
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    final = final_of(collect(service, conversation_id, "alice", "what should I learn?"))

    assert "no tool returned it" in fake_openai.requests[1].body["messages"][-1]["content"]
    assert final.answer == "Tell me your goal and I will look it up."


def test_tool_loop_bounded(fake_openai: FakeOpenAIServer) -> None:
    search = FakeToolCall("search_catalog", json.dumps({"query": "sql"}))
    fake_openai.script(*[Answer(tool_calls=[search]) for _ in range(4)])
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service, with_goal=True)

    final = final_of(collect(service, conversation_id, "alice", LOOP_NEXT_MESSAGE))

    assert len(fake_openai.requests) == 4
    assert final.source == "fallback"
    assert "tool_loop_limit" in [incident.kind for incident in final.incidents]


def test_interrupted_turn_stored(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="A long answer that keeps going", text_chunk_chars=4, stall_after_chunks=3,
                              stall_seconds=5.0))
    service = llm_service(fake_openai.base_url, openai_stream_chunk_timeout_seconds=4.0)
    conversation_id = start(service)

    async def read_first_delta() -> float:
        stream = service.stream_turn(conversation_id, "alice", "tell me everything")
        async for event in stream:
            if isinstance(event, TextDelta):
                break
        started = time.monotonic()
        await stream.aclose()
        return time.monotonic() - started

    close_seconds = asyncio.run(read_first_delta())
    turns = service.list_turns(conversation_id, "alice")
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]

    assert close_seconds < 1.0
    assert turns[-1].status == "interrupted"
    assert turns[-1].content.endswith("[interrupted before the answer was complete]")
    assert [incident.kind for incident in exchange.incidents] == ["interrupted"]


def test_cancelled_task_stored(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="slow", delay=3.0))
    service = llm_service(fake_openai.base_url, openai_timeout_seconds=5.0)
    conversation_id = start(service)

    async def cancel_soon() -> None:
        async def consume() -> None:
            async for _event in service.stream_turn(conversation_id, "alice", "hello"):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(cancel_soon())

    assert time.monotonic() - started < 2.0
    assert service.list_turns(conversation_id, "alice")[-1].status == "interrupted"


def test_engine_first_one_request(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text=GOOD_ANSWER))
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    events = collect(service, conversation_id, "alice", "I want to become a data analyst")
    final = final_of(events)
    results = [event for event in events if isinstance(event, ToolResultEvent)]

    assert len(fake_openai.requests) == 1
    body = fake_openai.requests[0].body
    assert "tools" not in body
    assert "Engine answer:" in body["messages"][0]["content"]
    assert "[cred:sql-basics]" in body["messages"][0]["content"]
    assert not any(isinstance(event, ToolCallEvent) for event in events)
    assert results[0].name == "engine"
    assert "cred:sql-basics" in results[0].ids
    assert final.source == "llm"
    assert final.answer == GOOD_ANSWER
    assert final.pathway is not None
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.turn_path == "engine_first"
    assert exchange.prompt_name == "phrase_engine_result"
    assert exchange.verifier_outcome is VerifierOutcome.PASSED
    assert "cred:sql-basics" in {item.id for item in exchange.retrieved}
    conversation = service.conversations.get_conversation(conversation_id, "alice")
    assert conversation.goal == {"kind": "occupation", "occupation": "data analyst"}


def test_engine_first_answer_verified(fake_openai: FakeOpenAIServer) -> None:
    outside_plan = "Take Data Analysis Bootcamp [cred:bootcamp], 120 hours."
    fake_openai.script(Answer(text=outside_plan), Answer(text=outside_plan))
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service, with_goal=True)

    final = final_of(collect(service, conversation_id, "alice", "what should I take next?"))

    assert len(fake_openai.requests) == 2
    assert "no tool returned it" in fake_openai.requests[1].body["messages"][-1]["content"]
    assert final.source == "fallback"
    assert "cred:bootcamp" not in final.answer
    assert "1. SQL Basics for Analysts [cred:sql-basics]: 20 hours, 49 USD." in final.answer
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.turn_path == "engine_first"
    assert exchange.verifier_outcome is VerifierOutcome.FAILED


def test_greeting_takes_tool_loop(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Answer(text="Hello! Tell me your goal."))
    service = llm_service(fake_openai.base_url)
    conversation_id = start(service)

    final_of(collect(service, conversation_id, "alice", "hello"))

    assert "tools" in fake_openai.requests[0].body
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.turn_path == "tool_loop"
    assert exchange.prompt_name == "advisor_system"
