"""Mapping a catalog's own skill names onto taxonomy skills (ESCO, O*NET).

Rules, tried in order for each distinct skill name:

1. ``exact``: the normalised name, or one of its parenthetical parts, equals a normalised
   preferred or alternative label. The best ESCO skill and the best O*NET skill are both kept.
2. ``fuzzy``: the rapidfuzz ratio (normalised edit distance) to some label is at least ``FUZZY_THRESHOLD``.
3. ``embedding``: cosine similarity of MiniLM sentence vectors to a preferred label is at
   least ``EMBEDDING_THRESHOLD`` (optional; see advisor.ingest.embedding).
4. ``new``: nothing matched, so the name becomes a catalog skill of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from advisor.domain import Credential, Framework, Skill, SkillLevel, SkillType
from advisor.ingest.cleaning import normalise_skill_text, parenthetical_parts
from advisor.ingest.scraped_catalog import catalog_skill_id

logger = logging.getLogger(__name__)

FUZZY_THRESHOLD = 90.0
FUZZY_MIN_LENGTH = 8
# Chosen by reading samples: above 0.85 nearly all matches were right, 0.80-0.85 about half.
EMBEDDING_THRESHOLD = 0.85

# Preferred label beats alternative label, which beats a label or name with a generic word cut off.
LABEL_RANK = {"preferred": 0, "alternative": 1, "shortened": 2}
GENERIC_SUFFIXES = (" programming language", " programming", " language", " software", " skills", " fundamentals", " basics")


@dataclass(frozen=True)
class SkillMatch:
    """One taxonomy skill a catalog skill name was mapped to, and how."""

    skill_id: str
    rule: str
    score: float
    label: str


class SkillMapper:
    """Map skill names to taxonomy skills by exact label, fuzzy label and embedding rules."""

    def __init__(self, skills: Iterable[Skill], encoder: Callable[[list[str]], np.ndarray] | None = None) -> None:
        self.labels: dict[str, list[tuple[int, str, str]]] = {}
        self.preferred: list[tuple[str, str]] = []
        self.encoder = encoder
        self.label_vectors: np.ndarray | None = None
        for skill in skills:
            if skill.framework == Framework.CATALOG or (skill.model_extra or {}).get("is_group"):
                continue
            self.add_labels(skill)
        self.label_keys = list(self.labels)
        logger.info("Skill mapper: %d normalised labels, %d preferred labels", len(self.label_keys), len(self.preferred))

    def add_labels(self, skill: Skill) -> None:
        """Index a skill's preferred and alternative labels under their normalised form."""
        for kind, label in [("preferred", skill.label), *(("alternative", alt) for alt in skill.alt_labels)]:
            full, shortened = label_variants(label, skill.skill_type)
            if full:
                self.labels.setdefault(full, []).append((LABEL_RANK[kind], skill.id, label))
            if shortened:
                self.labels.setdefault(shortened, []).append((LABEL_RANK["shortened"], skill.id, label))
        self.preferred.append((skill.id, skill.label))

    def map_names(self, names: list[str]) -> dict[str, list[SkillMatch]]:
        """Map each distinct name; names that match nothing map to an empty list."""
        result: dict[str, list[SkillMatch]] = {}
        for name in dict.fromkeys(names):
            result[name] = self.match_exact(name) or self.match_fuzzy(name)

        unmatched = [name for name, matches in result.items() if not matches]
        if self.encoder is not None and unmatched:
            result.update(self.match_embedding(unmatched))
        return result

    def match_exact(self, name: str) -> list[SkillMatch]:
        """Return the best ESCO and O*NET skills whose label equals the name or a short form of it.

        A one-word parenthetical part counts as a name too ('AI' in 'Artificial Intelligence
        (AI)'); longer qualifiers such as '(Programming Language)' do not. Matches through a
        shortened label or name are used only when no full label matches.
        """
        full_keys = [normalise_skill_text(name)]
        full_keys += [normalise_skill_text(part) for part in parenthetical_parts(name) if len(part.split()) == 1]
        candidates = [candidate for key in dict.fromkeys(full_keys) for candidate in self.labels.get(key, [])]
        if not any(rank < LABEL_RANK["shortened"] for rank, _, _ in candidates):
            shortened = {strip_generic_suffix(key) for key in full_keys} - set(full_keys) - {""}
            candidates += [(LABEL_RANK["shortened"], skill_id, label) for key in shortened for _, skill_id, label in self.labels.get(key, [])]
        full = [candidate for candidate in candidates if candidate[0] < LABEL_RANK["shortened"]]
        return best_per_framework(full or candidates, "exact", 100.0)

    def match_fuzzy(self, name: str) -> list[SkillMatch]:
        """Return the skills of the closest label by token-sort ratio, when close enough."""
        key = normalise_skill_text(name)
        if len(key) < FUZZY_MIN_LENGTH:
            return []
        found = process.extractOne(key, self.label_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        if found is None:
            return []
        label_key, score, _ = found
        return best_per_framework(self.labels[label_key], "fuzzy", float(score))

    def match_embedding(self, names: list[str]) -> dict[str, list[SkillMatch]]:
        """Return the nearest preferred label by cosine similarity, for names above the threshold."""
        assert self.encoder is not None
        if self.label_vectors is None:
            self.label_vectors = self.encoder([label for _, label in self.preferred])
        vectors = self.encoder(names)
        similarities = vectors @ self.label_vectors.T
        best = similarities.argmax(axis=1)

        result: dict[str, list[SkillMatch]] = {}
        for row, name in enumerate(names):
            score = float(similarities[row, best[row]])
            if score >= EMBEDDING_THRESHOLD:
                skill_id, label = self.preferred[int(best[row])]
                result[name] = [SkillMatch(skill_id, "embedding", round(score, 3), label)]
            else:
                result[name] = []
        return result


def label_variants(label: str, skill_type: SkillType) -> tuple[str, str]:
    """Return the normalised label and, for technology examples, its form without a generic last word.

    'Ansible software' is indexed as 'ansible software' and, shortened, as 'ansible'.
    """
    full = normalise_skill_text(label)
    shortened = strip_generic_suffix(full) if skill_type == SkillType.TECHNOLOGY else ""
    return full, shortened if shortened != full else ""


def strip_generic_suffix(text: str) -> str:
    """Cut one generic last word such as 'programming' or 'software' off a normalised name."""
    for suffix in GENERIC_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text.removesuffix(suffix).strip()
    return text


def best_per_framework(candidates: list[tuple[int, str, str]], rule: str, score: float) -> list[SkillMatch]:
    """Keep the best-ranked candidate of each framework (ESCO, O*NET skills, O*NET technology)."""
    best: dict[str, tuple[int, str, str]] = {}
    for candidate in sorted(candidates):
        family = candidate[1].rsplit(":", 1)[0] if candidate[1].startswith("onet:") else "esco"
        best.setdefault(family, candidate)
    return [SkillMatch(skill_id, rule, score, label) for _, skill_id, label in best.values()]


def apply_mapping(credentials: list[Credential], mapping: dict[str, list[SkillMatch]]) -> None:
    """Replace each credential's catalog skills by the taxonomy skills they map to."""
    for credential in credentials:
        mapped: dict[str, SkillLevel] = {}
        for skill in credential.skills:
            name = skill.source_label or skill.skill_id
            matches = mapping.get(name) or []
            if not matches:
                mapped.setdefault(skill.skill_id, skill)
                continue
            for match in matches:
                mapped.setdefault(
                    match.skill_id,
                    SkillLevel(skill_id=match.skill_id, level=skill.level, source_label=name, mapping_rule=match.rule),
                )
        credential.skills = list(mapped.values())


def catalog_skills(credentials: list[Credential]) -> list[Skill]:
    """Return one catalog skill for each unmapped skill name the credentials still use."""
    found: dict[str, Skill] = {}
    for credential in credentials:
        for skill in credential.skills:
            if skill.skill_id.startswith("catalog:skill:") and skill.skill_id not in found:
                label = skill.source_label or skill.skill_id.removeprefix("catalog:skill:")
                found[skill.skill_id] = Skill(id=skill.skill_id, label=label, framework=Framework.CATALOG, source="catalog")
    return list(found.values())


def unmapped_id(name: str) -> str:
    """Return the catalog skill id a name keeps when it matches nothing."""
    return catalog_skill_id(name)
