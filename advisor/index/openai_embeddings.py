"""Embedding function that calls the embeddings endpoint of OpenAI or a compatible server."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
from chromadb.utils.embedding_functions import register_embedding_function

from advisor.config import Settings, get_settings
from advisor.errors import ConfigurationError
from advisor.index.embeddings import AdvisorEmbeddingFunction, EmbeddingModelInfo

logger = logging.getLogger(__name__)

OPENAI_PROVIDER = "openai"

# Output sizes of OpenAI's own embedding models; any other model is measured on first use.
KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


@register_embedding_function
class OpenAIEmbeddingFunction(AdvisorEmbeddingFunction):
    """Embeddings from ``/v1/embeddings`` through the ``openai`` client, L2-normalised.

    The API key is read from the settings and never stored in a collection's configuration.
    """

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None = None,
        batch_size: int = 256,
        timeout_seconds: float = 30.0,
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self.client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_seconds)
        self._dimension = KNOWN_DIMENSIONS.get(model)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIEmbeddingFunction:
        """Build the function from the ``openai_*`` settings: key, base URL and embedding model."""
        if settings.openai_api_key is None:
            raise ConfigurationError(
                "The openai embedding provider needs an API key.",
                value=settings.embedding_provider,
                hint="Set ADVISOR_OPENAI_API_KEY, or set ADVISOR_EMBEDDING_PROVIDER=minilm-onnx.",
            )
        return cls(
            model=settings.openai_embedding_model,
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            batch_size=max(settings.embedding_batch_size, 256),
            timeout_seconds=settings.openai_timeout_seconds,
        )

    @property
    def model_info(self) -> EmbeddingModelInfo:
        if self._dimension is None:
            self._dimension = int(self.embed_texts(["dimension probe"]).shape[1])
        return EmbeddingModelInfo(OPENAI_PROVIDER, self.model, self._dimension)

    @staticmethod
    def name() -> str:
        return "advisor-openai"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbeddingFunction:
        settings = get_settings().model_copy(
            update={
                "openai_embedding_model": config["model"],
                "openai_base_url": config.get("base_url"),
            }
        )
        return OpenAIEmbeddingFunction.from_settings(settings)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        batches = [
            self._embed_batch(texts[start : start + self.batch_size])
            for start in range(0, len(texts), self.batch_size)
        ]
        if not batches:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)

        vectors = np.concatenate(batches).astype(np.float32)
        self._dimension = vectors.shape[1]
        norms = np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors / norms

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        response = self.client.embeddings.create(
            model=self.model, input=texts, encoding_format="float"
        )
        logger.info(
            "Embedded %d texts with %s at %s in %.2f s",
            len(texts),
            self.model,
            self.base_url or "api.openai.com",
            time.perf_counter() - started,
        )
        ordered = sorted(response.data, key=lambda item: item.index)
        return np.asarray([item.embedding for item in ordered], dtype=np.float32)
