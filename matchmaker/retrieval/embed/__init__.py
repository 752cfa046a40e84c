"""Text embedders behind one interface, and an on-disk cache of their vectors."""

from matchmaker.retrieval.embed.base import Embedder
from matchmaker.retrieval.embed.cache import (
    EmbeddingCache,
    embed_documents_cached,
    embed_queries_cached,
)
from matchmaker.retrieval.embed.factory import DEFAULT_EMBEDDER, get_embedder

__all__ = [
    "DEFAULT_EMBEDDER",
    "Embedder",
    "EmbeddingCache",
    "embed_documents_cached",
    "embed_queries_cached",
    "get_embedder",
]
