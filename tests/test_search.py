"""Hybrid search: fusion, filters, the lexical index's freshness and the skill search port."""

from __future__ import annotations

import json

import pytest
from index_fakes import FakeEmbeddingFunction, credential, small_knowledge_base
from typer.testing import CliRunner

from advisor.cli import app
from advisor.domain import CredentialKind, KnowledgeBase
from advisor.engine.ports import SkillSearch
from advisor.errors import InvalidInputError
from advisor.index import (
    ChromaSkillSearch,
    CollectionKind,
    HybridSearch,
    IndexStore,
    index_knowledge_base,
)
from advisor.index.documents import credential_document
from advisor.index.lexical import LexicalIndex, lexical_index
from advisor.index.search import ChromaCredentialRelevance, reciprocal_rank_fusion

KEYWORDS = {"python": 0, "sql": 1, "databases": 1, "cloud": 2}


@pytest.fixture
def store() -> IndexStore:
    return IndexStore(embedding_function=FakeEmbeddingFunction(keywords=KEYWORDS))


def title_relevance_store() -> IndexStore:
    """Index two credentials whose title and document cosines to "data analyst" disagree."""
    analytics = credential("cred:gda", "Google Data Analytics")
    sheets = credential("cred:sheets", "Spreadsheet Tips")
    vectors = {
        "data analyst": [1.0, 0.0, 0.0, 0.0],
        "Google Data Analytics": [1.0, 0.0, 0.0, 0.0],
        credential_document(analytics, {}).text: [0.5, 0.0, 0.0, 0.75**0.5],
        "Spreadsheet Tips": [0.6, 0.8, 0.0, 0.0],
        credential_document(sheets, {}).text: [0.7, 0.0, 0.51**0.5, 0.0],
    }
    store = IndexStore(embedding_function=FakeEmbeddingFunction(vectors=vectors, dimension=4))
    index_knowledge_base(KnowledgeBase.from_items([analytics, sheets]), store)
    return store


def test_relevance_weights_title() -> None:
    relevance = ChromaCredentialRelevance(title_weight=0.7, store=title_relevance_store())

    scores = relevance.relevance("data analyst", ["cred:gda", "cred:sheets", "cred:unknown"])

    assert set(scores) == {"cred:gda", "cred:sheets"}
    assert scores["cred:gda"] == pytest.approx(0.7 * 1.0 + 0.3 * 0.5, abs=1e-5)
    assert scores["cred:sheets"] == pytest.approx(0.7 * 0.6 + 0.3 * 0.7, abs=1e-5)
    assert scores["cred:gda"] > scores["cred:sheets"]


def test_relevance_without_title_vector() -> None:
    store = title_relevance_store()
    store.collection(CollectionKind.CREDENTIAL_TITLES).delete(ids=["cred:sheets"])
    relevance = ChromaCredentialRelevance(store)

    scores = relevance.relevance("data analyst", ["cred:sheets"])

    assert scores["cred:sheets"] == pytest.approx(0.7, abs=1e-5)


def test_relevance_empty_goal() -> None:
    relevance = ChromaCredentialRelevance(title_relevance_store())

    assert relevance.relevance("  ", ["cred:gda"]) == {}


def test_rrf_orders_by_summed_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60)

    assert [item_id for item_id, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_hybrid_finds_exact_title() -> None:
    # Dense geometry points the query at ten cloud courses and away from the title match.
    cloud = [credential(f"cred:cloud{i}", f"Cloud course {i}") for i in range(10)]
    target = credential("cred:k8s", "Kubernetes Fundamentals")
    vectors = {credential_document(c, {}).text: [1.0, 0.1 * i, 0, 0] for i, c in enumerate(cloud)}
    vectors[credential_document(target, {}).text] = [0.0, 0.0, 0.0, 1.0]
    vectors["Kubernetes Fundamentals"] = [1.0, 0.0, 0.0, 0.0]
    store = IndexStore(embedding_function=FakeEmbeddingFunction(vectors=vectors, dimension=4))
    index_knowledge_base(KnowledgeBase.from_items([*cloud, target]), store)
    search = HybridSearch(store)

    dense_ids = [
        item_id
        for item_id, _ in search.dense(CollectionKind.CREDENTIALS, "Kubernetes Fundamentals", 20)
    ]
    hits = search.search("Kubernetes Fundamentals", limit=5)

    assert dense_ids.index("cred:k8s") == 10
    assert hits[0].id == "cred:k8s"
    assert hits[0].dense_rank == 11
    assert hits[0].lexical_rank == 1


def test_hybrid_hit_fields(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)

    hit = HybridSearch(store).search("python basics", limit=1)[0]

    assert hit.id == "cred:py"
    assert hit.dense_rank == 1
    assert hit.lexical_rank == 1
    assert hit.score == pytest.approx(2 / 61)
    assert hit.metadata["level"] == "beginner"
    assert "content_hash" not in hit.metadata


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": CredentialKind.BADGE}, {"cred:sql"}),
        ({"level": "advanced"}, {"cred:cloud"}),
        ({"level": ["beginner", "advanced"]}, {"cred:py", "cred:cloud"}),
        ({"language": "fr"}, set()),
        ({"modality": "online", "kind": "course"}, {"cred:py", "cred:cloud"}),
    ],
)
def test_hybrid_filters(store: IndexStore, filters: dict, expected: set[str]) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    search = HybridSearch(store)

    hits = search.search("python sql cloud databases foundations basics", limit=10, filters=filters)
    lexical = search.lexical(CollectionKind.CREDENTIALS, "python sql cloud", 10, filters)

    assert {hit.id for hit in hits} == expected
    assert {item_id for item_id, _ in lexical} <= expected


