"""Mapping in the other direction: from each skill that occupations require to the catalog names close to it.

The forward rules keep the one best label of each framework for a catalog name, so a required
ESCO skill phrased as an activity ('use query languages', 'perform data mining') is often
missed even when a course teaches it. Here the preferred label of every required taxonomy
skill is embedded and compared with every catalog skill name. The names at or above
``REVERSE_THRESHOLD`` cosine similarity, at most ``TOP_NAMES`` per skill, are mapped to it as well.

A label with context was measured too, such as 'use query languages (programming computer
systems)' or an O*NET technology with its commodity title. It lowered every similarity by
about 0.1 and, at the same sample precision, matched fewer pairs than the plain label.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import numpy as np

from advisor.domain import Occupation, Skill
from advisor.ingest.skill_mapping import SkillMatch

logger = logging.getLogger(__name__)

# Chosen by reading samples: at 0.85 and above 19 of 20 sampled pairs were right, from
# 0.80 to 0.85 about 15 of 20.
REVERSE_THRESHOLD = 0.85
# A broad skill ('manage staff') is close to many names; only its nearest few are kept.
TOP_NAMES = 5
CHUNK_ROWS = 1024


def required_skills(occupations: Iterable[Occupation], skills: dict[str, Skill]) -> list[Skill]:
    """Return the ESCO skills and O*NET technologies that at least one occupation requires, sorted by id.

    The 35 broad O*NET skills ('Critical Thinking') are left out: a name close to one is
    usually a narrower topic, not the skill itself.
    """
    required = {skill.skill_id for occupation in occupations for skill in occupation.required_skills}
    known = [skills[skill_id] for skill_id in sorted(required) if skill_id in skills]
    return [skill for skill in known if not skill.id.startswith("onet:skill:")]


def match_reverse(
    names: list[str],
    targets: list[Skill],
    encoder: Callable[[list[str]], np.ndarray],
    threshold: float = REVERSE_THRESHOLD,
    top_names: int = TOP_NAMES,
) -> dict[str, list[SkillMatch]]:
    """Return, for each catalog name, the required skills it is among the nearest names of."""
    result: dict[str, list[SkillMatch]] = {}
    if not names or not targets:
        return result

    name_vectors = encoder(names)
    target_vectors = encoder([skill.label for skill in targets])

    # Chunks keep the similarity matrix small: 1,024 skills by about 5,000 names at a time.
    for start in range(0, len(targets), CHUNK_ROWS):
        similarities = target_vectors[start : start + CHUNK_ROWS] @ name_vectors.T
        for row, skill in enumerate(targets[start : start + CHUNK_ROWS]):
            for column in nearest_columns(similarities[row], threshold, top_names):
                score = round(float(similarities[row, column]), 3)
                result.setdefault(names[column], []).append(SkillMatch(skill.id, "reverse_embedding", score, skill.label))

    logger.info("Reverse mapping: %d required skills, %d names gained %d matches", len(targets), len(result), sum(map(len, result.values())))
    return result


def nearest_columns(row: np.ndarray, threshold: float, limit: int) -> list[int]:
    """Return the columns of the highest values at or above the threshold, at most limit of them, best first."""
    above = np.flatnonzero(row >= threshold)
    ordered = above[np.argsort(-row[above], kind="stable")]
    return [int(column) for column in ordered[:limit]]
