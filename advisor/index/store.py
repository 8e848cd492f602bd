"""Chroma client, the project's collections and the check that a collection fits the model.

Each collection records in its metadata the embedding model that made its vectors, and a
lexical revision, a random token that the indexer renews after every change, so a searcher
can tell when its lexical index is stale, even after the collection was deleted and rebuilt.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError as ChromaNotFoundError

from advisor.config import Settings, get_settings
from advisor.errors import IndexMismatchError
from advisor.index.embeddings import (
    AdvisorEmbeddingFunction,
    EmbeddingModelInfo,
    get_embedding_function,
)

logger = logging.getLogger(__name__)

PROVIDER_KEY = "embedding_provider"
MODEL_KEY = "embedding_model"
DIMENSION_KEY = "embedding_dimension"
REVISION_KEY = "lexical_revision"
REBUILD_HINT = (
    "Run `advisor index --rebuild` to rebuild the index with the configured model, or set "
    "ADVISOR_EMBEDDING_PROVIDER back to the provider the index was built with."
)


class CollectionKind(StrEnum):
    """The collections the project keeps, named ``<collection_prefix>_<kind>`` in Chroma."""

    CREDENTIALS = "credentials"
    CREDENTIAL_TITLES = "credential_titles"
    SKILLS = "skills"
    OCCUPATIONS = "occupations"
    RECORD_ITEMS = "record_items"


def open_client(settings: Settings) -> ClientAPI:
    """Open Chroma in the ``chroma_mode`` setting: embedded under ``chroma_path``, or over HTTP."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == "http":
        logger.info(
            "Connecting to the Chroma server at %s:%d (ssl=%s)",
            settings.chroma_host,
            settings.chroma_port,
            settings.chroma_ssl,
        )
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            settings=chroma_settings,
        )

    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def model_metadata(info: EmbeddingModelInfo) -> dict[str, Any]:
    """Return the collection metadata that names an embedding model."""
    return {PROVIDER_KEY: info.provider, MODEL_KEY: info.model, DIMENSION_KEY: info.dimension}


def check_model(
    name: str, metadata: Mapping[str, Any] | None, expected: EmbeddingModelInfo
) -> None:
    """Raise ``IndexMismatchError`` unless the collection's vectors come from ``expected``."""
    metadata = metadata or {}
    stored = EmbeddingModelInfo(
        provider=str(metadata.get(PROVIDER_KEY, "unknown")),
        model=str(metadata.get(MODEL_KEY, "unknown")),
        dimension=int(metadata.get(DIMENSION_KEY, 0)),
    )
    if stored == expected:
        return

    raise IndexMismatchError(
        f"Collection {name!r} was built with the embedding model {stored}, "
        f"but the configured model is {expected}.",
        value={"collection": name, "stored": str(stored), "configured": str(expected)},
        hint=REBUILD_HINT,
    )


def new_revision() -> str:
    """Return a fresh lexical revision token."""
    return uuid.uuid4().hex


class IndexStore:
    """The project's Chroma collections, each opened with one embedding function and checked."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedding_function: AdvisorEmbeddingFunction | None = None,
        client: ClientAPI | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.embedding_function = embedding_function or get_embedding_function(self.settings)
        self.client = client or open_client(self.settings)
        self._collections: dict[CollectionKind, Collection] = {}

    @property
    def model_info(self) -> EmbeddingModelInfo:
        """Return the identity of the configured embedding model."""
        return self.embedding_function.model_info

    @property
    def lexical_dir(self) -> Path:
        """Directory that keeps the persisted lexical indexes."""
        return self.settings.data_dir / "lexical"

    def collection_name(self, kind: CollectionKind) -> str:
        """Return the Chroma name of a collection, with the configured prefix."""
        return f"{self.settings.collection_prefix}_{kind.value}"

    def collection(self, kind: CollectionKind) -> Collection:
        """Open or create a collection, raising ``IndexMismatchError`` if another model built it."""
        if kind in self._collections:
            return self._collections[kind]

        name = self.collection_name(kind)
        existing = self._find(name)
        if existing is not None:
            check_model(name, existing.metadata, self.model_info)
            collection = self.client.get_collection(
                name, embedding_function=self.embedding_function
            )
        else:
            logger.info("Creating collection %s for %s", name, self.model_info)
            collection = self.client.create_collection(
                name,
                embedding_function=self.embedding_function,
                metadata={**model_metadata(self.model_info), REVISION_KEY: new_revision()},
                configuration={"hnsw": {"space": "cosine"}},
            )
        self._collections[kind] = collection
        return collection

    def fits_model(self, kind: CollectionKind) -> bool:
        """Return whether a collection is absent or was built with the configured model."""
        existing = self._find(self.collection_name(kind))
        if existing is None:
            return True
        try:
            check_model(existing.name, existing.metadata, self.model_info)
        except IndexMismatchError:
            return False
        return True

    def drop(self, kind: CollectionKind) -> bool:
        """Delete a collection and its lexical index; return whether the collection existed."""
        self._collections.pop(kind, None)
        name = self.collection_name(kind)
        lexical_path = self.lexical_dir / name
        if lexical_path.is_dir():
            for file in lexical_path.iterdir():
                file.unlink()
            lexical_path.rmdir()

        if self._find(name) is None:
            return False
        self.client.delete_collection(name)
        logger.info("Deleted collection %s", name)
        return True

    def revision(self, kind: CollectionKind) -> str:
        """Read the collection's current lexical revision from Chroma, not from a cached copy."""
        existing = self._find(self.collection_name(kind))
        if existing is None:
            return ""
        return str((existing.metadata or {}).get(REVISION_KEY, ""))

    def renew_revision(self, kind: CollectionKind) -> str:
        """Give the collection a new lexical revision and return it."""
        collection = self.collection(kind)
        current = self.client.get_collection(
            collection.name, embedding_function=self.embedding_function
        )
        metadata = {**(current.metadata or {}), REVISION_KEY: new_revision()}
        collection.modify(metadata=metadata)
        return metadata[REVISION_KEY]

    def _find(self, name: str) -> Collection | None:
        # Opened without our function, so Chroma's own conflict check cannot pre-empt ours.
        try:
            return self.client.get_collection(name)
        except ChromaNotFoundError:
            return None
