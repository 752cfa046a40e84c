"""On-disk embedding cache so unchanged texts are never embedded twice (SQLite, float32 blobs)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from matchmaker.retrieval.embed.base import Embedder, clean_texts, empty_matrix

CACHE_FILE = "embeddings.sqlite3"
_LOOKUP_CHUNK = 500  # keys per SELECT (stays under SQLite's bound-parameter limit)
_WRITE_CHUNK = 256  # texts embedded and committed together, so an interrupted run keeps progress

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embedding (
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    text_sha256 BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (fingerprint, kind, text_sha256)
) WITHOUT ROWID
"""


class EmbeddingCache:
    """Vectors keyed by (embedder fingerprint, query/document, sha256 of text) in one SQLite file.

    Safe for several threads and processes: WAL journal, a busy timeout, insert-or-ignore writes
    (two processes embedding the same text store identical vectors, the first one wins).
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / CACHE_FILE
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = -1

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._connection is None or self._pid != os.getpid():
                # a connection must not cross fork(): reopen in the child
                connection = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute(_SCHEMA)
                connection.commit()
                self._connection, self._pid = connection, os.getpid()
            yield self._connection

    def get_many(
        self, fingerprint: str, kind: str, keys: Sequence[bytes], dim: int
    ) -> dict[bytes, np.ndarray]:
        """Vectors already stored for these text hashes (missing or malformed ones are absent)."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._connect() as connection:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    "SELECT text_sha256, vector FROM embedding WHERE fingerprint = ? AND kind = ? "
                    f"AND text_sha256 IN ({marks})",
                    [fingerprint, kind, *chunk],
                ).fetchall()
                for key, blob in rows:
                    if len(blob) == dim * 4:
                        found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(
        self, fingerprint: str, kind: str, items: Sequence[tuple[bytes, np.ndarray]]
    ) -> None:
        """Store vectors in one transaction."""
        rows = [
            (fingerprint, kind, key, np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for key, vector in items
        ]
        with self._connect() as connection:
            connection.executemany("INSERT OR IGNORE INTO embedding VALUES (?, ?, ?, ?)", rows)
            connection.commit()

    def count(self, fingerprint: str | None = None) -> int:
        """How many vectors are stored (for one embedder, or in total)."""
        with self._connect() as connection:
            if fingerprint is None:
                row = connection.execute("SELECT COUNT(*) FROM embedding").fetchone()
            else:
                row = connection.execute(
                    "SELECT COUNT(*) FROM embedding WHERE fingerprint = ?", (fingerprint,)
                ).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None


def text_key(text: str) -> bytes:
    """sha256 of the cleaned text: the cache key that says 'this exact text'."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def _embed_cached(
    embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None, kind: str
) -> np.ndarray:
    cleaned = clean_texts(texts)  # same errors as the embedder, before anything is computed
    encode = embedder.encode_queries if kind == "query" else embedder.encode_documents
    if not cleaned:
        return empty_matrix(embedder.dim)
    if cache is None:
        return encode(cleaned)
    keys = [text_key(text) for text in cleaned]
    found = cache.get_many(embedder.fingerprint, kind, keys, embedder.dim)
    missing: dict[bytes, str] = {}
    for key, text in zip(keys, cleaned, strict=True):
        if key not in found:
            missing.setdefault(key, text)
    pending = list(missing.items())
    for start in range(0, len(pending), _WRITE_CHUNK):
        chunk = pending[start : start + _WRITE_CHUNK]
        vectors = encode([text for _, text in chunk])
        new_items = [(key, vectors[i]) for i, (key, _) in enumerate(chunk)]
        cache.put_many(embedder.fingerprint, kind, new_items)
        found.update(new_items)
    return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)


def embed_documents_cached(
    embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None
) -> np.ndarray:
    """Embed documents, computing only texts this embedder has not embedded before."""
    return _embed_cached(embedder, texts, cache, "document")


def embed_queries_cached(
    embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None
) -> np.ndarray:
    """Embed queries through the cache (useful for repeated evaluation query sets)."""
    return _embed_cached(embedder, texts, cache, "query")
