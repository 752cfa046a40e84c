"""Document and query vectors outside a search: the index's own embedder and on-disk cache.

The container hands one `TextVectors` to the digest job and the industry-chain maps. It wraps the
same embedder object and cache the search index embeds items with (same cache key: embedder
fingerprint, document/query, sha256 of the cleaned text), so an item's vector here is the one the
index holds and searches with, and a term embedded as a query is the vector a search for that
term would use. Batch users (10k digest subscribers) keep their own numpy scoring on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matchmaker.retrieval.embed import (
    Embedder,
    EmbeddingCache,
    embed_documents_cached,
    embed_queries_cached,
)


@dataclass
class TextVectors:
    """An embedder and its cache: documents for items and organisations, queries for terms."""

    embedder: Embedder
    cache: EmbeddingCache | None

    def documents(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of item or organisation texts (cached; an indexed item embeds nothing)."""
        return embed_documents_cached(self.embedder, texts, self.cache)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of search terms, embedded as queries (cached)."""
        return embed_queries_cached(self.embedder, texts, self.cache)
