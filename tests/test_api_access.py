"""Authentication and roles: learners reach only their own data, advisors their assigned learners."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from api_support import TOKEN_SECRET, api_settings, bearer, plain_record
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.api.auth import Role, mint_token
from advisor.config import Settings
from advisor.errors import ConfigurationError


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return api_settings(tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        for learner in ("alice", "bob"):
            response = client.put(
                f"/v1/learners/{learner}/record",
                files={"file": ("record.json", plain_record())},
                headers=bearer(settings, learner),
            )
            assert response.status_code == 200, response.text
        yield client


def test_missing_token_is_401(client: TestClient) -> None:
    response = client.get("/v1/learners/me/profile")

    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "claims, expected",
    [
        ({"sub": "alice", "role": "learner", "aud": "advisor", "iat": -60, "exp": -1}, "expired"),
        ({"sub": "alice", "role": "owner", "aud": "advisor", "iat": 0, "exp": 600}, "unknown role"),
        ({"sub": "alice", "role": "learner", "aud": "elsewhere", "iat": 0, "exp": 600}, "invalid"),
        ({"sub": "alice", "role": "learner", "aud": "advisor", "iat": 0, "exp": 10_000_000}, "longer than"),
        ({"role": "learner", "aud": "advisor", "iat": 0, "exp": 600}, "invalid"),
    ],
)
def test_bad_tokens_are_401(client: TestClient, claims: dict, expected: str) -> None:
    now = int(time.time())
    timed = {key: now + value if key in ("iat", "exp") else value for key, value in claims.items()}
    token = jwt.encode(timed, TOKEN_SECRET, algorithm="HS256")

    response = client.get("/v1/learners/me/profile", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert expected in response.json()["message"]


def test_token_of_other_secret_is_401(client: TestClient) -> None:
    token = jwt.encode(
        {"sub": "alice", "role": "admin", "aud": "advisor", "iat": int(time.time()), "exp": int(time.time()) + 60},
        "another-secret-0123456789abcdef0123456789",
        algorithm="HS256",
    )

    response = client.get("/v1/admin/assignments", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_learner_reads_own_profile(client: TestClient, settings: Settings) -> None:
    for path in ("/v1/learners/me/profile", "/v1/learners/alice/profile"):
        response = client.get(path, headers=bearer(settings, "alice"))

        assert response.status_code == 200
        assert response.json()["learner_id"] == "alice"


def test_learner_reading_other_profile_is_403(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/learners/bob/profile", headers=bearer(settings, "alice"))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_learner_cannot_use_other_routes_of_other_learner(client: TestClient, settings: Settings) -> None:
    alice = bearer(settings, "alice")

    assert client.post("/v1/learners/bob/conversations", headers=alice).status_code == 403
    assert client.post("/v1/learners/bob/advice", json={"goal": "occ:analyst"}, headers=alice).status_code == 403
    assert client.put("/v1/learners/bob/record", files={"file": ("r.json", plain_record())}, headers=alice).status_code == 403
    assert client.delete("/v1/learners/bob", headers=alice).status_code == 403


def test_advisor_reading_unassigned_learner_is_403(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/learners/bob/profile", headers=bearer(settings, "carol", Role.ADVISOR))

    assert response.status_code == 403
    assert "not assigned" in response.json()["message"]


def test_assignment_grants_and_revokes_advisor_access(client: TestClient, settings: Settings) -> None:
    admin = bearer(settings, "root", Role.ADMIN)
    advisor = bearer(settings, "dave", Role.ADVISOR)

    created = client.post("/v1/admin/assignments", json={"advisor_id": "dave", "learner_id": "alice"}, headers=admin)
    profile = client.get("/v1/learners/alice/profile", headers=advisor)
    listed = client.get("/v1/advisor/learners", headers=advisor)
    other = client.get("/v1/learners/bob/profile", headers=advisor)
    removed = client.delete("/v1/admin/assignments/dave/alice", headers=admin)
    after = client.get("/v1/learners/alice/profile", headers=advisor)

    assert created.status_code == 201
    assert profile.status_code == 200
    assert [item["learner_id"] for item in listed.json()] == ["alice"]
    assert listed.json()[0]["has_record"] is True
    assert other.status_code == 403
    assert removed.status_code == 204
    assert after.status_code == 403


def test_admin_lists_and_missing_assignment_404(client: TestClient, settings: Settings) -> None:
    admin = bearer(settings, "root", Role.ADMIN)
    client.post("/v1/admin/assignments", json={"advisor_id": "erin", "learner_id": "bob"}, headers=admin)

    listed = client.get("/v1/admin/assignments", params={"advisor_id": "erin"}, headers=admin)
    missing = client.delete("/v1/admin/assignments/erin/nobody", headers=admin)

    assert [(item["advisor_id"], item["learner_id"]) for item in listed.json()] == [("erin", "bob")]
    assert missing.status_code == 404


def test_admin_cannot_read_learner_data(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/learners/alice/profile", headers=bearer(settings, "root", Role.ADMIN))

    assert response.status_code == 403


def test_me_needs_learner_token(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/learners/me/profile", headers=bearer(settings, "dave", Role.ADVISOR))

    assert response.status_code == 403
    assert "'me'" in response.json()["message"]


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/v1/admin/assignments"), ("POST", "/v1/admin/assignments"), ("POST", "/v1/admin/catalog/imports")],
)
def test_admin_routes_reject_other_roles(client: TestClient, settings: Settings, method: str, path: str) -> None:
    for role in (Role.LEARNER, Role.ADVISOR):
        response = client.request(method, path, headers=bearer(settings, "alice", role))

        assert response.status_code == 403, (role, response.text)


def test_advisor_route_rejects_learner(client: TestClient, settings: Settings) -> None:
    response = client.get("/v1/advisor/learners", headers=bearer(settings, "alice"))

    assert response.status_code == 403


def test_delete_by_learner_advisor_and_admin(client: TestClient, settings: Settings) -> None:
    admin = bearer(settings, "root", Role.ADMIN)
    client.put("/v1/learners/frank/record", files={"file": ("r.json", plain_record())}, headers=bearer(settings, "frank"))
    client.post("/v1/admin/assignments", json={"advisor_id": "dave", "learner_id": "frank"}, headers=admin)

    by_advisor = client.delete("/v1/learners/frank", headers=bearer(settings, "dave", Role.ADVISOR))
    by_admin = client.delete("/v1/learners/frank", headers=admin)
    profile = client.get("/v1/learners/me/profile", headers=bearer(settings, "frank"))

    assert by_advisor.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json() == {"learner_id": "frank", "record_deleted": True, "assignments_removed": 1}
    assert profile.json()["has_record"] is False


def test_app_rejects_missing_or_weak_secret(tmp_path: Path) -> None:
    for secret in (None, "short"):
        with pytest.raises(ConfigurationError):
            create_app(api_settings(tmp_path, token_secret=secret))


def test_minted_token_round_trips(settings: Settings) -> None:
    from advisor.api.auth import decode_token

    caller = decode_token(settings, mint_token(settings, "alice", Role.ADVISOR))

    assert (caller.subject, caller.role) == ("alice", Role.ADVISOR)
