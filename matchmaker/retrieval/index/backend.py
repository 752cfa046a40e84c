"""What a per-kind vector store offers the search index (FAISS in-process, or pgvector)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np


class VectorBackend(Protocol):
    """Dense vectors of one kind keyed by database id: `VectorIndex` and `PgVectorIndex`."""

    dim: int
    # True when `search` may run outside the index lock (pgvector: a query to the database)
    lock_free_search: bool

    def __len__(self) -> int:
        """Ids with a vector."""
        ...

    def __contains__(self, item_id: object) -> bool:
        """Whether an id has a vector."""
        ...

    def ids(self) -> np.ndarray:
        """All ids, sorted."""
        ...

    def describe(self) -> dict[str, Any]:
        """Type and parameters, for status output and the manifest."""
        ...

    def adopt(self, wanted: Sequence[tuple[int, str]]) -> set[int]:
        """Ids among (id, content hash) pairs whose vector is already stored for that hash."""
        ...

    def upsert(
        self,
        ids: Sequence[int] | np.ndarray,
        vectors: np.ndarray,
        hashes: Sequence[str] | None = None,
    ) -> None:
        """Add or replace vectors."""
        ...

    def delete(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove ids; returns how many were there."""
        ...

    def clear(self) -> None:
        """Drop every vector."""
        ...

    def vector(self, item_id: int) -> np.ndarray:
        """One stored vector (KeyError when absent)."""
        ...

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors), ids sorted."""
        ...

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (id, cosine), restricted to `allowed` when given."""
        ...

    def search_batch(self, queries: np.ndarray, k: int, *, exact: bool = False) -> np.ndarray:
        """Ids (n, k) of the top-k for many queries."""
        ...

    def write(self, directory: Path) -> None:
        """Write what must be saved on disk into `directory`."""
        ...


VectorFactory = Callable[[str], VectorBackend]  # kind → an empty (or table-backed) store
