"""Mapping a catalog's own skill names onto taxonomy skills (ESCO, O*NET).

Rules, tried in order for each distinct skill name until one matches:

1. ``exact``: the normalised name, or one of its parenthetical parts, equals a normalised
   preferred or alternative label. The best ESCO skill and the best O*NET skill are both kept.
2. ``variant``: the same after folding American to British spelling and a plural last word
   to the singular (advisor.ingest.skill_keys).
3. ``fuzzy``: the rapidfuzz ratio (normalised edit distance) to some label is at least ``FUZZY_THRESHOLD``.
4. ``embedding``: cosine similarity of MiniLM sentence vectors to a preferred label is at
   least ``EMBEDDING_THRESHOLD`` (optional; see advisor.ingest.embedding).
5. ``new``: nothing matched, so the name becomes a catalog skill of its own.

Rules that add taxonomy skills to every name, whatever the first rule gave, because one
course skill can close several required skills:

- ``verb_object``: an ESCO label is a use-or-do verb followed by the name ('perform data
  mining' for 'Data Mining').
- ``synonym``: the curated table knowledge_base/skill_synonyms.csv names the skill.
- ``reverse_embedding``: the name is among the nearest names to a skill that some occupation
  requires (advisor.ingest.reverse_mapping).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from advisor.domain import Credential, Framework, Skill, SkillLevel, SkillType
from advisor.ingest.cleaning import normalise_skill_text, parenthetical_parts
from advisor.ingest.scraped_catalog import catalog_skill_id
from advisor.ingest.skill_keys import object_of, variant_key

logger = logging.getLogger(__name__)

FUZZY_THRESHOLD = 90.0
FUZZY_MIN_LENGTH = 8
# Chosen by reading samples: above 0.85 nearly all matches were right, 0.80-0.85 about half.
EMBEDDING_THRESHOLD = 0.85

# Every rule, forward rules first; a name is counted under the first rule that mapped it.
RULE_ORDER = ("exact", "variant", "fuzzy", "embedding", "verb_object", "synonym", "reverse_embedding", "new")
# Rules whose score is a similarity rather than 100; their score is kept in mapping_rule.
SCORED_RULES = ("fuzzy", "embedding", "reverse_embedding")

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

    def __init__(
        self,
        skills: Iterable[Skill],
        encoder: Callable[[list[str]], np.ndarray] | None = None,
        synonyms: dict[str, list[str]] | None = None,
    ) -> None:
        self.labels: dict[str, list[tuple[int, str, str]]] = {}
        self.variants: dict[str, list[tuple[int, str, str]]] = {}
        self.objects: dict[str, dict[str, str]] = {}
        self.preferred: list[tuple[str, str]] = []
        self.encoder = encoder
        self.label_vectors: np.ndarray | None = None
        for skill in skills:
            if skill.framework == Framework.CATALOG or (skill.model_extra or {}).get("is_group"):
                continue
            self.add_labels(skill)
        self.label_keys = list(self.labels)
        self.skill_labels = dict(self.preferred)
        self.synonyms = self.checked_synonyms(synonyms or {})
        logger.info(
            "Skill mapper: %d normalised labels, %d preferred labels, %d verb-object labels, %d synonym names",
            len(self.label_keys),
            len(self.preferred),
            len(self.objects),
            len(self.synonyms),
        )

    def add_labels(self, skill: Skill) -> None:
        """Index a skill's preferred and alternative labels under their normalised form."""
        for kind, label in [("preferred", skill.label), *(("alternative", alt) for alt in skill.alt_labels)]:
            full, shortened = label_variants(label, skill.skill_type)
            if full:
                self.labels.setdefault(full, []).append((LABEL_RANK[kind], skill.id, label))
                self.variants.setdefault(variant_key(full), []).append((LABEL_RANK[kind], skill.id, label))
            if shortened:
                self.labels.setdefault(shortened, []).append((LABEL_RANK["shortened"], skill.id, label))
            acronym = trailing_acronym(label) if skill.skill_type == SkillType.TECHNOLOGY else ""
            if acronym:
                self.labels.setdefault(acronym, []).append((LABEL_RANK["shortened"], skill.id, label))
            # Alternative labels are left out here because their objects are often looser than the skill.
            if kind == "preferred" and skill.framework == Framework.ESCO and object_of(full):
                self.objects.setdefault(variant_key(object_of(full)), {}).setdefault(skill.id, skill.label)
        self.preferred.append((skill.id, skill.label))

    def checked_synonyms(self, synonyms: dict[str, list[str]]) -> dict[str, list[str]]:
        """Key the synonym table by normalised name, dropping skill ids the taxonomy lacks."""
        checked: dict[str, list[str]] = {}
        for name, skill_ids in synonyms.items():
            known = [skill_id for skill_id in skill_ids if skill_id in self.skill_labels]
            for skill_id in set(skill_ids) - set(known):
                logger.warning("Synonym %r names skill %s, which is not in the taxonomy", name, skill_id)
            if known:
                checked.setdefault(normalise_skill_text(name), []).extend(known)
        return checked

    def map_names(self, names: list[str]) -> dict[str, list[SkillMatch]]:
        """Map each distinct name; names that match nothing map to an empty list."""
        result: dict[str, list[SkillMatch]] = {}
        for name in dict.fromkeys(names):
            result[name] = self.match_exact(name) or self.match_variant(name) or self.match_fuzzy(name)

        unmatched = [name for name, matches in result.items() if not matches]
        if self.encoder is not None and unmatched:
            result.update(self.match_embedding(unmatched))

        for name, matches in result.items():
            add_matches(matches, self.match_verb_object(name))
            add_matches(matches, self.match_synonym(name))
        return result

    def match_exact(self, name: str) -> list[SkillMatch]:
        """Return the best ESCO and O*NET skills whose label equals the name or a short form of it.

        A parenthetical acronym counts as a name too ('AI' in 'Artificial Intelligence (AI)');
        qualifiers such as '(Finance)' or '(Programming Language)' do not. Matches through a
        shortened label or name are used only when no full label matches.
        """
        full_keys = name_keys(name)
        candidates = [candidate for key in full_keys for candidate in self.labels.get(key, [])]
        if not any(rank < LABEL_RANK["shortened"] for rank, _, _ in candidates):
            shortened = {strip_generic_suffix(key) for key in full_keys} - set(full_keys) - {""}
            candidates += [(LABEL_RANK["shortened"], skill_id, label) for key in shortened for _, skill_id, label in self.labels.get(key, [])]
        full = [candidate for candidate in candidates if candidate[0] < LABEL_RANK["shortened"]]
        return best_per_framework(full or candidates, "exact", 100.0)

    def match_variant(self, name: str) -> list[SkillMatch]:
        """Return the best ESCO and O*NET skills whose label equals the name once spelling and number are folded."""
        candidates = self.variants.get(variant_key(normalise_skill_text(name)), [])
        return best_per_framework(candidates, "variant", 100.0)

    def match_verb_object(self, name: str) -> list[SkillMatch]:
        """Return the ESCO skills whose label is a use-or-do verb followed by the name."""
        found = self.objects.get(variant_key(normalise_skill_text(name)), {})
        return [SkillMatch(skill_id, "verb_object", 100.0, label) for skill_id, label in found.items()]

    def match_synonym(self, name: str) -> list[SkillMatch]:
        """Return the skills the curated synonym table gives for the name."""
        skill_ids = self.synonyms.get(normalise_skill_text(name), [])
        return [SkillMatch(skill_id, "synonym", 100.0, self.skill_labels[skill_id]) for skill_id in skill_ids]

    def match_fuzzy(self, name: str) -> list[SkillMatch]:
        """Return the skills of the closest label by token-sort ratio, when close enough."""
        key = normalise_skill_text(name)
        if len(key) < FUZZY_MIN_LENGTH:
            return []
        found = process.extractOne(key, self.label_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        if found is None:
            return []
        label_key, score, _ = found
        return best_per_framework(self.labels[label_key], "fuzzy", round(float(score), 1))

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


def name_keys(name: str) -> list[str]:
    """Return the normalised name and its parenthetical acronyms ('ai' for 'Artificial Intelligence (AI)').

    A parenthetical word counts only when it is an acronym (two or more capitals), because
    a qualifier such as 'Finance' in 'Stocks (Finance)' names a field, not the skill.
    """
    keys = [normalise_skill_text(name)]
    keys += [normalise_skill_text(part) for part in parenthetical_parts(name) if is_acronym(part)]
    return [key for key in dict.fromkeys(keys) if key]


def is_acronym(text: str) -> bool:
    """Tell whether a text is one word with at least two capital letters ('AI', 'GAE', 'IaaS')."""
    return len(text.split()) == 1 and sum(character.isupper() for character in text) >= 2


def add_matches(matches: list[SkillMatch], extra: list[SkillMatch]) -> None:
    """Append the matches whose skill the list does not have yet."""
    present = {match.skill_id for match in matches}
    for match in extra:
        if match.skill_id not in present:
            matches.append(match)
            present.add(match.skill_id)


def rule_text(match: SkillMatch) -> str:
    """Return the mapping_rule value of a match: the rule, and for similarity rules its score ('embedding:0.873')."""
    if match.rule in SCORED_RULES:
        return f"{match.rule}:{match.score:g}"
    return match.rule


def label_variants(label: str, skill_type: SkillType) -> tuple[str, str]:
    """Return the normalised label and, for technology examples, its form without a generic last word.

    'Ansible software' is indexed as 'ansible software' and, shortened, as 'ansible'.
    """
    full = normalise_skill_text(label)
    shortened = strip_generic_suffix(full) if skill_type == SkillType.TECHNOLOGY else ""
    return full, shortened if shortened != full else ""


def trailing_acronym(label: str) -> str:
    """Return the normalised acronym that ends a label of three or more words, or ''.

    O*NET writes a technology's acronym after its name: 'Hypertext markup language HTML'
    gives 'html' and 'Computer aided software engineering CASE tools' gives ''.
    """
    words = label.split()
    if len(words) < 3 or not re.fullmatch(r"[A-Z][A-Z0-9+#]+", words[-1]):
        return ""
    return normalise_skill_text(words[-1])


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
                    SkillLevel(skill_id=match.skill_id, level=skill.level, source_label=name, mapping_rule=rule_text(match)),
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
