"""Chroma collections, offline embeddings, hybrid search and incremental indexing.

Other layers call these names; the modules below hold the details.
"""

from advisor.index.embeddings import (
    AdvisorEmbeddingFunction,
    EmbeddingModelInfo,
    MiniLMOnnxEmbeddingFunction,
    get_embedding_function,
)
from advisor.index.indexer import SyncSummary, index_knowledge_base, sync_collection
from advisor.index.records import (
    RecordItemHit,
    delete_learner,
    index_record,
    search_record_items,
)
from advisor.index.search import ChromaSkillSearch, HybridSearch, SearchHit
from advisor.index.store import CollectionKind, IndexStore

__all__ = [
    "AdvisorEmbeddingFunction",
    "ChromaSkillSearch",
    "CollectionKind",
    "EmbeddingModelInfo",
    "HybridSearch",
    "IndexStore",
    "MiniLMOnnxEmbeddingFunction",
    "RecordItemHit",
    "SearchHit",
    "SyncSummary",
    "delete_learner",
    "get_embedding_function",
    "index_knowledge_base",
    "index_record",
    "search_record_items",
    "sync_collection",
]
