"""Vectors of one item kind in PostgreSQL (pgvector), behind the same interface as `VectorIndex`.

Table `item_vectors` (migration 0014) holds one row per (embedder fingerprint, kind, item id):
the L2-normalised vector in an untyped `vector` column, its dimension and the content hash it was
made from. Per (kind, fingerprint) the store creates a partial HNSW index over
`embedding::vector(dim)` with `vector_ip_ops` (inner product = cosine on normalised vectors; m 24, ef_construction 100) the
first time it opens: dimension and fingerprint belong to the configured embedder, which a
migration cannot know.

Search mirrors the FAISS index: below `ann_threshold` vectors of a kind, or for a filter admitting
few items, an exact scan (`ORDER BY distance + 0` keeps the planner off the HNSW index; a filter
restricts `item_id = ANY(...)` in SQL); otherwise HNSW with `hnsw.ef_search`, over-fetched and
filtered when a filter admits at least half of the items, and an exact scan over the allowed ids
when the approximate answer comes up short. Which ids have a vector is mirrored in this process
(`_hashes`), refreshed from the table by `adopt`, so membership tests never query PostgreSQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, text

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.index.filters import is_member

TABLE = "item_vectors"
# `matchmaker bench pgvector` at 1M vectors (docs/index.md): m 24 / ef_construction 100 / ef_search
# 200 gave recall@10 0.96 at p99 40 ms; m 16 / 64 stayed below 0.94 even at ef_search 800
DEFAULT_EF_SEARCH = 200
HNSW_M = 24
HNSW_EF_CONSTRUCTION = 100
OVERFETCH_SHARE = 0.5
ID_CHUNK = 5000
SETTING = "MATCHMAKER_VECTOR_STORE"
_SAFE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class PgVectorUnavailable(RuntimeError):
    """MATCHMAKER_VECTOR_STORE=pgvector on a database that cannot hold the vectors."""


def _literal(value: str) -> str:
    """A kind or fingerprint as an SQL literal (partial-index predicates need literals)."""
    if not _SAFE.match(value):
        raise ValueError(f"不能用作 SQL 字面量 / not usable as an SQL literal: {value!r}")
    return f"'{value}'"


def vector_text(vector: np.ndarray) -> str:
    """One vector in pgvector's text form '[x,y,…]'."""
    return "[" + ",".join(f"{float(x):.8g}" for x in np.asarray(vector).reshape(-1)) + "]"


