"""Embedding functions: the local ONNX model, the OpenAI client against a local server, adapters."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from advisor.config import get_settings
from advisor.errors import ConfigurationError
from advisor.index import CollectionKind, IndexStore, get_embedding_function
from advisor.index.embeddings import MiniLMOnnxEmbeddingFunction, load_onnx_session
from advisor.chat.embeddings import AdvisorLangChainEmbeddings
from advisor.index.openai_embeddings import OpenAIEmbeddingFunction

FAKE_DIMENSION = 6


@pytest.fixture(scope="module")
def minilm() -> MiniLMOnnxEmbeddingFunction:
    return MiniLMOnnxEmbeddingFunction(batch_size=4)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_minilm_shape_and_norm(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    vectors = minilm.embed_texts(["data analysis", "baking bread at home"])

    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_minilm_similar_texts_closer(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    query, near, far = minilm.embed_texts(
        ["learn Python programming", "Python coding course", "bread baking"]
    )

    assert cosine(query, near) > cosine(query, far) + 0.3


def test_minilm_padding_invariant(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    long_text = " ".join(["machine learning engineering with cloud platforms"] * 20)
    alone = minilm.embed_texts(["SQL"])[0]
    padded = minilm.embed_texts(["SQL", long_text, "SQL " * 3, long_text[:100], "x"])[0]

    assert cosine(alone, padded) > 0.9999


def test_minilm_order_preserved(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    texts = ["a much longer text about project management and budgets", "SQL", "cloud computing"]
    together = minilm.embed_texts(texts)
    separately = np.stack([minilm.embed_texts([text])[0] for text in texts])

    assert np.allclose(together, separately, atol=1e-4)


def test_minilm_truncates_long_text(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    vectors = minilm.embed_texts(["word " * 5000])

    assert vectors.shape == (1, 384)


def test_minilm_empty_batch(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    assert minilm.embed_texts([]).shape == (0, 384)


def test_minilm_chroma_protocol(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    rebuilt = MiniLMOnnxEmbeddingFunction.build_from_config(minilm.get_config())
    embeddings = minilm(["python"])

    assert MiniLMOnnxEmbeddingFunction.name() == "advisor-minilm-onnx"
    assert not minilm.is_legacy()
    assert rebuilt.batch_size == 4
    assert len(embeddings) == 1
    assert len(embeddings[0]) == 384
    assert minilm.default_space() == "cosine"


def test_onnx_session_cached(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    first = load_onnx_session(str(minilm.model_path), minilm.threads)
    second = load_onnx_session(str(minilm.model_path), minilm.threads)

    assert first is second


def test_chroma_uses_our_function(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    store = IndexStore(embedding_function=minilm)
    collection = store.collection(CollectionKind.SKILLS)
    collection.add(ids=["s1", "s2"], documents=["Python programming", "bread baking"])

    result = collection.query(query_texts=["writing Python code"], n_results=1)

    assert result["ids"][0] == ["s1"]


def test_default_provider_is_minilm() -> None:
    function = get_embedding_function()

    assert isinstance(function, MiniLMOnnxEmbeddingFunction)
    assert function.model_info.dimension == 384


def test_langchain_adapter(minilm: MiniLMOnnxEmbeddingFunction) -> None:
    adapter = AdvisorLangChainEmbeddings(minilm)

    documents = adapter.embed_documents(["SQL", "Python"])
    query = adapter.embed_query("SQL")

    assert len(documents) == 2
    assert cosine(np.asarray(documents[0]), np.asarray(query)) > 0.9999


@dataclass
class FakeOpenAIServer:
    """An OpenAI-compatible ``/v1/embeddings`` endpoint on 127.0.0.1 that records requests."""

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)


def fake_vector(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [float(byte) + 1.0 for byte in digest[:FAKE_DIMENSION]]


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    state = FakeOpenAIServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            state.authorizations.append(self.headers.get("Authorization"))
            if self.path != "/v1/embeddings":
                self.send_error(404)
                return
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            # Reversed on purpose: clients must order results by their index field.
            data = [
                {"object": "embedding", "index": i, "embedding": fake_vector(text)}
                for i, text in reversed(list(enumerate(texts)))
            ]
            payload = {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
            }
            encoded = json.dumps(payload).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def openai_settings(monkeypatch: pytest.MonkeyPatch, openai_server: FakeOpenAIServer) -> None:
    monkeypatch.setenv("ADVISOR_EMBEDDING_PROVIDER", "openai")
    monkeypatch.setenv("ADVISOR_OPENAI_API_KEY", "sk-test-dummy")
    monkeypatch.setenv("ADVISOR_OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("ADVISOR_OPENAI_EMBEDDING_MODEL", "local-embedder")
    get_settings.cache_clear()


@pytest.mark.usefixtures("openai_settings")
def test_openai_vectors(openai_server: FakeOpenAIServer) -> None:
    function = get_embedding_function()

    vectors = function.embed_texts(["alpha", "beta"])

    expected = np.asarray(fake_vector("alpha")) / np.linalg.norm(fake_vector("alpha"))
    assert isinstance(function, OpenAIEmbeddingFunction)
    assert vectors.shape == (2, FAKE_DIMENSION)
    assert np.allclose(vectors[0], expected, atol=1e-6)
    assert openai_server.requests[0]["model"] == "local-embedder"
    assert openai_server.requests[0]["input"] == ["alpha", "beta"]
    assert openai_server.authorizations[0] == "Bearer sk-test-dummy"


@pytest.mark.usefixtures("openai_settings")
def test_openai_model_info_probes_dimension(openai_server: FakeOpenAIServer) -> None:
    info = get_embedding_function().model_info

    assert (info.provider, info.model, info.dimension) == (
        "openai",
        "local-embedder",
        FAKE_DIMENSION,
    )
    assert len(openai_server.requests) == 1


@pytest.mark.usefixtures("openai_settings")
def test_openai_index_and_search(openai_server: FakeOpenAIServer) -> None:
    store = IndexStore()
    collection = store.collection(CollectionKind.SKILLS)
    collection.add(ids=["a", "b"], documents=["alpha", "beta"])

    result = collection.query(query_texts=["alpha"], n_results=1)

    assert result["ids"][0] == ["a"]
    assert collection.metadata["embedding_provider"] == "openai"


def test_openai_requires_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_EMBEDDING_PROVIDER", "openai")
    get_settings.cache_clear()

    with pytest.raises(ConfigurationError, match="ADVISOR_OPENAI_API_KEY"):
        get_embedding_function()
