"""Interfaces the engine needs from the layers around it, so it can run without them."""

from __future__ import annotations

from typing import Protocol


class SkillSearch(Protocol):
    """Nearest taxonomy skills to a free text, from the skills index."""

    def nearest_skills(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Return up to ``limit`` (skill id, cosine similarity in [0, 1]) pairs, best first."""
        ...


class CredentialRelevance(Protocol):
    """Similarity of catalog credentials to a goal, from the credentials index."""

    def relevance(self, goal_text: str, candidate_ids: list[str]) -> dict[str, float]:
        """Return credential id -> cosine similarity in [0, 1] to the goal text, for the ids the index has."""
        ...