def pgvector_problem(engine: Engine) -> str | None:
    """Why this database cannot hold pgvector vectors (not PostgreSQL, no extension, no table),
    or None when it can."""
    if engine.dialect.name != "postgresql":
        return f"数据库不是 PostgreSQL（{engine.dialect.name}）/ the database is {engine.dialect.name}, not PostgreSQL"
    with engine.connect() as conn:
        installed = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar()
        if installed is None:
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            ).scalar()
            if available is None:
                return (
                    "PostgreSQL 服务器没有安装 pgvector 扩展 / the PostgreSQL server has no "
                    "pgvector extension (pg_available_extensions lacks 'vector')"
                )
            return (
                "数据库尚未启用 vector 扩展（请运行 matchmaker db upgrade）/ the 'vector' "
                "extension is not created in this database (run the migrations)"
            )
        exists = conn.execute(text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar()
        if exists is None:
            return f"缺少表 {TABLE}（请运行迁移）/ table {TABLE} is missing (run the migrations)"
    return None


def check_pgvector(engine: Engine) -> None:
    """Raise PgVectorUnavailable, naming the setting, when the database cannot hold vectors."""
    problem = pgvector_problem(engine)
    if problem is not None:
        raise PgVectorUnavailable(
            f"{SETTING}=pgvector 需要带 vector 扩展的 PostgreSQL 数据库：{problem} / "
            f"{SETTING}=pgvector needs a PostgreSQL database with the 'vector' extension. "
            f"请设置 DATABASE_URL 指向这样的数据库，或改用 {SETTING}=faiss / point DATABASE_URL "
            f"at such a database, or set {SETTING}=faiss"
        )


def hnsw_index_name(kind: str, fingerprint: str) -> str:
    """The name of the HNSW index of one kind and embedder."""
    return f"ix_{TABLE}_hnsw_{kind[:12]}_{re.sub(r'[^a-z0-9]', '', fingerprint.lower())[:16]}"


def hnsw_statement(
    kind: str,
    fingerprint: str,
    dim: int,
    *,
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
) -> str:
    """CREATE INDEX IF NOT EXISTS of the partial HNSW index of (kind, fingerprint)."""
    return (
        f"CREATE INDEX IF NOT EXISTS {hnsw_index_name(kind, fingerprint)} ON {TABLE} USING hnsw "
        f"((embedding::vector({int(dim)})) vector_ip_ops) "
        f"WITH (m = {int(m)}, ef_construction = {int(ef_construction)}) "
        f"WHERE kind = {_literal(kind)} AND fingerprint = {_literal(fingerprint)}"
    )


def ensure_hnsw(engine: Engine, kind: str, fingerprint: str, dim: int) -> None:
    """Create the partial HNSW index of (kind, fingerprint) when it is missing."""
    with engine.begin() as conn:
        conn.execute(text(hnsw_statement(kind, fingerprint, dim)))


class PgVectorIndex:
    """Dense vectors of one kind in PostgreSQL: add, replace, delete by id; exact or HNSW search."""

    lock_free_search = True  # searches are database queries; the index lock is not held

    def __init__(
        self,
        engine: Engine,
        kind: str,
        fingerprint: str,
        dim: int,
        *,
        ann_threshold: int,
        ef_search: int = DEFAULT_EF_SEARCH,
    ) -> None:
        if kind not in ITEM_KINDS:
            raise ValueError(f"未知类别 / unknown kind {kind!r}")
        self.engine = engine
        self.kind = kind
        self.fingerprint = fingerprint
        self.dim = int(dim)
        self.ann_threshold = ann_threshold
        self.ef_search = ef_search
        self._hashes: dict[int, str] = {}
        self._where = f"kind = {_literal(kind)} AND fingerprint = {_literal(fingerprint)}"
        self._cast = f"vector({self.dim})"

    # ---- facts -------------------------------------------------------------------------------
    @property
    def index_type(self) -> str:
        """'pgvector-exact' below the threshold, else 'pgvector-hnsw'."""
        return "pgvector-hnsw" if len(self._hashes) >= self.ann_threshold else "pgvector-exact"

    def __len__(self) -> int:
        return len(self._hashes)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._hashes

    def ids(self) -> np.ndarray:
        """All ids with a vector (as this process last saw them), sorted."""
        return np.array(sorted(self._hashes), dtype=np.int64)

    def describe(self) -> dict[str, Any]:
        """Type and parameters, for status output and the manifest."""
        return {
            "type": self.index_type,
            "count": len(self),
            "dim": self.dim,
            "nlist": 0,
            "nprobe": 0,
            "trained_size": 0,
            "ann_threshold": self.ann_threshold,
            "ef_search": self.ef_search,
        }

    # ---- keeping the local mirror --------------------------------------------------------------
    def reload(self) -> None:
        """Read which ids have a vector of this embedder (and their hashes) from the table."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT item_id, content_hash FROM {TABLE} WHERE {self._where}")
            ).all()
        self._hashes = {int(i): str(h) for i, h in rows}

    def adopt(self, wanted: Sequence[tuple[int, str]]) -> set[int]:
        """The ids among `wanted` (id, content hash) whose stored vector was made from that very
        hash (written by any process): they are known here from now on and need no embedding."""
        if not wanted:
            return set()
        by_id = dict(wanted)
        stored: dict[int, str] = {}
        ids = sorted(by_id)
        with self.engine.connect() as conn:
            for start in range(0, len(ids), ID_CHUNK):
                chunk = ids[start : start + ID_CHUNK]
                stored.update(
                    (int(i), str(h))
                    for i, h in conn.execute(
                        text(
                            f"SELECT item_id, content_hash FROM {TABLE} "
                            f"WHERE {self._where} AND item_id = ANY(:ids)"
                        ),
                        {"ids": chunk},
                    )
                )
        found = {i for i, h in stored.items() if by_id[i] == h}
        self._hashes.update((i, by_id[i]) for i in found)
        return found

    # ---- writes ------------------------------------------------------------------------------
    def upsert(
        self,
        ids: Sequence[int] | np.ndarray,
        vectors: np.ndarray,
        hashes: Sequence[str] | None = None,
    ) -> None:
        """Add new ids and replace the vectors of known ones, with the hashes they were made from."""
        id_list = [int(i) for i in np.asarray(ids).reshape(-1)]
        matrix = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if len(id_list) != len(matrix):
            raise ValueError(f"ids ({len(id_list)}) and vectors ({len(matrix)}) differ in length")
        if len(set(id_list)) != len(id_list):
            raise ValueError("重复的 id / duplicate ids in one upsert")
        if not id_list:
            return
        hash_list = list(hashes) if hashes is not None else [""] * len(id_list)
        rows = [
            {
                "kind": self.kind,
                "item_id": item_id,
                "fingerprint": self.fingerprint,
                "dim": self.dim,
                "content_hash": content_hash,
                "embedding": vector_text(vector),
            }
            for item_id, vector, content_hash in zip(id_list, matrix, hash_list, strict=True)
        ]
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO {TABLE} (kind, item_id, fingerprint, dim, content_hash, "
                    "embedding, updated_at) VALUES (:kind, :item_id, :fingerprint, :dim, "
                    ":content_hash, CAST(:embedding AS vector), now()) "
                    "ON CONFLICT (fingerprint, kind, item_id) DO UPDATE SET "
                    "dim = EXCLUDED.dim, content_hash = EXCLUDED.content_hash, "
                    "embedding = EXCLUDED.embedding, updated_at = now()"
                ),
                rows,
            )
        self._hashes.update(zip(id_list, hash_list, strict=True))

    def delete(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove ids here and in the table; returns how many this process knew."""
        id_list = sorted({int(i) for i in np.asarray(ids).reshape(-1)})
        if not id_list:
            return 0
        known = sum(1 for i in id_list if i in self._hashes)
        with self.engine.begin() as conn:
            for start in range(0, len(id_list), ID_CHUNK):
                conn.execute(
                    text(f"DELETE FROM {TABLE} WHERE {self._where} AND item_id = ANY(:ids)"),
                    {"ids": id_list[start : start + ID_CHUNK]},
                )
        for item_id in id_list:
            self._hashes.pop(item_id, None)
        return known

    def clear(self) -> None:
        """Drop every vector of this kind and embedder."""
        with self.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {TABLE} WHERE {self._where}"))
        self._hashes.clear()

    def rebuild(self, index_type: str | None = None) -> None:
        """Nothing to rebuild: PostgreSQL maintains the HNSW index on every write."""

    # ---- reads -------------------------------------------------------------------------------
    def vector(self, item_id: int) -> np.ndarray:
        """The stored vector of one id (KeyError when absent)."""
        if item_id not in self._hashes:
            raise KeyError(item_id)
        with self.engine.connect() as conn:
            found = conn.execute(
                text(f"SELECT embedding::real[] FROM {TABLE} WHERE {self._where} AND item_id = :i"),
                {"i": int(item_id)},
            ).scalar()
        if found is None:
            self._hashes.pop(int(item_id), None)
            raise KeyError(item_id)
        return np.asarray(found, dtype=np.float32)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors) of this kind and embedder in the table, ids sorted."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT item_id, embedding::real[] FROM {TABLE} WHERE {self._where} "
                    "ORDER BY item_id"
                )
            ).all()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
        ids = np.fromiter((int(r[0]) for r in rows), dtype=np.int64, count=len(rows))
        return ids, np.asarray([r[1] for r in rows], dtype=np.float32).reshape(-1, self.dim)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (id, cosine) for one query vector, restricted to `allowed` ids when given."""
        total = len(self._hashes) if allowed is None else len(allowed)
        if k <= 0 or total == 0 or not self._hashes:
            return []
        want = min(k, total)
        q = vector_text(query)
        if len(self._hashes) < self.ann_threshold:
            return self._exact(q, k, allowed)
        fraction = total / len(self._hashes)
        if allowed is None:
            return self._approximate(q, k)
        if fraction >= OVERFETCH_SHARE:
            fetch = min(len(self._hashes), math.ceil(k / fraction) + 10)
            found = self._approximate(q, fetch)
            labels = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
            kept = [hit for hit, ok in zip(found, is_member(labels, allowed), strict=True) if ok]
            if len(kept) >= want:
                return kept[:k]
        return self._exact(q, k, allowed)

    def _exact(self, q: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        restrict = "" if allowed is None else " AND item_id = ANY(:ids)"
        params: dict[str, Any] = {"q": q, "k": int(k)}
        if allowed is not None:
            params["ids"] = [int(i) for i in allowed]
        statement = (
            f"SELECT item_id, -(embedding::{self._cast} <#> CAST(:q AS {self._cast})) AS score "
            f"FROM {TABLE} WHERE {self._where}{restrict} "
            f"ORDER BY (embedding::{self._cast} <#> CAST(:q AS {self._cast})) + 0, item_id LIMIT :k"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(text(statement), params).all()
        return [(int(i), float(s)) for i, s in rows]

    def _approximate(self, q: str, k: int) -> list[tuple[int, float]]:
        ef = max(self.ef_search, k)
        statement = (
            f"SELECT item_id, -(embedding::{self._cast} <#> CAST(:q AS {self._cast})) AS score "
            f"FROM {TABLE} WHERE {self._where} "
            f"ORDER BY embedding::{self._cast} <#> CAST(:q AS {self._cast}) LIMIT :k"
        )
        with self.engine.begin() as conn:
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {min(1000, int(ef))}"))
            rows = conn.execute(text(statement), {"q": q, "k": int(k)}).all()
        return [(int(i), float(s)) for i, s in rows]

    def search_batch(self, queries: np.ndarray, k: int, *, exact: bool = False) -> np.ndarray:
        """Ids (n, k) of the top-k for many queries (-1 padded); `exact` scans every vector."""
        matrix = np.asarray(queries, dtype=np.float32).reshape(-1, self.dim)
        out = np.full((len(matrix), k), -1, dtype=np.int64)
        for row, query in enumerate(matrix):
            q = vector_text(query)
            hits = self._exact(q, k, None) if exact else self._approximate(q, k)
            out[row, : len(hits)] = [i for i, _ in hits]
        return out

    # ---- persistence -------------------------------------------------------------------------
    def write(self, directory: Path) -> None:
        """Nothing to write: the vectors live in PostgreSQL."""
