"""Text similarity of any two things the ranker compares: items, organisations, parks.

Items' vectors come from the search index (the vectors it searches with); organisations and
parks are not indexed, so their short texts are embedded here, through the index's embedding
cache. Dense similarity is calibrated per source against every candidate of the target kind, so
0 means "typical for this source" and 1 "the closest there is". Lexical similarity is an
IDF-weighted cosine of the two token sets: exact for any pair and bounded, unlike BM25 sums.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.vocab import normalise_province
from matchmaker.ranking.catalogue import Catalogue
from matchmaker.ranking.terms import document_frequencies
from matchmaker.retrieval.embed import embed_documents_cached
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.retrieval.index.tokenize import tokenize

MIN_SPREAD = 0.05  # cosine gap between typical and best below which differences are noise
LEXICAL_SCALE = 0.35  # IDF-cosine at which the lexical feature saturates (typical good pairs)
_memo: dict[tuple[str, str], np.ndarray] = {}
_memo_lock = threading.Lock()


def item_vectors(index: SearchIndex, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of one indexed kind, read under the index's lock."""
    return index.vectors(kind)


def embed_texts(index: SearchIndex, texts: list[str]) -> np.ndarray:
    """Document vectors for short texts (organisations, parks), memoised in-process and on disk."""
    fingerprint = index.embedder.fingerprint
    missing = [t for t in dict.fromkeys(texts) if (fingerprint, t) not in _memo]
    if missing:
        vectors = embed_documents_cached(index.embedder, missing, index.cache)
        with _memo_lock:
            for text, vector in zip(missing, vectors, strict=True):
                _memo[(fingerprint, text)] = vector
    if not texts:
        return np.zeros((0, index.embedder.dim), dtype=np.float32)
    return np.stack([_memo[(fingerprint, t)] for t in texts])


@dataclass
class Matrix:
    """Vectors of one kind with a row per id."""

    ids: np.ndarray
    vectors: np.ndarray
    row_of: dict[int, int]

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray) -> Matrix:
        """Index rows by id."""
        return cls(ids, vectors, {int(i): r for r, i in enumerate(ids)})

    def vector(self, item_id: int) -> np.ndarray | None:
        """The vector of one id, or None when it has none."""
        row = self.row_of.get(item_id)
        return None if row is None else self.vectors[row]


class TextSpace:
    """Vectors and token weights of everything in one catalogue."""

    def __init__(self, index: SearchIndex, catalogue: Catalogue) -> None:
        self.matrices: dict[str, Matrix] = {}
        for kind in ITEM_KINDS:
            ids, vectors = item_vectors(index, kind)
            self.matrices[kind] = Matrix.build(ids, vectors)
        orgs = sorted(catalogue.orgs)
        self.matrices["organisation"] = Matrix.build(
            np.array(orgs, dtype=np.int64),
            embed_texts(index, [catalogue.orgs[i].text() for i in orgs]),
        )
        parks = sorted(catalogue.parks)
        self.matrices["park"] = Matrix.build(
            np.array(parks, dtype=np.int64),
            embed_texts(index, [catalogue.parks[i].text() for i in parks]),
        )
        views = [v for kind_views in catalogue.items.values() for v in kind_views.values()]
        self.df, self.n_docs = document_frequencies(v.tokens for v in views)
        # Words people use to name technology: those of every title, keyword and capability.
        places = {p.city for p in catalogue.parks.values()}
        places |= {o.city or "" for o in catalogue.orgs.values()}
        places |= {normalise_province(o.province) for o in catalogue.orgs.values()}
        self.vocabulary: frozenset[str] = frozenset(
            token
            for v in views
            for phrase in (v.title, *v.keywords, *v.capabilities)
            for token in tokenize(phrase)
            if token not in places
        )
        self._idf2: dict[str, float] = {}
        self._norms: dict[frozenset[str], float] = {}

    def vector(self, kind: str, item_id: int) -> np.ndarray | None:
        """The vector of one thing, or None when it has none (e.g. not indexed yet)."""
        matrix = self.matrices.get(kind)
        return None if matrix is None else matrix.vector(item_id)

    def cosines(self, vector: np.ndarray, kind: str) -> dict[int, float]:
        """Cosine of a vector with every thing of one kind."""
        matrix = self.matrices[kind]
        if not len(matrix.ids):
            return {}
        values = matrix.vectors @ vector
        return {int(i): float(v) for i, v in zip(matrix.ids, values, strict=True)}

    def best_cosines(
        self, vectors: list[np.ndarray], kind: str
    ) -> tuple[dict[int, float], dict[int, int]]:
        """For each thing of one kind, its best cosine with any of several vectors, and which."""
        matrix = self.matrices[kind]
        if not len(matrix.ids) or not vectors:
            return {}, {}
        values = matrix.vectors @ np.stack(vectors).T
        best, which = values.max(axis=1), values.argmax(axis=1)
        ids = [int(i) for i in matrix.ids]
        return (
            {i: float(v) for i, v in zip(ids, best, strict=True)},
            {i: int(w) for i, w in zip(ids, which, strict=True)},
        )

    def idf2(self, token: str) -> float:
        """Squared smoothed IDF of a token over all items."""
        found = self._idf2.get(token)
        if found is None:
            idf = math.log((self.n_docs + 1) / (self.df.get(token, 0) + 1)) + 1.0
            found = self._idf2[token] = idf * idf
        return found

    def norm(self, tokens: frozenset[str]) -> float:
        """IDF norm of a token set (memoised: the same sets are compared again and again)."""
        found = self._norms.get(tokens)
        if found is None:
            found = self._norms[tokens] = math.sqrt(sum(self.idf2(t) for t in tokens)) or 1.0
        return found

    def lexical(self, a: frozenset[str], b: frozenset[str]) -> float:
        """IDF-weighted cosine of two token sets, scaled to [0, 1]."""
        if not a or not b:
            return 0.0
        small, large = (a, b) if len(a) <= len(b) else (b, a)
        shared = sum(self.idf2(t) for t in small if t in large)
        return min(1.0, shared / (self.norm(a) * self.norm(b)) / LEXICAL_SCALE)


def calibrate(cosines: dict[int, float]) -> tuple[float, float]:
    """(typical, best) cosine of a source against every candidate of a kind."""
    if not cosines:
        return 0.0, 1.0
    values = np.fromiter(cosines.values(), dtype=np.float64, count=len(cosines))
    typical, best = float(values.mean()), float(values.max())
    return typical, max(best, typical + MIN_SPREAD)


def relative(cosine: float, typical: float, best: float) -> float:
    """A cosine on the source's own scale: 0 at its typical candidate, 1 at its best."""
    return min(1.0, max(0.0, (cosine - typical) / (best - typical)))
