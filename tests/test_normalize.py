"""Skill normalisation onto a small taxonomy."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.domain import KnowledgeBase, Skill
from advisor.engine.normalize import clean, get_normalizer, normalize_skill, normalize_skills

SKILLS = [
    Skill(id="py", label="Python (computer programming)", alt_labels=["Python"], framework="esco"),
    Skill(id="js", label="JavaScript", framework="esco"),
    Skill(id="ml", label="machine learning", framework="esco"),
    Skill(id="k8s", label="Kubernetes", skill_type="technology", framework="onet"),
    Skill(id="cpp", label="C++", framework="esco"),
    Skill(id="ai", label="artificial intelligence", alt_labels=["AI principles"], framework="esco"),
    Skill(id="sql", label="SQL", framework="esco"),
]


class FixedSearch:
    """A skills index stand-in that returns one fixed neighbour for every text."""

    def __init__(self, skill_id: str, score: float) -> None:
        self.result = [(skill_id, score)]

    def nearest_skills(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        return self.result[:limit]


@pytest.fixture
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_items(skills=SKILLS)


@pytest.mark.parametrize(
    ("text", "skill_id", "method"),
    [
        ("Python", "py", "exact"),
        ("python (programming language)", "py", "exact"),
        ("Excel sheets", None, "unmatched"),
        ("  JAVASCRIPT!! ", "js", "exact"),
        ("JS", "js", "abbreviation"),
        ("ML", "ml", "abbreviation"),
        ("AI", "ai", "abbreviation"),
        ("k8s", "k8s", "abbreviation"),
        ("C++", "cpp", "exact"),
        ("pyton", "py", "fuzzy"),
        ("machien learning", "ml", "fuzzy"),
        ("Machine-Learning", "ml", "exact"),
    ],
)
def test_normalize_matches(kb: KnowledgeBase, text: str, skill_id: str, method: str) -> None:
    match = normalize_skill(kb, text)
    assert match.skill_id == skill_id
    assert match.method == method


def test_unmatched_kept(kb: KnowledgeBase) -> None:
    match = normalize_skill(kb, "underwater basket weaving")
    assert match.skill_id is None
    assert match.method == "unmatched"
    assert match.text == "underwater basket weaving"


def test_short_text_not_fuzzed(kb: KnowledgeBase) -> None:
    assert normalize_skill(kb, "SQK").skill_id is None


def test_semantic_above_threshold(kb: KnowledgeBase) -> None:
    match = normalize_skill(kb, "teaching computers from data", FixedSearch("ml", 0.82))
    assert match.skill_id == "ml"
    assert match.method == "semantic"


def test_semantic_below_threshold(kb: KnowledgeBase) -> None:
    match = normalize_skill(kb, "gardening", FixedSearch("ml", 0.41))
    assert match.skill_id is None


def test_semantic_unknown_id(kb: KnowledgeBase) -> None:
    assert normalize_skill(kb, "gardening", FixedSearch("missing", 0.95)).skill_id is None


def test_order_kept(kb: KnowledgeBase) -> None:
    matches = normalize_skills(kb, ["sql", "nothing like it", "js"])
    assert [item.skill_id for item in matches] == ["sql", None, "js"]


def test_tables_cached(kb: KnowledgeBase) -> None:
    assert get_normalizer(kb) is get_normalizer(kb)


def test_cache_rebuilt_on_growth(kb: KnowledgeBase) -> None:
    first = get_normalizer(kb)
    kb.skills["go"] = Skill(id="go", label="Go", framework="esco")
    assert get_normalizer(kb) is not first
    assert normalize_skill(kb, "go").skill_id == "go"


def reference_clean(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return re.sub(r"[^\w+#]+", " ", folded).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_clean_ascii_matches_unicode_path(text: str) -> None:
    assert clean(text) == reference_clean(text)


@pytest.mark.parametrize("text", ["C++ & C#", "Python (computer programming)", "data_science\tR", "Ärzte-Software", "ＳＱＬ"])
def test_clean_examples_match_reference(text: str) -> None:
    assert clean(text) == reference_clean(text)


def test_skill_outranks_field_of_education() -> None:
    kb = KnowledgeBase.from_items(
        [],
        [
            Skill(id="esco:isced-f:0542", label="statistics", framework="esco"),
            Skill(id="esco:skill:7ee4", label="statistics", alt_labels=["use of statistics"], framework="esco"),
        ],
        [],
    )

    assert normalize_skill(kb, "statistics").skill_id == "esco:skill:7ee4"
    assert normalize_skill(kb, "Statistics").skill_id == "esco:skill:7ee4"
    assert normalize_skill(kb, "statistcs").skill_id == "esco:skill:7ee4"


def test_skill_alt_label_outranks_group_label() -> None:
    kb = KnowledgeBase.from_items(
        [],
        [
            Skill(id="esco:isced-f:0542", label="statistics", framework="esco"),
            Skill(id="esco:skill:7ee4", label="use of statistics", alt_labels=["statistics"], framework="esco"),
        ],
        [],
    )

    match = normalize_skill(kb, "statistics")

    assert match.skill_id == "esco:skill:7ee4"
    assert match.method == "alt_label"


def test_group_matched_without_skill() -> None:
    kb = KnowledgeBase.from_items([], [Skill(id="esco:isced-f:0542", label="statistics", framework="esco")], [])

    assert normalize_skill(kb, "statistics").skill_id == "esco:isced-f:0542"


def test_swapped_letters_matched() -> None:
    kb = KnowledgeBase.from_items(
        [], [Skill(id="python", label="Python", framework="esco"), Skill(id="pytorch", label="PyTorch", framework="esco")], []
    )

    match = normalize_skill(kb, "pyhton")

    assert match.skill_id == "python"
    assert match.method == "fuzzy"


def test_substitution_not_taken_as_swap() -> None:
    kb = KnowledgeBase.from_items([], [Skill(id="boats", label="boats", framework="esco")], [])

    assert normalize_skill(kb, "boots").method == "unmatched"
