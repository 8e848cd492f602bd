"""Test helpers for the index: an embedding function whose geometry each test controls."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from advisor.domain import Credential, CredentialKind, KnowledgeBase, Occupation, Skill, SkillLevel
from advisor.index.embeddings import AdvisorEmbeddingFunction, EmbeddingModelInfo


class FakeEmbeddingFunction(AdvisorEmbeddingFunction):
    """Embed texts by table: an exact text's vector, else the sum of its keywords' axes.

    A text with neither gets the last axis alone. Every text sent to the model is recorded
    in ``calls``, so tests can check what was embedded.
    """

    def __init__(
        self,
        vectors: Mapping[str, Sequence[float]] | None = None,
        keywords: Mapping[str, int] | None = None,
        dimension: int = 8,
        model: str = "fake-keywords-v1",
    ) -> None:
        self.vectors = dict(vectors or {})
        self.keywords = dict(keywords or {})
        self.dimension = dimension
        self.model = model
        self.calls: list[str] = []

    @property
    def model_info(self) -> EmbeddingModelInfo:
        return EmbeddingModelInfo("fake", self.model, self.dimension)

    @staticmethod
    def name() -> str:
        return "advisor-test-fake"

    def get_config(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> FakeEmbeddingFunction:
        return FakeEmbeddingFunction(dimension=config["dimension"], model=config["model"])

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        self.calls.extend(texts)
        rows = [self._vector(text) for text in texts]
        matrix = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)
        norms = np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
        return matrix / norms

    def _vector(self, text: str) -> np.ndarray:
        if text in self.vectors:
            return np.asarray(self.vectors[text], dtype=np.float32)
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            if word in self.keywords:
                vector[self.keywords[word]] += 1.0
        if not vector.any():
            vector[-1] = 1.0
        return vector


SKILLS = [
    Skill(id="skill:python", label="Python", alt_labels=["Python programming"], framework="esco"),
    Skill(id="skill:sql", label="SQL", framework="esco"),
    Skill(id="skill:cloud", label="cloud computing", framework="esco"),
]


def credential(
    credential_id: str, title: str, skill_ids: Sequence[str] = (), **fields: Any
) -> Credential:
    """Build a credential teaching the given skills."""
    skills = [SkillLevel(skill_id=skill_id) for skill_id in skill_ids]
    return Credential(id=credential_id, title=title, skills=skills, **fields)


def small_knowledge_base() -> KnowledgeBase:
    """Return three credentials, three skills and one occupation."""
    credentials = [
        credential("cred:py", "Python Basics", ["skill:python"], level="beginner"),
        credential("cred:sql", "Databases and SQL", ["skill:sql"], kind=CredentialKind.BADGE),
        credential("cred:cloud", "Cloud Foundations", ["skill:cloud"], level="advanced"),
    ]
    occupations = [Occupation(id="occ:analyst", title="Data analyst", framework="esco")]
    return KnowledgeBase.from_items(credentials, SKILLS, occupations)
