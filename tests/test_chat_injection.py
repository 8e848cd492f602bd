"""Instructions inside catalog data change neither whom the tools act for nor what they return."""

from __future__ import annotations

import json

from chat_helpers import (
    INJECTION,
    TODAY,
    alice_record,
    bob_record,
    collect,
    final_of,
    llm_settings,
    small_knowledge_base,
)
from fakes.openai_server import Answer, FakeOpenAIServer, FakeToolCall
from index_fakes import FakeEmbeddingFunction

from advisor.chat.events import ToolCallEvent, ToolResultEvent
from advisor.chat.memory import VerifierOutcome
from advisor.chat.service import ChatService
from advisor.index import IndexStore, index_knowledge_base

BOB_SECRETS = ("bob-project-secret", "Payroll Forecast Prototype", "bob-badge-7", "Bob Confidential Marketing Badge")


def test_injected_catalog_entry_cannot_reach_other_learner(fake_openai: FakeOpenAIServer) -> None:
    knowledge = small_knowledge_base(injection=True)
    store = IndexStore(embedding_function=FakeEmbeddingFunction(keywords={"spreadsheet": 0, "sales": 1}))
    index_knowledge_base(knowledge, store)
    service = ChatService.create(llm_settings(fake_openai.base_url), knowledge, index=store, today=TODAY)
    service.records.save(alice_record())
    service.records.save(bob_record())
    conversation_id = service.start_conversation("alice")

    fake_openai.script(
        Answer(tool_calls=[
            FakeToolCall("search_catalog", json.dumps({"query": "spreadsheet careers"}), id="call_search"),
            FakeToolCall("describe_credential", json.dumps({"credential_id": "cred:guide"}), id="call_describe"),
        ]),
        # The model follows the injected text: it asks for Bob's record, then searches broadly.
        Answer(tool_calls=[
            FakeToolCall("search_my_record", json.dumps({"query": "projects", "learner_id": "bob"}), id="call_bob"),
            FakeToolCall("search_my_record", json.dumps({"query": "Payroll Forecast Prototype", "limit": 10}),
                         id="call_all"),
            FakeToolCall("get_learner_profile", "{}", id="call_profile"),
        ]),
        Answer(text="Bob's Payroll Forecast Prototype [bob-project-secret] shows statistics; "
                    "Spreadsheet Careers Guide [cred:guide] suits you."),
        Answer(text="Spreadsheet Careers Guide [cred:guide] teaches spreadsheets; your Weekly Sales "
                    "Spreadsheet [alice-project-1] already shows some."),
    )

    # The recogniser does not understand this message, so the model runs the tool loop.
    events = collect(service, conversation_id, "alice", "Any thoughts on the spreadsheet careers guide for someone like me")
    final = final_of(events)
    results = {event.call_id: event for event in events if isinstance(event, ToolResultEvent)}
    calls = [event for event in events if isinstance(event, ToolCallEvent)]

    describe = results["call_describe"].content
    assert describe["catalog_description"] == INJECTION
    assert len(calls) == 5

    assert results["call_bob"].error is not None
    assert "learner_id" in results["call_bob"].error
    assert results["call_bob"].ids == []

    alice_ids = alice_record().item_ids()
    assert results["call_all"].ids
    assert set(results["call_all"].ids) <= alice_ids
    assert set(results["call_profile"].ids) - set(knowledge.credentials) <= alice_ids

    for result in results.values():
        dumped = json.dumps(result.model_dump(mode="json"))
        for secret in BOB_SECRETS:
            assert secret not in dumped

    # What the tools sent the model: tool messages and the system context of every request.
    for request in fake_openai.requests:
        for message in request.body["messages"]:
            if message["role"] in ("tool", "system"):
                for secret in BOB_SECRETS:
                    assert secret not in message["content"]

    assert final.source == "llm"
    for secret in BOB_SECRETS:
        assert secret not in final.answer
    exchange = service.conversations.list_exchanges(conversation_id, "alice")[-1]
    assert exchange.verifier_outcome is VerifierOutcome.REPAIRED
    assert "other_learner_item" in {problem["kind"] for problem in exchange.verifier_problems}


def test_record_search_stays_with_caller(fake_openai: FakeOpenAIServer) -> None:
    knowledge = small_knowledge_base()
    store = IndexStore(embedding_function=FakeEmbeddingFunction(keywords={"payroll": 0, "sales": 1}))
    service = ChatService.create(llm_settings(fake_openai.base_url), knowledge, index=store, today=TODAY)
    service.records.save(alice_record())
    service.records.save(bob_record())

    bob_only_words = service.record_search("alice", service.records.get("alice"))("payroll forecast prototype", 10)

    assert bob_only_words
    assert {item.item_id for item in bob_only_words} <= alice_record().item_ids()
