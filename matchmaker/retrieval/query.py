"""A search query before retrieval: cleaned text, and its embedding from a small LRU cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from matchmaker.core.text import TextError, clean_text
from matchmaker.retrieval.embed import Embedder, EmbeddingCache, embed_queries_cached

MAX_QUERY_CHARS = 500
CACHE_SIZE = 4096


class BadQuery(ValueError):
    """The query cannot be searched (empty, too long); the message names the problem."""


def clean_query(query: str) -> str:
    """The query with whitespace folded and the boundary text rules (core.text) applied;
    BadQuery when it is empty, too long or holds a control character."""
    try:
        text = " ".join(clean_text(query or "").split())
    except TextError as exc:
        raise BadQuery(f"查询内容：{exc}") from exc
    if not text:
        raise BadQuery("查询内容为空，请用一句话描述您的技术问题 / the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(
            f"查询过长（最多 {MAX_QUERY_CHARS} 字）/ query longer than {MAX_QUERY_CHARS} characters"
        )
    return text


class QueryVectors:
    """Query embeddings kept in an LRU cache: popular searches repeat, and embedding is the most
    expensive step of a search (about 10 ms of CPU with the default embedder)."""

    def __init__(self, embedder: Embedder, size: int = CACHE_SIZE) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> np.ndarray:
        """The embedding of one cleaned query, computed at most once while it stays cached."""
        key = (self.embedder.fingerprint, text)
        with self._lock:
            found = self._vectors.get(key)
            if found is not None:
                self._vectors.move_to_end(key)
                return found
        vector = self.embedder.encode_queries([text])[0]
        self._put([(key, vector)])
        return vector

    def clear(self) -> None:
        """Forget every cached vector."""
        with self._lock:
            self._vectors.clear()

    def warm(self, texts: Sequence[str], cache: EmbeddingCache | None) -> None:
        """Embed many cleaned queries at once through the on-disk cache (evaluation runs), so the
        searches that follow find them here; keeps at most `size` of them."""
        unique = list(dict.fromkeys(texts))[-self.size :]
        if not unique:
            return
        vectors = embed_queries_cached(self.embedder, unique, cache)
        fingerprint = self.embedder.fingerprint
        self._put([((fingerprint, t), v) for t, v in zip(unique, vectors, strict=True)])

    def _put(self, items: Sequence[tuple[tuple[str, str], np.ndarray]]) -> None:
        with self._lock:
            for key, vector in items:
                self._vectors[key] = vector
                self._vectors.move_to_end(key)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
