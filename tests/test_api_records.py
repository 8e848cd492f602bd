"""Record, advice, catalog and health routes through the ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import api_settings, bearer, plain_record, small_knowledge_base
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.api.auth import Role
from advisor.config import Settings
from advisor.index.indexer import index_knowledge_base
from advisor.index.store import IndexStore

RECORDS_DIR = Path(__file__).resolve().parents[1] / "knowledge_base" / "records"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = api_settings(tmp_path_factory.mktemp("records"))
    index_knowledge_base(small_knowledge_base(), IndexStore(settings))
    return settings


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def upload(client: TestClient, settings: Settings, learner: str, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.put("/v1/learners/me/record", files={"file": (name, content)}, headers=bearer(settings, learner))


@pytest.mark.parametrize(
    "name, expected_format",
    [
        ("ob3-it-support-badge.json", "openbadges"),
        ("ob3-it-support-badge.jwt", "openbadges"),
        ("clr2-nursing-assistant.json", "clr"),
        ("plain-helpdesk-to-data-analyst.json", "plain"),
    ],
)
def test_upload_shipped_record_formats(client: TestClient, settings: Settings, name: str, expected_format: str) -> None:
    response = upload(client, settings, "grace", name, (RECORDS_DIR / name).read_bytes())

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["learner_id"] == "grace"
    assert report["accepted"] >= 1
    assert expected_format in (report["format"] or "")


def test_invalid_record_is_422(client: TestClient, settings: Settings) -> None:
    response = upload(client, settings, "grace", "broken.json", b"{not json")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"]


def test_profile_has_evidence(client: TestClient, settings: Settings) -> None:
    upload(client, settings, "henry", "r.json", plain_record(skills=("Python", "SQL")))

    response = client.get("/v1/learners/me/profile", headers=bearer(settings, "henry"))

    skills = response.json()["profile"]["skills"]
    assert set(skills) == {"skill:python", "skill:sql"}
    assert skills["skill:sql"]["record_item_ids"] == ["stated-1"]
    assert skills["skill:sql"]["evidence"][0]["strength"] == "self_reported"


def test_cold_start_profile_is_empty(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/learners/me/profile", headers=bearer(settings, "nobody"))

    assert response.status_code == 200
    assert response.json()["has_record"] is False
    assert response.json()["profile"]["skills"] == {}


def test_delete_removes_record_and_conversations(client: TestClient, settings: Settings) -> None:
    ivy = bearer(settings, "ivy")
    upload(client, settings, "ivy", "r.json", plain_record())
    conversation = client.post("/v1/learners/me/conversations", headers=ivy).json()["id"]

    deleted = client.delete("/v1/learners/me", headers=ivy)
    profile = client.get("/v1/learners/me/profile", headers=ivy)
    turns = client.get(f"/v1/learners/me/conversations/{conversation}/turns", headers=ivy)

    assert deleted.json()["record_deleted"] is True
    assert profile.json()["has_record"] is False
    assert turns.status_code == 404


def test_advice_from_goal_text(client: TestClient, settings: Settings) -> None:
    upload(client, settings, "jack", "r.json", plain_record(skills=("Python",)))

    response = client.post(
        "/v1/learners/me/advice",
        json={"goal": "occ:analyst", "constraints": {"max_credentials": 2}},
        headers=bearer(settings, "jack"),
    )

    assert response.status_code == 200
    advice = response.json()
    assert advice["goal"]["occupation_id"] == "occ:analyst"
    steps = advice["pathway"]["steps"]
    assert 1 <= len(steps) <= 2
    assert all(step["citations"] for step in steps)


def test_advice_from_goal_object(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/v1/learners/me/advice",
        json={"goal": {"kind": "skills", "skills": [{"text": "SQL", "level": 3}]}},
        headers=bearer(settings, "kim"),
    )

    assert response.status_code == 200
    assert [step["credential_id"] for step in response.json()["pathway"]["steps"]] == ["cred:sql"]


def test_unknown_goal_is_422(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/v1/learners/me/advice", json={"goal": "occupation: astronaut chef"}, headers=bearer(settings, "kim")
    )

    assert response.status_code == 422
    assert response.json()["message"]


def test_invalid_constraints_are_422(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/v1/learners/me/advice",
        json={"goal": "occ:analyst", "constraints": {"hours_per_week": -1}},
        headers=bearer(settings, "kim"),
    )

    assert response.status_code == 422
    assert response.json()["details"][0]["location"].startswith("body.constraints")


def test_catalog_search_finds_credential(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/catalog/search", params={"q": "statistics", "limit": 3}, headers=bearer(settings, "kim"))

    assert response.status_code == 200
    hits = response.json()["hits"]
    assert hits[0]["id"] == "cred:stats"
    assert hits[0]["url"] == "https://courses.example.org/stats"


def test_catalog_search_blank_query_is_422(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/catalog/search", params={"q": "   "}, headers=bearer(settings, "kim"))

    assert response.status_code == 422


def test_read_credential(client: TestClient, settings: Settings) -> None:
    found = client.get("/v1/catalog/credentials/cred:python", headers=bearer(settings, "kim"))
    missing = client.get("/v1/catalog/credentials/cred:nothing", headers=bearer(settings, "kim"))

    assert found.json()["title"] == "Python for Everybody"
    assert missing.status_code == 404


def test_admin_catalog_import_reports_rejections(client: TestClient, settings: Settings) -> None:
    csv = (
        b"id,title,hours,cost,currency,skills\n"
        b"new:one,Intro to Testing,10,0,USD,skill:python\n"
        b"new:two,,5,0,USD,\n"
    )

    response = client.post(
        "/v1/admin/catalog/imports",
        files={"file": ("catalog.csv", csv)},
        headers=bearer(settings, "root", Role.ADMIN),
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["source"] == "catalog.csv"
    assert report["accepted"] == 1
    assert report["rejected"][0]["file"] == "catalog.csv"


def test_admin_catalog_import_needs_format(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/v1/admin/catalog/imports",
        files={"file": ("catalog.txt", b"id,title\n")},
        headers=bearer(settings, "root", Role.ADMIN),
    )

    assert response.status_code == 422
    assert "'format'" in response.json()["message"]


def test_health_ready_and_metrics(client: TestClient, settings: Settings) -> None:
    conversation = client.post("/v1/learners/me/conversations", headers=bearer(settings, "kim")).json()["id"]
    client.post(
        f"/v1/learners/me/conversations/{conversation}/messages",
        json={"message": "I want to become a Data analyst"},
        headers=bearer(settings, "kim"),
    )

    health = client.get("/healthz")
    ready = client.get("/readyz")
    metrics = client.get("/metrics")

    assert health.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["index"].startswith("ok")
    assert 'advisor_http_requests_total{method="GET",route="/healthz",status="200"}' in metrics.text
    assert "advisor_http_request_duration_seconds_bucket" in metrics.text
    assert 'advisor_verifier_outcomes_total{outcome="passed"} 1.0' in metrics.text
    assert 'advisor_chat_tokens_total{direction="input"}' in metrics.text


def test_readyz_503_without_index(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        client.app.state.services.index = None
        response = client.get("/readyz")
        search = client.get("/v1/catalog/search", params={"q": "python"}, headers=bearer(settings, "kim"))

    assert response.status_code == 503
    assert response.json()["checks"]["index"] == "not open"
    assert search.status_code == 503


def test_empty_index_search_is_503(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/catalog/search", params={"q": "python"}, headers=bearer(settings, "kim"))

    assert response.status_code == 503
    assert "advisor index" in response.json()["message"]


def test_widget_and_pages_served(client: TestClient) -> None:
    widget = client.get("/widget.js")
    copilot = client.get("/copilot")
    demo = client.get("/demo")
    docs = client.get("/docs")

    assert widget.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in widget.text
    assert "innerHTML" not in widget.text
    assert copilot.status_code == demo.status_code == docs.status_code == 200
