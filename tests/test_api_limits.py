"""Limits and errors: body size (declared and chunked), upload size, rate, CORS on errors, JSON 500s."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from api_support import ALLOWED_ORIGIN, ServerThread, api_settings, bearer, plain_record
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.config import Settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return api_settings(tmp_path_factory.mktemp("limits"), max_body_bytes=2048, max_upload_bytes=4096)


@pytest.fixture(scope="module")
def app(settings: Settings):  # type: ignore[no-untyped-def]
    app = create_app(settings)

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_declared_body_over_limit_is_413(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/v1/learners/me/advice",
        content=b'{"goal": "' + b"x" * 4000 + b'"}',
        headers={**bearer(settings, "alice"), "Content-Type": "application/json", "Origin": ALLOWED_ORIGIN},
    )

    assert response.status_code == 413
    assert "2048 bytes" in response.json()["message"]
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_chunked_body_over_limit_is_413(settings: Settings) -> None:
    app = create_app(settings)

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 512

    with ServerThread(app) as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        response = http.post(
            "/v1/learners/me/advice",
            content=chunks(),
            headers={**bearer(settings, "alice"), "Content-Type": "application/json"},
        )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.request.headers["transfer-encoding"] == "chunked"


def test_upload_over_limit_is_413(client: TestClient, settings: Settings) -> None:
    record = plain_record(skills=tuple(f"skill {index}" for index in range(400)))
    assert settings.max_upload_bytes < len(record) < settings.max_upload_bytes + 64 * 1024

    response = client.put("/v1/learners/me/record", files={"file": ("big.json", record)}, headers=bearer(settings, "alice"))

    assert response.status_code == 413
    assert "ADVISOR_MAX_UPLOAD_BYTES" in response.json()["message"]


def test_upload_far_over_limit_stops_at_middleware(client: TestClient, settings: Settings) -> None:
    response = client.put(
        "/v1/learners/me/record", files={"file": ("huge.json", b"x" * 200_000)}, headers=bearer(settings, "alice")
    )

    assert response.status_code == 413
    assert "limit of this route" in response.json()["message"]


def test_unhandled_error_is_json_500(client: TestClient) -> None:
    response = client.get("/boom", headers={"Origin": ALLOWED_ORIGIN})

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert body["request_id"] in body["message"]
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_preflight_allows_configured_origin(client: TestClient) -> None:
    response = client.options(
        "/v1/learners/me/conversations",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_other_origin_gets_no_cors_headers(client: TestClient) -> None:
    response = client.get("/v1/learners/me/profile", headers={"Origin": "https://evil.example"})

    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


def test_unauthorized_error_carries_cors(client: TestClient) -> None:
    response = client.get("/v1/learners/me/profile", headers={"Origin": ALLOWED_ORIGIN})

    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_rate_limit_is_429_with_retry_after(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = api_settings(tmp_path, rate_limit_per_minute=3)
    with TestClient(create_app(settings)) as client:
        alice = bearer(settings, "alice")
        statuses = [client.get("/v1/learners/me/profile", headers=alice).status_code for _ in range(4)]
        other = client.get("/v1/learners/me/profile", headers=bearer(settings, "bob"))
        limited = client.get("/v1/learners/me/profile", headers={**alice, "Origin": ALLOWED_ORIGIN})

    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200
    assert int(limited.headers["retry-after"]) >= 1
    assert "3 a minute" in limited.json()["message"]
    assert limited.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/v2/nothing")

    assert response.status_code == 404
    assert "/docs" in response.json()["message"]
