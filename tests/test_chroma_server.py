"""The index in client/server mode, against a real ``chroma run`` on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from index_fakes import FakeEmbeddingFunction, small_knowledge_base

from advisor.config import get_settings
from advisor.domain import LearnerRecord, Project
from advisor.errors import IndexMismatchError
from advisor.index import (
    CollectionKind,
    HybridSearch,
    IndexStore,
    index_knowledge_base,
    index_record,
    search_record_items,
)

KEYWORDS = {"python": 0, "sql": 1, "databases": 1, "cloud": 2}
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"chroma run did not answer on port {port} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    executable = shutil.which("chroma")
    if executable is None:
        pytest.skip("the chroma command of the chromadb package is not on PATH")
    path: Path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    process = subprocess.Popen(
        [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def http_settings(
    monkeypatch: pytest.MonkeyPatch, chroma_server: int, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("ADVISOR_CHROMA_MODE", "http")
    monkeypatch.setenv("ADVISOR_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ADVISOR_CHROMA_PORT", str(chroma_server))
    # One prefix per test keeps the tests apart on the shared server.
    monkeypatch.setenv("ADVISOR_COLLECTION_PREFIX", request.node.name.replace("_", "-")[:40])
    get_settings.cache_clear()


@pytest.mark.usefixtures("http_settings")
def test_http_index_and_search() -> None:
    fake = FakeEmbeddingFunction(keywords=KEYWORDS)
    store = IndexStore(embedding_function=fake)

    first = index_knowledge_base(small_knowledge_base(), store)
    fake.calls.clear()
    second = index_knowledge_base(small_knowledge_base(), store)
    embedded_on_reindex = list(fake.calls)
    hits = HybridSearch(store).search("SQL databases", limit=2)

    assert not get_settings().chroma_path.exists()
    assert [s.added for s in first] == [3, 3, 3, 1]
    assert [s.unchanged for s in second] == [3, 3, 3, 1]
    assert embedded_on_reindex == []
    assert hits[0].id == "cred:sql"


@pytest.mark.usefixtures("http_settings")
def test_http_model_mismatch() -> None:
    index_knowledge_base(
        small_knowledge_base(), IndexStore(embedding_function=FakeEmbeddingFunction())
    )
    other = IndexStore(embedding_function=FakeEmbeddingFunction(model="fake-other-v2"))

    with pytest.raises(IndexMismatchError, match="advisor index --rebuild"):
        other.collection(CollectionKind.CREDENTIALS)


@pytest.mark.usefixtures("http_settings")
def test_http_minilm_records() -> None:
    store = IndexStore()
    index_record(
        LearnerRecord(learner_id="ada", projects=[Project(id="p", title="SQL reporting")]), store
    )
    index_record(
        LearnerRecord(learner_id="bob", projects=[Project(id="p", title="SQL tuning")]), store
    )

    hits = search_record_items("ada", "database queries", limit=5, store=store)

    assert [hit.title for hit in hits] == ["SQL reporting"]