def test_unknown_filter_rejected(store: IndexStore) -> None:
    with pytest.raises(InvalidInputError, match="Unknown filter field 'colour'"):
        HybridSearch(store).search("python", filters={"colour": "red"})


@pytest.mark.parametrize(("query", "limit"), [("", 5), ("   ", 5), ("python", 0)])
def test_bad_query_rejected(store: IndexStore, query: str, limit: int) -> None:
    with pytest.raises(InvalidInputError):
        HybridSearch(store).search(query, limit=limit)


def test_occupations_not_hybrid(store: IndexStore) -> None:
    with pytest.raises(InvalidInputError, match="credentials, skills"):
        HybridSearch(store).search("analyst", collection="occupations")


def test_skills_collection_search(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)

    hits = HybridSearch(store).search("python programming", collection="skills", limit=2)

    assert hits[0].id == "skill:python"


def test_lexical_sees_other_store_sync(store: IndexStore) -> None:
    knowledge_base = small_knowledge_base()
    index_knowledge_base(knowledge_base, store)
    reader = HybridSearch(IndexStore(embedding_function=store.embedding_function))
    assert reader.lexical(CollectionKind.CREDENTIALS, "kotlin", 5) == []

    knowledge_base.credentials["cred:kt"] = credential("cred:kt", "Kotlin for Android")
    index_knowledge_base(knowledge_base, store)

    assert reader.lexical(CollectionKind.CREDENTIALS, "kotlin", 5)[0][0] == "cred:kt"


def test_lexical_index_persisted(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    directory = store.lexical_dir / store.collection_name(CollectionKind.CREDENTIALS)

    loaded = LexicalIndex.load(directory)

    assert loaded is not None
    assert loaded[0] == store.revision(CollectionKind.CREDENTIALS)
    assert loaded[1].search("databases", 3)[0][0] == "cred:sql"


def test_record_items_no_lexical(store: IndexStore) -> None:
    with pytest.raises(InvalidInputError, match="search_record_items"):
        lexical_index(store, CollectionKind.RECORD_ITEMS)


def test_lexical_keeps_short_tokens() -> None:
    index = LexicalIndex.build(["c", "go"], ["Programming in C", "Programming in Go"], [{}, {}])

    assert [item_id for item_id, _ in index.search("C", 2)] == ["c"]


def test_skill_search_port(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    port: SkillSearch = ChromaSkillSearch(store)

    nearest = port.nearest_skills("sql databases", limit=2)

    assert nearest[0] == ("skill:sql", pytest.approx(1.0))
    assert nearest[1][1] == pytest.approx(0.0)


def test_skill_search_empty_text(store: IndexStore) -> None:
    assert ChromaSkillSearch(store).nearest_skills("  ") == []


def test_cli_search_json() -> None:
    index_knowledge_base(small_knowledge_base(), IndexStore())

    result = CliRunner().invoke(app, ["search", "SQL databases", "--limit", "2", "--json"])
    hits = json.loads(result.output)

    assert result.exit_code == 0
    assert hits[0]["id"] == "cred:sql"
    assert set(hits[0]) >= {"id", "score", "dense_rank", "lexical_rank"}


def test_cli_search_bad_collection() -> None:
    result = CliRunner().invoke(app, ["search", "python", "--collection", "nope"])

    assert result.exit_code == 1
    assert "Use one of: credentials, skills." in result.output
