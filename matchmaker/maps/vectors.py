"""Vectors for map matching, through the same on-disk embedding cache the search index fills.

Item texts are `embedding_text()` and organisation texts are name + description, exactly what the
index and the recommender embed, so after `matchmaker index build` (or `matchmaker demo`) a map
embeds nothing but the chain links it has not seen before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matchmaker.retrieval.embed import (
    Embedder,
    EmbeddingCache,
    embed_documents_cached,
    embed_queries_cached,
)


@dataclass
class TextVectors:
    """An embedder and its cache: documents for items and firms, queries for chain links."""

    embedder: Embedder
    cache: EmbeddingCache | None

    def documents(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of item or organisation texts (cached)."""
        return embed_documents_cached(self.embedder, texts, self.cache)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of chain-link texts, embedded as queries (cached)."""
        return embed_queries_cached(self.embedder, texts, self.cache)


def cache_dir(data_dir: Path | None = None) -> Path:
    """The embedding cache folder the index layer uses: `<data dir>/cache/embeddings`."""
    from matchmaker.core.config import embedding_cache_dir, get_settings

    return embedding_cache_dir(get_settings().data_dir if data_dir is None else data_dir)


def default_vectors() -> TextVectors:
    """The configured embedder with the data directory's embedding cache."""
    from matchmaker.core.container import get_container

    container = get_container()
    return TextVectors(container.embedder, container.embedding_cache)


def org_text(name: str, description: str | None) -> str:
    """The text an organisation is matched by (the recommender embeds the same)."""
    return "\n".join(p for p in (name, description or "") if p)
