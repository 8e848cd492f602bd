"""Tests of the skill mapping rules added to the exact, fuzzy and embedding rules."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from advisor.domain import Credential, Framework, Occupation, RequiredSkill, Skill, SkillLevel, SkillType
from advisor.errors import InvalidInputError
from advisor.ingest.embedding import EmbeddingCache
from advisor.ingest.reverse_mapping import match_reverse, nearest_columns, required_skills
from advisor.ingest.skill_keys import fold_spelling, object_of, singular, variant_key
from advisor.ingest.skill_mapping import SkillMapper, SkillMatch, apply_mapping, is_acronym, rule_text, trailing_acronym
from advisor.ingest.skill_synonyms import read_synonyms
from tests.conftest import KNOWLEDGE_BASE_DIR


def taxonomy() -> list[Skill]:
    return [
        Skill(id="esco:skill:viz", label="data visualisation", framework=Framework.ESCO, skill_type=SkillType.KNOWLEDGE),
        Skill(id="esco:skill:ql", label="query languages", framework=Framework.ESCO, skill_type=SkillType.KNOWLEDGE),
        Skill(id="esco:skill:dm", label="data mining", framework=Framework.ESCO, skill_type=SkillType.KNOWLEDGE),
        Skill(id="esco:skill:pdm", label="perform data mining", framework=Framework.ESCO),
        Skill(id="esco:skill:udb", label="use databases", alt_labels=["use data bases"], framework=Framework.ESCO),
        Skill(id="esco:skill:tm", label="teach mathematics", framework=Framework.ESCO),
        Skill(id="esco:skill:uql", label="use query languages", framework=Framework.ESCO),
        Skill(id="esco:skill:fin", label="finances", framework=Framework.ESCO, skill_type=SkillType.KNOWLEDGE),
        Skill(
            id="onet:tech:html",
            label="Hypertext markup language HTML",
            framework=Framework.ONET,
            skill_type=SkillType.TECHNOLOGY,
            commodity_title="Web page creation and editing software",
        ),
    ]


def mapped_ids(name: str, **options) -> list[tuple[str, str]]:
    matches = SkillMapper(taxonomy(), **options).map_names([name])[name]
    return [(match.skill_id, match.rule) for match in matches]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("visualization", "visualisation"),
        ("analyze", "analyse"),
        ("organizing", "organising"),
        ("modeling", "modelling"),
        ("behavior", "behaviour"),
        ("center", "centre"),
        ("python", "python"),
    ],
)
def test_fold_spelling(word: str, expected: str) -> None:
    assert fold_spelling(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("databases", "database"),
        ("technologies", "technology"),
        ("processes", "process"),
        ("switches", "switch"),
        ("statistics", "statistics"),
        ("analysis", "analysis"),
        ("business", "business"),
        ("status", "status"),
        ("gas", "gas"),
    ],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_variant_key_folds_last_word_only() -> None:
    assert variant_key("data structures") == "data structure"
    assert variant_key("systems analysis") == "systems analysis"
    assert variant_key("data visualization") == "data visualisation"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("perform data mining", "data mining"),
        ("use databases", "databases"),
        ("carry out calculations", "calculations"),
        ("use the internet", "internet"),
        ("teach mathematics", ""),
        ("user interface", ""),
    ],
)
def test_object_of(label: str, expected: str) -> None:
    assert object_of(label) == expected


def test_trailing_acronym() -> None:
    assert trailing_acronym("Hypertext markup language HTML") == "html"
    assert trailing_acronym("Computer aided software engineering CASE tools") == ""
    assert trailing_acronym("Oracle SQL") == ""


def test_is_acronym() -> None:
    assert is_acronym("AI")
    assert is_acronym("IaaS")
    assert not is_acronym("Finance")
    assert not is_acronym("Programming Language")


def test_variant_rule_spelling() -> None:
    assert mapped_ids("Data Visualization") == [("esco:skill:viz", "variant")]


def test_variant_rule_plural() -> None:
    assert ("esco:skill:ql", "variant") in mapped_ids("Query Language")


def test_qualifier_not_a_name() -> None:
    assert mapped_ids("Stocks (Finance)") == []


def test_trailing_acronym_rule() -> None:
    assert mapped_ids("HTML") == [("onet:tech:html", "exact")]


def test_verb_object_rule() -> None:
    found = mapped_ids("Data Mining")
    assert ("esco:skill:dm", "exact") in found
    assert ("esco:skill:pdm", "verb_object") in found


def test_verb_object_plural_name() -> None:
    assert ("esco:skill:udb", "verb_object") in mapped_ids("Database")


def test_verb_object_skips_other_verbs() -> None:
    assert all(skill_id != "esco:skill:tm" for skill_id, _ in mapped_ids("Mathematics"))


def test_synonym_rule() -> None:
    found = mapped_ids("SQL", synonyms={"SQL": ["esco:skill:ql", "esco:skill:uql"]})
    assert found == [("esco:skill:ql", "synonym"), ("esco:skill:uql", "synonym")]


def test_synonym_unknown_id_dropped() -> None:
    assert mapped_ids("SQL", synonyms={"SQL": ["esco:skill:missing"]}) == []


def test_rule_text_keeps_score() -> None:
    assert rule_text(SkillMatch("esco:skill:a", "embedding", 0.873, "a")) == "embedding:0.873"
    assert rule_text(SkillMatch("esco:skill:a", "exact", 100.0, "a")) == "exact"


def test_apply_mapping_writes_rule_and_score() -> None:
    credential = Credential(id="c1", title="C", skills=[SkillLevel(skill_id="catalog:skill:sql", source_label="SQL")])
    apply_mapping([credential], {"SQL": [SkillMatch("esco:skill:ql", "reverse_embedding", 0.91, "query languages")]})
    assert [(skill.skill_id, skill.mapping_rule) for skill in credential.skills] == [("esco:skill:ql", "reverse_embedding:0.91")]


class TableEncoder:
    """Fake encoder that returns fixed vectors per text and counts the texts it encodes."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.encoded: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        rows = [np.array(self.vectors.get(text, [0.0, 0.0, 1.0]), dtype=np.float32) for text in texts]
        return np.stack([row / np.linalg.norm(row) for row in rows]) if rows else np.zeros((0, 3), dtype=np.float32)


