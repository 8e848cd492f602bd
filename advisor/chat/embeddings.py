"""LangChain ``Embeddings`` over the project's embedding functions, for ``langchain-chroma``.

It lives in the chat layer so that the index layer stays free of LangChain.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from advisor.index.embeddings import AdvisorEmbeddingFunction, get_embedding_function


class AdvisorLangChainEmbeddings(Embeddings):
    """Expose an ``AdvisorEmbeddingFunction`` through LangChain's ``Embeddings`` interface."""

    def __init__(self, function: AdvisorEmbeddingFunction | None = None) -> None:
        self.function = function or get_embedding_function()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents into lists of floats."""
        return self.function.embed_texts(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one query into a list of floats."""
        return self.function.embed_texts([text])[0].tolist()
