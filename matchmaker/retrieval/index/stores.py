"""The configured vector store (MATCHMAKER_VECTOR_STORE): FAISS in-process, or pgvector."""

from __future__ import annotations

from sqlalchemy import Engine

from matchmaker.core.config import Settings
from matchmaker.retrieval.index.backend import VectorBackend, VectorFactory
from matchmaker.retrieval.index.pgvector import PgVectorIndex, check_pgvector, ensure_hnsw
from matchmaker.retrieval.index.vector import DEFAULT_ANN_THRESHOLD


def pgvector_factory(
    engine: Engine,
    fingerprint: str,
    dim: int,
    *,
    ann_threshold: int = DEFAULT_ANN_THRESHOLD,
    ef_search: int | None = None,
) -> VectorFactory:
    """Kind → a pgvector store over `engine` holding its ids (HNSW indexes made if missing)."""
    check_pgvector(engine)

    def make(kind: str) -> VectorBackend:
        ensure_hnsw(engine, kind, fingerprint, dim)
        store = PgVectorIndex(
            engine,
            kind,
            fingerprint,
            dim,
            ann_threshold=ann_threshold,
            **({} if ef_search is None else {"ef_search": ef_search}),
        )
        store.reload()
        return store

    return make


def configured_factory(
    settings: Settings, engine: Engine, fingerprint: str, dim: int
) -> VectorFactory | None:
    """The vector store the settings choose: None for FAISS (the index's default)."""
    if settings.vector_store != "pgvector":
        return None
    return pgvector_factory(engine, fingerprint, dim, ef_search=settings.pgvector_ef_search)
