"""Property-based run over the OpenAPI schema: no 5xx, and every response matches the schema.

A few examples per operation keep the run under a minute. Every case is sent with a learner
token, with 'me' as the learner id so that learner routes go past the access check.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from api_support import api_settings, bearer, plain_record, small_knowledge_base
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from advisor.api import create_app
from advisor.api.auth import Role
from advisor.index.indexer import index_knowledge_base
from advisor.index.store import IndexStore

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The schema is loaded when the module is collected, so the app exists before any fixture runs;
# its folder is removed by the module fixture below.
DATA_DIR = Path(tempfile.mkdtemp(prefix="advisor-schema-test-"))
SETTINGS = api_settings(DATA_DIR)
index_knowledge_base(small_knowledge_base(), IndexStore(SETTINGS))
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[FastAPI]:
    """Run the app's startup, so the services exist, and seed one learner record."""
    with TestClient(APP) as client:
        client.put("/v1/learners/me/record", files={"file": ("r.json", plain_record())}, headers=bearer(SETTINGS, "alice"))
        yield APP
    shutil.rmtree(DATA_DIR, ignore_errors=True)


def role_for(path: str) -> Role:
    """Return the role whose token reaches past the access check of a path."""
    if path.startswith("/v1/admin"):
        return Role.ADMIN
    if path.startswith("/v1/advisor"):
        return Role.ADVISOR
    return Role.LEARNER


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_schema(case) -> None:  # type: ignore[no-untyped-def]
    role = role_for(case.path)
    if case.path_parameters and "learner_id" in case.path_parameters and role is Role.LEARNER:
        case.path_parameters["learner_id"] = "me"

    case.call_and_validate(headers=bearer(SETTINGS, "alice", role), checks=CHECKS)