def test_nearest_columns_limit_and_order() -> None:
    row = np.array([0.9, 0.5, 0.95, 0.85, 0.81])
    assert nearest_columns(row, 0.8, 3) == [2, 0, 3]


def test_reverse_rule_threshold() -> None:
    skills = {skill.id: skill for skill in taxonomy()}
    encoder = TableEncoder(
        {
            "SQL": [1.0, 0.0, 0.0],
            "Baking": [0.0, 1.0, 0.0],
            "use query languages": [1.0, 0.1, 0.0],
            "Hypertext markup language HTML": [0.0, 0.3, 1.0],
        }
    )
    found = match_reverse(["SQL", "Baking"], [skills["esco:skill:uql"], skills["onet:tech:html"]], encoder)
    assert [(match.skill_id, match.rule) for match in found["SQL"]] == [("esco:skill:uql", "reverse_embedding")]
    assert "Baking" not in found


def test_reverse_rule_keeps_nearest_names() -> None:
    skills = {skill.id: skill for skill in taxonomy()}
    names = ["SQL", "SQL basics", "Structured Query Language"]
    encoder = TableEncoder(
        {"use query languages": [1.0, 0.0, 0.0], "SQL": [1.0, 0.1, 0.0], "SQL basics": [1.0, 0.2, 0.0], "Structured Query Language": [1.0, 0.3, 0.0]}
    )
    found = match_reverse(names, [skills["esco:skill:uql"]], encoder, top_names=2)
    assert sorted(found) == ["SQL", "SQL basics"]


def test_required_skills_leave_out_onet_skills() -> None:
    skills = {skill.id: skill for skill in taxonomy()}
    skills["onet:skill:2.A.1.a"] = Skill(id="onet:skill:2.A.1.a", label="Reading Comprehension", framework=Framework.ONET)
    occupation = Occupation(
        id="onet:occupation:x",
        title="X",
        framework=Framework.ONET,
        required_skills=[RequiredSkill(skill_id="onet:skill:2.A.1.a"), RequiredSkill(skill_id="esco:skill:uql")],
    )
    assert [skill.id for skill in required_skills([occupation], skills)] == ["esco:skill:uql"]


def test_embedding_cache_encodes_once(tmp_path: Path) -> None:
    encoder = TableEncoder({"a": [1.0, 0.0, 0.0], "b": [0.0, 1.0, 0.0]})
    cache = EmbeddingCache(encoder, tmp_path, model_name="fake")
    first = cache(["a", "b", "a"])
    cache.save()

    reopened = EmbeddingCache(encoder, tmp_path, model_name="fake")
    second = reopened(["b", "a"])
    assert encoder.encoded == ["a", "b"]
    assert np.array_equal(second, first[[1, 0]])


def test_embedding_cache_unreadable_file(tmp_path: Path) -> None:
    encoder = TableEncoder({"a": [1.0, 0.0, 0.0]})
    EmbeddingCache(encoder, tmp_path, model_name="fake").path.write_bytes(b"not a zip")
    cache = EmbeddingCache(encoder, tmp_path, model_name="fake")
    assert cache(["a"]).shape == (1, 3)
    assert encoder.encoded == ["a"]


def test_read_synonyms_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.csv"
    path.write_text("source_label,skill_id\nSQL,esco:skill:ql\n", encoding="utf-8")
    with pytest.raises(InvalidInputError):
        read_synonyms(path)


def test_shipped_synonyms_match_taxonomy() -> None:
    labels = {}
    with (KNOWLEDGE_BASE_DIR / "skills.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            skill = json.loads(line)
            labels[skill["id"]] = skill["label"]
    with (KNOWLEDGE_BASE_DIR / "skill_synonyms.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert labels.get(row["skill_id"]) == row["skill_label"], row
        assert row["relation"], row
