"""Which catalog credentials teach a gap skill named by label, synonyms or ids.

Labels are compared after folding case, dropping parenthetical qualifiers and punctuation, so
"Data Visualization (DataViz)" matches "data visualization". A credential teaches a skill when
one of its skills has a listed id, or its taxonomy label or its source label matches a name.
Levels are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from advisor.domain import Credential, KnowledgeBase
from advisor.engine.kb_cache import cached

PARENTHETICAL = re.compile(r"\([^)]*\)")
NON_WORD = re.compile(r"[^\w+#]+")


def normalize_label(text: str) -> str:
    """Return a label folded for comparison."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = PARENTHETICAL.sub(" ", text)
    return " ".join(NON_WORD.sub(" ", text).split())


def credential_labels(kb: KnowledgeBase, credential: Credential) -> tuple[set[str], set[str]]:
    """Return the skill ids of a credential and the folded labels of those skills."""
    ids: set[str] = set()
    labels: set[str] = set()
    for taught in credential.skills:
        ids.add(taught.skill_id)
        skill = kb.skills.get(taught.skill_id)
        if skill is not None:
            labels.add(normalize_label(skill.label))
        if taught.source_label:
            labels.add(normalize_label(taught.source_label))
    return ids, labels


def build_label_table(kb: KnowledgeBase) -> dict[str, tuple[set[str], set[str]]]:
    """Return credential id -> (skill ids, folded labels) for the whole catalog."""
    return {credential_id: credential_labels(kb, credential) for credential_id, credential in kb.credentials.items()}


def label_table(kb: KnowledgeBase) -> dict[str, tuple[set[str], set[str]]]:
    """Return the label table of a knowledge base, built once."""
    return cached(kb, "evals.label_table", build_label_table)


class GapSkillRefLike(Protocol):
    """A gap skill: ``names`` (label first) and taxonomy ``ids``."""

    @property
    def names(self) -> list[str]: ...

    ids: list[str]


def teaches(kb: KnowledgeBase, credential_id: str, skill: GapSkillRefLike) -> bool:
    """Return True when the credential teaches the gap skill."""
    entry = label_table(kb).get(credential_id)
    if entry is None:
        return False
    ids, labels = entry
    names = {normalize_label(name) for name in skill.names}
    return bool(ids & set(skill.ids)) or bool(labels & names)


def teaching_credentials(kb: KnowledgeBase, skill: GapSkillRefLike) -> list[str]:
    """Return the ids of every catalog credential that teaches the gap skill, sorted."""
    return sorted(item for item in kb.credentials if teaches(kb, item, skill))


def covered_skills(kb: KnowledgeBase, credential_ids: Iterable[str], skills: list[GapSkillRefLike]) -> list[str]:
    """Return the labels of the skills that at least one of the credentials teaches."""
    chosen = list(dict.fromkeys(credential_ids))
    return [skill.label for skill in skills if any(teaches(kb, item, skill) for item in chosen)]
