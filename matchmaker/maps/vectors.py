"""Vectors for map matching, through the same on-disk embedding cache the search index fills.

Item texts are `embedding_text()` and organisation texts are name + description, exactly what the
index and the recommender embed, so after `matchmaker index build` (or `matchmaker demo`) a map
embeds nothing but the chain links it has not seen before.
"""

from __future__ import annotations

from pathlib import Path

from matchmaker.retrieval.vectors import TextVectors

__all__ = ["TextVectors", "cache_dir", "default_vectors", "org_text"]


def cache_dir(data_dir: Path | None = None) -> Path:
    """The embedding cache folder the index layer uses: `<data dir>/cache/embeddings`."""
    from matchmaker.core.config import embedding_cache_dir, get_settings

    return embedding_cache_dir(get_settings().data_dir if data_dir is None else data_dir)


def default_vectors() -> TextVectors:
    """The configured embedder with the data directory's embedding cache."""
    from matchmaker.core.container import get_container

    return get_container().vectors


def org_text(name: str, description: str | None) -> str:
    """The text an organisation is matched by (the recommender embeds the same)."""
    return "\n".join(p for p in (name, description or "") if p)
