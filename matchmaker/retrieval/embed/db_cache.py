"""The embedding cache in the catalogue's database: queue workers write vectors, every API
process and worker reads them (used instead of the on-disk cache when a broker is configured)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from sqlalchemy import Engine, Table, func, insert, select

from matchmaker.jobs.models import CachedEmbedding
from matchmaker.retrieval.embed.cache import EmbeddingCache

_LOOKUP_CHUNK = 500
TABLE = cast(Table, CachedEmbedding.__table__)


class DbEmbeddingCache(EmbeddingCache):
    """Same keys and behaviour as the SQLite file cache, kept in the `embedding_cache` table.

    Writes are insert-or-ignore: two workers embedding the same text (a redelivered chunk) store
    identical vectors once."""

    def __init__(self, engine: Engine) -> None:  # noqa: D107 - no file, no directory
        self.engine = engine

    def get_many(
        self, fingerprint: str, kind: str, keys: Sequence[bytes], dim: int
    ) -> dict[bytes, np.ndarray]:
        """Vectors already stored for these text hashes (missing or malformed ones are absent)."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self.engine.connect() as conn:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start : start + _LOOKUP_CHUNK]
                rows = conn.execute(
                    select(TABLE.c.text_sha256, TABLE.c.vector)
                    .where(TABLE.c.fingerprint == fingerprint)
                    .where(TABLE.c.kind == kind)
                    .where(TABLE.c.text_sha256.in_(chunk))
                )
                for key, blob in rows:
                    if len(blob) == dim * 4:
                        found[bytes(key)] = np.frombuffer(bytes(blob), dtype=np.float32)
        return found

    def put_many(
        self, fingerprint: str, kind: str, items: Sequence[tuple[bytes, np.ndarray]]
    ) -> None:
        """Store vectors (a text already stored keeps its first vector)."""
        rows = {
            key: {
                "fingerprint": fingerprint,
                "kind": kind,
                "text_sha256": key,
                "vector": np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
            }
            for key, vector in items
        }
        if not rows:
            return
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            with self.engine.begin() as conn:
                conn.execute(pg_insert(TABLE).on_conflict_do_nothing(), list(rows.values()))
            return
        with self.engine.begin() as conn:
            conn.execute(insert(TABLE).prefix_with("OR IGNORE"), list(rows.values()))

    def count(self, fingerprint: str | None = None) -> int:
        """How many vectors are stored (for one embedder, or in total)."""
        statement = select(func.count()).select_from(TABLE)
        if fingerprint is not None:
            statement = statement.where(TABLE.c.fingerprint == fingerprint)
        with self.engine.connect() as conn:
            return int(conn.execute(statement).scalar_one())

    def close(self) -> None:
        """Nothing to close: connections come from the engine's pool."""


__all__ = ["DbEmbeddingCache"]
