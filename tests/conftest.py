"""Fixtures shared by every test: a hermetic environment and the path to the public data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from advisor.config import get_settings

if TYPE_CHECKING:
    from fakes.openai_server import FakeOpenAIServer

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"
KNOWLEDGE_BASE_DIR = REPO_DIR / "knowledge_base"


@pytest.fixture(autouse=True)
def hermetic_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Remove real keys and point the data directory at a fresh temporary folder."""
    for name in ("OPENAI_API_KEY", "ADVISOR_OPENAI_API_KEY", "ADVISOR_OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "advisor-data"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def shared_data() -> Path:
    """Return ../shared/data, or skip the test where that folder is absent."""
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(f"public data folder {SHARED_DATA_DIR} is absent")
    return SHARED_DATA_DIR


@pytest.fixture
def fake_openai() -> Iterator["FakeOpenAIServer"]:
    """Start a fake OpenAI-compatible server on 127.0.0.1 and stop it after the test."""
    from fakes.openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        yield server
