"""Skill normalisation: free skill text from records, postings and questions onto taxonomy skills.

The steps, in order, stop at the first that matches:

1. exact match of the cleaned text against preferred labels, then alternative labels;
   cleaning folds case and Unicode, turns punctuation into spaces (keeping ``+`` and ``#``, so
   "C++" and "C#" survive) and collapses spaces;
2. the same with parenthetical qualifiers removed, on both sides ("Python (computer programming)"
   matches "python");
3. the abbreviation table ``ABBREVIATIONS`` ("JS", "ML", "k8s" ...), whose expansion is matched
   exactly;
4. a misspelling match with rapidfuzz's normalised Indel ratio at or above
   ``FUZZY_THRESHOLD`` over every label, for texts of at least ``FUZZY_MIN_LENGTH`` characters,
   then a label that differs from the text by one swap of adjacent characters ("pyhton" for
   "python"), which the Indel ratio counts as two edits and scores below the threshold;
5. ``SkillSearch.nearest_skills`` (the skills index) at or above ``SEMANTIC_THRESHOLD``.

Within each step a skill wins over a group concept with the same label: an ESCO field of
education (``esco:isced-f:...``) or skill group (``esco:skillgroup:...``, ``...:group:...``) is
matched only when no skill has the label, because records, postings and goals name skills, and
the occupations' required skills are never groups.

Text that passes none of them comes back unmatched, with the text, and is never forced onto
the nearest skill. Lookup tables are built once per KnowledgeBase and cached.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from advisor.domain import KnowledgeBase, SkillMatch
from advisor.engine.kb_cache import cached
from advisor.engine.ports import SkillSearch

logger = logging.getLogger(__name__)

FUZZY_THRESHOLD = 88.0
FUZZY_MIN_LENGTH = 5
SEMANTIC_THRESHOLD = 0.75
# An unmatched text gets the closest label as a "did you mean" suggestion at or above this Indel
# ratio. It is below FUZZY_THRESHOLD because a suggestion is shown to the learner, never applied.
SUGGESTION_THRESHOLD = 70.0

# Common abbreviations in skill lists and postings, expanded before an exact match. Only
# abbreviations with one usual meaning in job and course text are listed ("CV" is not).
ABBREVIATIONS: dict[str, str] = {
    "js": "javascript",
    "ts": "typescript",
    "py": "python",
    "ml": "machine learning",
    "dl": "deep learning",
    "ai": "artificial intelligence",
    "nlp": "natural language processing",
    "k8s": "kubernetes",
    "aws": "amazon web services",
    "gcp": "google cloud platform",
    "oop": "object oriented programming",
    "ui": "user interface design",
    "ux": "user experience",
    "ci cd": "continuous integration",
    "bi": "business intelligence",
    "seo": "search engine optimisation",
    "sem": "search engine marketing",
    "pm": "project management",
    "qa": "quality assurance",
    "hr": "human resource management",
    "crm": "customer relationship management",
    "erp": "enterprise resource planning",
    "db": "database",
    "dbms": "database management systems",
    "os": "operating systems",
    "ds": "data science",
    "etl": "extract transform load",
}

_PARENTHESIS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_NON_WORD = re.compile(r"[^\w+#]+")
# For ASCII text: every byte other than a lower-case letter, a digit, "+" or "#" becomes a space,
# which is what the regular expression path does for ASCII.
_ASCII_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789+#"
_ASCII_TO_SPACE = bytes(code if code in _ASCII_KEEP else ord(" ") for code in range(256))


def clean(text: str) -> str:
    """Return text folded for lookup: Unicode NFKC, case-folded, punctuation as single spaces."""
    if text.isascii():
        # NFKC and casefold change nothing in ASCII but upper case, and this path is about
        # twice as fast, which matters for the 200,000 labels of the shipped lookup tables.
        return " ".join(text.lower().encode("ascii").translate(_ASCII_TO_SPACE).decode("ascii").split())
    folded = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return _NON_WORD.sub(" ", folded).strip()


def strip_qualifiers(text: str) -> str:
    """Return text without parenthetical or bracketed qualifiers."""
    return _PARENTHESIS.sub(" ", text)


GROUP_ID_MARKERS = ("esco:isced-f:", "esco:skillgroup:", ":group:")


def is_group_concept(skill_id: str) -> bool:
    """Return True for a field of education or skill group id, which a skill outranks in matching."""
    return any(marker in skill_id for marker in GROUP_ID_MARKERS)


@dataclass
class SkillNormalizer:
    """Lookup tables over one knowledge base's skills, built once."""

    kb: KnowledgeBase
    preferred: dict[str, list[str]] = field(default_factory=dict)
    alternative: dict[str, list[str]] = field(default_factory=dict)
    fuzzy_keys: list[str] = field(default_factory=list)
    fuzzy_ids: list[str] = field(default_factory=list)
    by_uri: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Groups are added last, so a skill with the same label comes first in every table.
        for skill in sorted(self.kb.skills.values(), key=lambda item: (is_group_concept(item.id), item.id)):
            if skill.framework_uri:
                self.by_uri.setdefault(skill.framework_uri, skill.id)
            self._add(self.preferred, skill.label, skill.id)
            for label in skill.alt_labels:
                self._add(self.alternative, label, skill.id)

        seen: dict[str, str] = {}
        for table in (self.preferred, self.alternative):
            for key, ids in table.items():
                seen.setdefault(key, ids[0])
        self.fuzzy_keys = list(seen)
        self.fuzzy_ids = [seen[key] for key in self.fuzzy_keys]
        logger.debug("built skill lookup over %d labels", len(self.fuzzy_keys))

    @staticmethod
    def _add(table: dict[str, list[str]], label: str, skill_id: str) -> None:
        keys = [clean(label)]
        if "(" in label or "[" in label:
            keys.append(clean(strip_qualifiers(label)))
        for key in keys:
            if key and skill_id not in table.setdefault(key, []):
                table[key].append(skill_id)

    def lookup(self, key: str) -> tuple[str, str] | None:
        """Return (skill id, method) for an exact match of a cleaned key, or None."""
        found = [
            (ids[0], method)
            for table, method in ((self.preferred, "exact"), (self.alternative, "alt_label"))
            if (ids := table.get(key))
        ]
        for skill_id, method in found:
            if not is_group_concept(skill_id):
                return skill_id, method
        return found[0] if found else None

    def match_exact(self, text: str) -> tuple[str, str] | None:
        """Return (skill id, method) from labels, qualifiers removed, or abbreviations."""
        for key in (clean(text), clean(strip_qualifiers(text))):
            if not key:
                continue
            found = self.lookup(key)
            if found:
                return found
            expansion = ABBREVIATIONS.get(key)
            if expansion:
                expanded = self.lookup(clean(expansion))
                if expanded:
                    return expanded[0], "abbreviation"
        return None

    def match_fuzzy(self, text: str) -> tuple[str, float] | None:
        """Return (skill id, score in [0, 1]) of the closest label above the threshold, or None."""
        key = clean(strip_qualifiers(text))
        key = clean(ABBREVIATIONS.get(key, key))
        if len(key) < FUZZY_MIN_LENGTH or not self.fuzzy_keys:
            return None
        best = process.extractOne(
            key, self.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD
        )
        if best is not None:
            return self.fuzzy_ids[best[2]], best[1] / 100.0
        return self._match_transposition(key)

    def _match_transposition(self, key: str) -> tuple[str, float] | None:
        """Return (skill id, Indel ratio in [0, 1]) of a label one adjacent swap away, or None."""
        nearby = process.extract(key, self.fuzzy_keys, scorer=OSA.distance, score_cutoff=1, limit=10)
        for label, _distance, position in nearby:
            # One OSA edit between texts of the same letters is a swap, never a substitution.
            if label != key and sorted(label) == sorted(key):
                return self.fuzzy_ids[position], fuzz.ratio(key, label) / 100.0
        return None

    def suggest(self, text: str) -> str | None:
        """Return the skill id of the closest label at or above ``SUGGESTION_THRESHOLD``, or None."""
        key = clean(strip_qualifiers(text))
        if len(key) < FUZZY_MIN_LENGTH or not self.fuzzy_keys:
            return None
        best = process.extractOne(
            key, self.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=SUGGESTION_THRESHOLD
        )
        return self.fuzzy_ids[best[2]] if best is not None else None

    def normalize(self, text: str, skill_search: SkillSearch | None = None) -> SkillMatch:
        """Map one skill text onto a taxonomy skill, or return it as unmatched."""
        exact = self.match_exact(text)
        if exact:
            return self._match(text, exact[0], exact[1], 1.0)

        fuzzy = self.match_fuzzy(text)
        if fuzzy:
            return self._match(text, fuzzy[0], "fuzzy", fuzzy[1])

        semantic = self._match_semantic(text, skill_search)
        if semantic:
            return self._match(text, semantic[0], "semantic", semantic[1])

        return SkillMatch(text=text, method="unmatched", score=0.0)

    def _match_semantic(self, text: str, skill_search: SkillSearch | None) -> tuple[str, float] | None:
        if skill_search is None or not text.strip():
            return None
        for skill_id, score in skill_search.nearest_skills(text, 1):
            if score >= SEMANTIC_THRESHOLD and skill_id in self.kb.skills:
                return skill_id, float(min(score, 1.0))
        return None

    def _match(self, text: str, skill_id: str, method: str, score: float) -> SkillMatch:
        return SkillMatch(
            text=text,
            skill_id=skill_id,
            label=self.kb.skills[skill_id].label,
            method=method,
            score=score,
        )


def get_normalizer(kb: KnowledgeBase) -> SkillNormalizer:
    """Return the cached normaliser of a knowledge base (see ``kb_cache.cached``)."""
    return cached(kb, "normalizer", SkillNormalizer)


def normalize_skill(
    kb: KnowledgeBase, text: str, skill_search: SkillSearch | None = None
) -> SkillMatch:
    """Map one skill text onto a taxonomy skill of ``kb``, or return it as unmatched."""
    return get_normalizer(kb).normalize(text, skill_search)


def normalize_skills(
    kb: KnowledgeBase, texts: list[str], skill_search: SkillSearch | None = None
) -> list[SkillMatch]:
    """Map each skill text onto a taxonomy skill, keeping the input order."""
    normalizer = get_normalizer(kb)
    return [normalizer.normalize(text, skill_search) for text in texts]
