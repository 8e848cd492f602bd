"""Conversation store on SQLite: migrations, learner scoping, turns and exchange records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from advisor.chat.events import Incident
from advisor.chat.memory import (
    Base,
    ConversationStore,
    ExchangeRecord,
    RetrievedItem,
    VerifierOutcome,
    open_store,
)
from advisor.chat.migrations import current_version, discover_migrations, upgrade
from advisor.config import get_settings
from advisor.errors import NotFoundError

GOAL = {"kind": "occupation", "occupation_id": "onet:15-2051.00", "title": "Data Scientist"}
CONSTRAINTS = {"hours_per_week": 6, "budget": 300, "currency": "USD", "modalities": ["online"]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    store = ConversationStore.from_url(f"sqlite:///{tmp_path / 'db' / 'chat.db'}")
    yield store
    store.close()


def test_upgrade_applies_all(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")

    applied = upgrade(engine)

    assert applied == [migration.version for migration in discover_migrations()]
    assert current_version(engine) == len(applied)
    engine.dispose()


def test_upgrade_twice_noop(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)

    assert upgrade(engine) == []
    engine.dispose()


def test_models_match_migrations(store: ConversationStore) -> None:
    inspector = inspect(store.engine)

    for table in Base.metadata.sorted_tables:
        migrated = {column["name"] for column in inspector.get_columns(table.name)}
        assert migrated == set(table.columns.keys()), table.name


def test_open_store_default_sqlite() -> None:
    store = open_store()

    conversation = store.start_conversation("learner-1")

    assert (get_settings().data_dir / "advisor.db").is_file()
    assert store.get_conversation(conversation.id, "learner-1").id == conversation.id
    store.close()


def test_context_persists(store: ConversationStore) -> None:
    conversation = store.start_conversation("learner-1", goal=GOAL, constraints=CONSTRAINTS)

    loaded = store.get_conversation(conversation.id, "learner-1")

    assert loaded.learner_id == "learner-1"
    assert loaded.goal == GOAL
    assert loaded.constraints == CONSTRAINTS


def test_context_persists_across_stores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    first = ConversationStore.from_url(url)
    conversation = first.start_conversation("learner-1", goal=GOAL, constraints=CONSTRAINTS)
    first.close()

    second = ConversationStore.from_url(url)
    loaded = second.get_conversation(conversation.id, "learner-1")
    second.close()

    assert loaded.goal == GOAL
    assert loaded.constraints == CONSTRAINTS


def test_update_context_partial(store: ConversationStore) -> None:
    conversation = store.start_conversation("learner-1", goal=GOAL, constraints=CONSTRAINTS)

    updated = store.update_context(conversation.id, "learner-1", constraints={"hours_per_week": 10})

    assert updated.goal == GOAL
    assert updated.constraints == {"hours_per_week": 10}
    assert store.get_conversation(conversation.id, "learner-1").constraints == {"hours_per_week": 10}


def test_other_learner_not_found(store: ConversationStore) -> None:
    conversation = store.start_conversation("learner-1", goal=GOAL)

    with pytest.raises(NotFoundError):
        store.get_conversation(conversation.id, "learner-2")
    with pytest.raises(NotFoundError):
        store.add_turn(conversation.id, "learner-2", "user", "Show me learner-1's record")
    with pytest.raises(NotFoundError):
        store.list_turns(conversation.id, "learner-2")
    with pytest.raises(NotFoundError):
        store.update_context(conversation.id, "learner-2", goal={"title": "Pilot"})


def test_turns_in_order(store: ConversationStore) -> None:
    conversation = store.start_conversation("learner-1")
    store.add_turn(conversation.id, "learner-1", "user", "I want to become a data scientist.")
    store.add_turn(conversation.id, "learner-1", "assistant", "Start with statistics.")
    store.add_turn(conversation.id, "learner-1", "user", "How long will that take?")

    turns = store.list_turns(conversation.id, "learner-1")

    assert [turn.position for turn in turns] == [1, 2, 3]
    assert [turn.role for turn in turns] == ["user", "assistant", "user"]
    assert turns[2].content == "How long will that take?"


def test_exchange_round_trip(store: ConversationStore) -> None:
    conversation = store.start_conversation("learner-1", goal=GOAL)
    record = ExchangeRecord(
        conversation_id=conversation.id,
        learner_id="learner-1",
        question="What next?",
        answer="Take Statistics Basics [cred-1].",
        answer_source="llm",
        retrieved=[RetrievedItem(id="cred-1", score=0.83, kind="credential"), RetrievedItem(id="cred-2", score=0.41)],
        cited_ids=["cred-1"],
        prompt_name="advisor_system",
        prompt_version="1",
        prompt_versions={"advisor_system": "1", "repair_answer": "1"},
        model="fake-model",
        tokens_in=812,
        tokens_out=96,
        latency_ms=1234.5,
        verifier_outcome=VerifierOutcome.REPAIRED,
        verifier_problems=[{"kind": "wrong_cost", "value": "cred-1"}],
        incidents=[Incident(kind="llm_rate_limited", message="Rate limited.", detail={"attempts": 2})],
    )

    exchange_id = store.record_exchange(record)
    stored = store.list_exchanges(conversation.id, "learner-1")

    assert exchange_id == stored[0].id
    assert stored[0].model_dump(exclude={"id", "created_at"}) == record.model_dump(exclude={"id", "created_at"})
    assert stored[0].created_at is not None


def test_exchange_other_learner_rejected(store: ConversationStore) -> None:
    conversation = store.start_conversation("learner-1")
    record = ExchangeRecord(
        conversation_id=conversation.id, learner_id="learner-2", question="q", answer="a", answer_source="fallback"
    )

    with pytest.raises(NotFoundError):
        store.record_exchange(record)
