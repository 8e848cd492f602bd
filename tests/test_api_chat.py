"""Chat routes: conversations, JSON and event-stream answers, turns, and a client that leaves mid-stream."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from api_support import ServerThread, api_settings, bearer, plain_record
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.api.auth import Role
from advisor.chat.events import FinalEvent, TextDelta
from advisor.config import Settings

GOAL_MESSAGE = "I want to become a Data analyst"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return api_settings(tmp_path_factory.mktemp("chat"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        client.put("/v1/learners/me/record", files={"file": ("r.json", plain_record())}, headers=bearer(settings, "alice"))
        yield client


def parse_events(body: str) -> list[tuple[str, dict]]:
    """Split an event-stream body into (event type, data) pairs."""
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def start(client: TestClient, settings: Settings, learner: str = "alice") -> str:
    response = client.post("/v1/learners/me/conversations", headers=bearer(settings, learner))
    assert response.status_code == 201
    return response.json()["id"]


def test_json_answer_has_pathway(client: TestClient, settings: Settings) -> None:
    conversation = start(client, settings)

    response = client.post(
        f"/v1/learners/me/conversations/{conversation}/messages",
        json={"message": GOAL_MESSAGE},
        headers=bearer(settings, "alice"),
    )

    assert response.status_code == 200
    final = response.json()
    assert final["type"] == "final"
    assert final["answer"]
    assert [step["credential_id"] for step in final["pathway"]["steps"]]
    assert {citation["id"] for citation in final["citations"]} >= {"cred:python"}


def test_stream_sends_pathway_then_final(client: TestClient, settings: Settings) -> None:
    conversation = start(client, settings)

    response = client.post(
        f"/v1/learners/me/conversations/{conversation}/messages/stream",
        json={"message": GOAL_MESSAGE},
        headers=bearer(settings, "alice"),
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    types = [event_type for event_type, _ in events]
    assert types[-1] == "final"
    assert "pathway" in types
    pathway = next(data for event_type, data in events if event_type == "pathway")["pathway"]
    step = pathway["steps"][0]
    assert {"credential_id", "title", "url", "hours", "cost", "closes"} <= set(step)


def test_turns_list_both_roles(client: TestClient, settings: Settings) -> None:
    conversation = start(client, settings)
    client.post(
        f"/v1/learners/me/conversations/{conversation}/messages",
        json={"message": GOAL_MESSAGE},
        headers=bearer(settings, "alice"),
    )

    response = client.get(f"/v1/learners/me/conversations/{conversation}/turns", headers=bearer(settings, "alice"))

    assert response.status_code == 200
    assert [turn["role"] for turn in response.json()["turns"]] == ["user", "assistant"]


def test_other_learners_conversation_is_404(client: TestClient, settings: Settings) -> None:
    conversation = start(client, settings, "alice")

    turns = client.get(f"/v1/learners/me/conversations/{conversation}/turns", headers=bearer(settings, "bob"))
    stream = client.post(
        f"/v1/learners/me/conversations/{conversation}/messages/stream",
        json={"message": "hello"},
        headers=bearer(settings, "bob"),
    )

    assert turns.status_code == 404
    assert stream.status_code == 404
    assert "Start a new conversation" in stream.json()["message"]


def test_assigned_advisor_chats_for_learner(client: TestClient, settings: Settings) -> None:
    client.post(
        "/v1/admin/assignments",
        json={"advisor_id": "dave", "learner_id": "alice"},
        headers=bearer(settings, "root", Role.ADMIN),
    )
    advisor = bearer(settings, "dave", Role.ADVISOR)

    created = client.post("/v1/learners/alice/conversations", headers=advisor)
    answer = client.post(
        f"/v1/learners/alice/conversations/{created.json()['id']}/messages",
        json={"message": GOAL_MESSAGE},
        headers=advisor,
    )
    unassigned = client.post("/v1/learners/bob/conversations", headers=advisor)

    assert created.status_code == 201
    assert answer.status_code == 200
    assert unassigned.status_code == 403


def test_long_message_is_422(client: TestClient, settings: Settings) -> None:
    conversation = start(client, settings)

    response = client.post(
        f"/v1/learners/me/conversations/{conversation}/messages/stream",
        json={"message": "x" * (settings.max_message_chars + 1)},
        headers=bearer(settings, "alice"),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "message_too_long"
    assert "Shorten it" in response.json()["message"]


def test_empty_message_is_422(client: TestClient, settings: Settings) -> None:
    conversation = start(client, settings)

    response = client.post(
        f"/v1/learners/me/conversations/{conversation}/messages",
        json={"message": ""},
        headers=bearer(settings, "alice"),
    )

    assert response.status_code == 422
    assert response.json()["details"][0]["location"] == "body.message"


class SlowChat:
    """A chat service whose stream sends one delta, then waits until cancelled."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()

    def list_turns(self, conversation_id: str, learner_id: str) -> list:
        return []

    async def stream_turn(self, conversation_id: str, learner_id: str, message: str) -> AsyncIterator:
        try:
            yield TextDelta(text="Thinking about ")
            await asyncio.sleep(60)
            yield FinalEvent(answer="too late", source="fallback")
        except (asyncio.CancelledError, GeneratorExit):
            self.cancelled.set()
            raise


def test_disconnect_cancels_stream(settings: Settings) -> None:
    app = create_app(settings)
    fake = SlowChat()

    with ServerThread(app) as server:
        app.state.services.chat = fake
        with httpx.Client(base_url=server.base_url, timeout=10) as http, http.stream(
            "POST",
            "/v1/learners/me/conversations/any/messages/stream",
            json={"message": "hello"},
            headers=bearer(settings, "alice"),
        ) as response:
            first = next(response.iter_lines())
            assert first.startswith("id: 1")

        assert fake.cancelled.wait(10), "the upstream stream was not cancelled after the client left"


def test_disconnect_stores_interrupted_turn(settings: Settings) -> None:
    app = create_app(settings)

    with ServerThread(app) as server:
        service = app.state.services.chat
        original = service.offline_events

        async def slow_events(*args, **kwargs):  # type: ignore[no-untyped-def]
            yield TextDelta(text="Let me plan ")
            await asyncio.sleep(60)
            async for event in original(*args, **kwargs):
                yield event

        service.offline_events = slow_events
        headers = bearer(settings, "alice")
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            conversation = http.post("/v1/learners/me/conversations", headers=headers).json()["id"]
            path = f"/v1/learners/me/conversations/{conversation}/messages/stream"
            with http.stream("POST", path, json={"message": GOAL_MESSAGE}, headers=headers) as response:
                next(response.iter_lines())

            turns = []
            for _ in range(100):
                turns = http.get(f"/v1/learners/me/conversations/{conversation}/turns", headers=headers).json()["turns"]
                if len(turns) == 2:
                    break
                threading.Event().wait(0.1)

    assert [turn["status"] for turn in turns] == ["complete", "interrupted"]
    assert "interrupted" in turns[1]["content"]
