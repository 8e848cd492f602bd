"""Incremental indexing: hashes, updates, removals, model checks and learner records."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_fakes import FakeEmbeddingFunction, credential, small_knowledge_base

from typer.testing import CliRunner

from advisor.cli import app
from advisor.config import get_settings
from advisor.domain import (
    KnowledgeBase,
    LearnerRecord,
    Project,
    SelfReportedSkill,
    WorkExperience,
)
from advisor.errors import IndexMismatchError, InvalidInputError
from advisor.index import (
    ChromaSkillSearch,
    CollectionKind,
    HybridSearch,
    IndexStore,
    MiniLMOnnxEmbeddingFunction,
    delete_learner,
    index_knowledge_base,
    index_record,
    search_record_items,
    sync_collection,
)
from advisor.index.documents import IndexDocument
from advisor.ingest.knowledge_base import write_jsonl

KEYWORDS = {"python": 0, "sql": 1, "databases": 1, "cloud": 2, "rust": 3, "excel": 4}


@pytest.fixture
def fake() -> FakeEmbeddingFunction:
    return FakeEmbeddingFunction(keywords=KEYWORDS)


@pytest.fixture
def store(fake: FakeEmbeddingFunction) -> IndexStore:
    return IndexStore(embedding_function=fake)


def counts(store: IndexStore) -> dict[str, int]:
    return {kind.value: store.collection(kind).count() for kind in CollectionKind}


def test_reindex_unchanged_embeds_nothing(store: IndexStore, fake: FakeEmbeddingFunction) -> None:
    knowledge_base = small_knowledge_base()
    first = index_knowledge_base(knowledge_base, store)
    before = counts(store)
    fake.calls.clear()

    second = index_knowledge_base(knowledge_base, store)

    assert [s.added for s in first] == [3, 3, 3, 1]
    assert counts(store) == before
    assert fake.calls == []
    assert [s.unchanged for s in second] == [3, 3, 3, 1]
    assert not any(s.changed for s in second)


def test_reindex_new_store_same_directory(store: IndexStore, fake: FakeEmbeddingFunction) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    fake.calls.clear()

    reopened = IndexStore(embedding_function=fake)
    summaries = index_knowledge_base(small_knowledge_base(), reopened)

    assert fake.calls == []
    assert sum(s.unchanged for s in summaries) == 10


def test_edited_credential_searchable(store: IndexStore) -> None:
    knowledge_base = small_knowledge_base()
    index_knowledge_base(knowledge_base, store)
    knowledge_base.credentials["cred:py"] = credential("cred:py", "Rust for Pythonistas")

    summary = index_knowledge_base(knowledge_base, store)[0]
    hits = HybridSearch(store).search("rust", limit=1)

    assert summary.updated == 1
    assert summary.unchanged == 2
    assert hits[0].id == "cred:py"
    assert hits[0].text.startswith("Rust for Pythonistas")
    assert hits[0].lexical_rank == 1


def test_metadata_change_skips_embedding(store: IndexStore, fake: FakeEmbeddingFunction) -> None:
    documents = [IndexDocument("a", "python", {"provider": "old"})]
    sync_collection(store, CollectionKind.CREDENTIALS, documents)
    fake.calls.clear()

    changed = [IndexDocument("a", "python", {"provider": "new"})]
    summary = sync_collection(store, CollectionKind.CREDENTIALS, changed)
    stored = store.collection(CollectionKind.CREDENTIALS).get(ids=["a"])

    assert summary.updated == 1
    assert fake.calls == []
    assert stored["metadatas"][0]["provider"] == "new"


def test_removed_credential_disappears(store: IndexStore) -> None:
    knowledge_base = small_knowledge_base()
    index_knowledge_base(knowledge_base, store)
    search = HybridSearch(store)
    assert search.search("cloud foundations", limit=3)[0].id == "cred:cloud"

    del knowledge_base.credentials["cred:cloud"]
    summary = index_knowledge_base(knowledge_base, store)[0]
    dense_ids = [item_id for item_id, _ in search.dense(CollectionKind.CREDENTIALS, "cloud", 10)]
    lexical_ids = [
        item_id for item_id, _ in search.lexical(CollectionKind.CREDENTIALS, "cloud", 10)
    ]
    fused_ids = [hit.id for hit in search.search("cloud foundations", limit=10)]

    assert summary.removed == 1
    assert "cred:cloud" not in dense_ids
    assert "cred:cloud" not in lexical_ids
    assert "cred:cloud" not in fused_ids


def test_empty_and_repeated_texts(store: IndexStore, fake: FakeEmbeddingFunction) -> None:
    documents = [
        IndexDocument("empty", "   "),
        IndexDocument("first", "python basics"),
        IndexDocument("twin", "python basics"),
    ]

    summary = sync_collection(store, CollectionKind.CREDENTIALS, documents)

    assert summary.rejected == ["empty"]
    assert summary.added == 2
    assert fake.calls == ["python basics"]
    assert store.collection(CollectionKind.CREDENTIALS).count() == 2


def test_text_emptied_later_removed(store: IndexStore) -> None:
    sync_collection(store, CollectionKind.CREDENTIALS, [IndexDocument("a", "python")])

    summary = sync_collection(store, CollectionKind.CREDENTIALS, [IndexDocument("a", "")])

    assert summary.rejected == ["a"]
    assert summary.removed == 1
    assert store.collection(CollectionKind.CREDENTIALS).count() == 0


def test_model_mismatch_message(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    other = IndexStore(
        embedding_function=FakeEmbeddingFunction(model="fake-other-v2", dimension=16)
    )

    with pytest.raises(IndexMismatchError) as caught:
        other.collection(CollectionKind.CREDENTIALS)

    message = str(caught.value)
    assert "fake/fake-keywords-v1 (8 dimensions)" in message
    assert "fake/fake-other-v2 (16 dimensions)" in message
    assert "advisor index --rebuild" in message


def test_model_mismatch_minilm(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    real = IndexStore(embedding_function=MiniLMOnnxEmbeddingFunction())

    with pytest.raises(IndexMismatchError, match="minilm-onnx/all-MiniLM-L6-v2-onnx-int8"):
        HybridSearch(real).search("python")


def test_rebuild_after_model_change(store: IndexStore) -> None:
    index_knowledge_base(small_knowledge_base(), store)
    index_record(
        LearnerRecord(learner_id="ada", projects=[Project(id="p", title="Rust CLI")]), store
    )
    other_model = FakeEmbeddingFunction(keywords=KEYWORDS, model="fake-other-v2")
    other = IndexStore(embedding_function=other_model)

    summaries = index_knowledge_base(small_knowledge_base(), other, rebuild=True)

    assert [s.added for s in summaries] == [3, 3, 3, 1]
    assert other.collection(CollectionKind.RECORD_ITEMS).count() == 0
    assert (
        other.collection(CollectionKind.CREDENTIALS).metadata["embedding_model"] == "fake-other-v2"
    )


def test_collection_prefix_applied(
    monkeypatch: pytest.MonkeyPatch, fake: FakeEmbeddingFunction
) -> None:
    monkeypatch.setenv("ADVISOR_COLLECTION_PREFIX", "tenant7")
    get_settings.cache_clear()

    store = IndexStore(embedding_function=fake)

    assert store.collection(CollectionKind.SKILLS).name == "tenant7_skills"


def record(learner_id: str, project_title: str) -> LearnerRecord:
    return LearnerRecord(
        learner_id=learner_id,
        projects=[Project(id="p1", title=project_title, skills=["SQL"])],
        work_experience=[WorkExperience(id="w1", title="Analyst", organization="Acme")],
        self_reported_skills=[SelfReportedSkill(id="s1", name="Excel")],
    )


def test_record_never_crosses_learners(store: IndexStore) -> None:
    index_record(record("ada", "Python dashboard"), store)
    index_record(record("bob", "Python scraper"), store)

    ada_hits = search_record_items("ada", "python", limit=10, store=store)
    bob_hits = search_record_items("bob", "python", limit=10, store=store)
    nobody_hits = search_record_items("carol", "python", limit=10, store=store)

    assert {hit.title for hit in ada_hits} == {"Python dashboard", "Analyst", "Excel"}
    assert "Python dashboard" not in {hit.title for hit in bob_hits}
    assert nobody_hits == []


def test_record_reindex_leaves_others(store: IndexStore, fake: FakeEmbeddingFunction) -> None:
    index_record(record("ada", "Python dashboard"), store)
    index_record(record("bob", "Python scraper"), store)
    fake.calls.clear()

    changed = LearnerRecord(learner_id="ada", projects=[Project(id="p2", title="Rust service")])
    summary = index_record(changed, store)
    bob_hits = search_record_items("bob", "python", limit=10, store=store)

    assert (summary.added, summary.removed, summary.unchanged) == (1, 3, 0)
    assert fake.calls == ["Rust service", "python"]
    assert len(bob_hits) == 3


def test_record_same_item_ids(store: IndexStore) -> None:
    index_record(record("ada", "Python dashboard"), store)
    index_record(record("bob", "Python scraper"), store)

    assert store.collection(CollectionKind.RECORD_ITEMS).count() == 6


def test_delete_learner(store: IndexStore) -> None:
    index_record(record("ada", "Python dashboard"), store)
    index_record(record("bob", "Python scraper"), store)

    deleted = delete_learner("ada", store)

    assert deleted == 3
    assert search_record_items("ada", "python", limit=5, store=store) == []
    assert len(search_record_items("bob", "python", limit=5, store=store)) == 3


@pytest.mark.parametrize("learner_id", ["", "   "])
def test_record_search_requires_learner(store: IndexStore, learner_id: str) -> None:
    with pytest.raises(InvalidInputError, match="learner id is required"):
        search_record_items(learner_id, "python", store=store)


def test_minilm_index_and_skill_search() -> None:
    store = IndexStore()
    index_knowledge_base(small_knowledge_base(), store)

    nearest = ChromaSkillSearch(store).nearest_skills("writing Python code", limit=3)

    assert nearest[0][0] == "skill:python"
    assert all(0.0 <= similarity <= 1.0 for _, similarity in nearest)
    assert nearest[0][1] > nearest[1][1]


def test_minilm_record_search() -> None:
    store = IndexStore()
    index_record(record("ada", "Sales dashboard"), store)

    hits = search_record_items("ada", "spreadsheets", limit=1, store=store)

    assert hits[0].title == "Excel"


def test_empty_knowledge_base(store: IndexStore) -> None:
    summaries = index_knowledge_base(KnowledgeBase(), store)

    assert [s.added for s in summaries] == [0, 0, 0, 0]
    assert HybridSearch(store).search("python") == []


def write_knowledge_base(directory: Path, knowledge_base: KnowledgeBase) -> Path:
    directory.mkdir(parents=True)
    write_jsonl(directory / "credentials.jsonl", knowledge_base.credentials.values())
    write_jsonl(directory / "skills.jsonl", knowledge_base.skills.values())
    write_jsonl(directory / "occupations.jsonl", knowledge_base.occupations.values())
    return directory


def test_cli_index_twice(tmp_path: Path) -> None:
    directory = write_knowledge_base(tmp_path / "kb", small_knowledge_base())
    runner = CliRunner(env={"COLUMNS": "160"})

    first = runner.invoke(app, ["index", "--knowledge-base", str(directory)])
    second = runner.invoke(app, ["index", "--knowledge-base", str(directory)])
    rebuilt = runner.invoke(app, ["index", "--knowledge-base", str(directory), "--rebuild"])

    assert first.exit_code == 0
    assert "advisor_credentials" in first.output
    assert "unchanged" in second.output
    assert IndexStore().collection(CollectionKind.CREDENTIALS).count() == 3
    assert rebuilt.exit_code == 0


def test_cli_index_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["index", "--knowledge-base", str(tmp_path / "absent")])

    assert result.exit_code == 1
    assert "Knowledge base folder not found" in result.output
