"""Keyword search: BM25 over jieba words.

The index keeps per-document term counts, marks itself stale on change, and rebuilds a sparse
document-term matrix with scipy on the next search (no per-document Python loop at build time:
bm25s's own indexer has one and needs seconds at 100k documents).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from matchmaker.retrieval.index.tokenize import TOKENIZER_VERSION, tokenize

FORMAT_VERSION = 2
_Index = TypeVar("_Index", bound="_TermIndex")


@dataclass(frozen=True)
class _Built:
    """One build: row order, and the weighted document-term matrix (column-sliceable)."""

    row_ids: np.ndarray  # row -> document id
    row_of: dict[int, int]  # document id -> row
    matrix: sp.csc_matrix  # rows x vocabulary, float32 (raw counts or final weights)
    idf: np.ndarray  # per term id
    row_factor: np.ndarray  # per row, used by the scorer (BM25 length normalisation)


class _TermIndex:
    """Shared machinery: vocabulary, per-document term counts, lazy rebuild, top-k, persistence."""

    file_name = "index.jsonl"
    kind = "base"

    def __init__(self) -> None:
        self._docs: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id -> (term ids, counts)
        self._vocab: dict[str, int] = {}
        self._built: _Built | None = None
        self._lock = threading.RLock()

    # -- what subclasses define ---------------------------------------------------------------
    def _analyze(self, text: str) -> list[str]:
        raise NotImplementedError

    def _prepare(self, counts: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """From raw counts (rows x vocabulary): the matrix to keep, idf, per-row factor."""
        raise NotImplementedError

    def _score(self, built: _Built, term_ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Score of every row for the query terms (with their counts in the query)."""
        raise NotImplementedError

    def _settings(self) -> dict[str, Any]:
        return {}

    # -- public API ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index documents (same as upsert: an existing id is replaced)."""
        self.upsert(ids, texts)

    def upsert(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index or replace documents; text analysis happens here, not at search time."""
        if len(ids) != len(texts):
            raise ValueError(
                f"ids 与 texts 数量不一致 / ids and texts differ in length: {len(ids)} != {len(texts)}"
            )
        self._put(ids, [self._analyze(text) for text in texts])

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents; unknown ids are ignored."""
        with self._lock:
            for doc_id in ids:
                if self._docs.pop(int(doc_id), None) is not None:
                    self._built = None

    def search(
        self, query: str, k: int = 10, allowed_ids: set[int] | None = None
    ) -> list[tuple[int, float]]:
        """Best `k` documents sharing terms with `query` as (id, score), best first;
        `allowed_ids` restricts results (e.g. one park or one document type)."""
        if k <= 0:
            return []
        terms = self._analyze(query)
        with self._lock:
            built = self._build()
            known = [self._vocab[t] for t in terms if t in self._vocab]
        if built is None or not known:
            return []
        term_ids, counts = np.unique(np.asarray(known, dtype=np.int64), return_counts=True)
        scores = self._score(built, term_ids, counts.astype(np.float64))
        if allowed_ids is None:
            rows = np.flatnonzero(scores > 0)
        else:
            rows = np.fromiter(
                (built.row_of[i] for i in allowed_ids if i in built.row_of), dtype=np.int64
            )
            rows = rows[scores[rows] > 0]
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        ranked = sorted(
            ((int(built.row_ids[r]), float(scores[r])) for r in rows), key=lambda p: (-p[1], p[0])
        )
        return ranked[:k]

    def document_frequency(self, token: str) -> int:
        """How many documents contain the word (as of the last change)."""
        with self._lock:
            built = self._build()
            at = self._vocab.get(token)
            df = getattr(self, "_df", None)
            if built is None or at is None or df is None or at >= len(df):
                return 0
            return int(df[at])

    def coverage(
        self, query: str, ids: Sequence[int], ignore: frozenset[str] = frozenset()
    ) -> dict[int, float]:
        """Per document, the idf-weighted share of the query's words it contains (0..1); words in
        `ignore` count for nothing, a word no document has weighs as the rarest word."""
        terms = {t for t in self._analyze(query) if t not in ignore}
        with self._lock:
            built = self._build()
            if built is None or not terms:
                return dict.fromkeys(ids, 0.0)
            rarest = float(built.idf.max()) if len(built.idf) else 1.0
            weights = {
                t: float(built.idf[self._vocab[t]]) if t in self._vocab else rarest for t in terms
            }
            wanted = {self._vocab[t]: w for t, w in weights.items() if t in self._vocab}
            total = sum(weights.values()) or 1.0
            out: dict[int, float] = {}
            for doc_id in ids:
                found = self._docs.get(int(doc_id))
                if found is None:
                    out[doc_id] = 0.0
                    continue
                present = set(found[0].tolist()) & wanted.keys()
                out[doc_id] = sum(wanted[t] for t in present) / total
            return out

    def save(self, directory: Path | str) -> None:
        """Write term counts to `directory/<file_name>` atomically (load needs no re-analysis)."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        with self._lock:
            words = {i: w for w, i in self._vocab.items()}
            header = {
                "kind": self.kind,
                "format": FORMAT_VERSION,
                "tokenizer": TOKENIZER_VERSION,
                "settings": self._settings(),
                "documents": len(self._docs),
            }
            fd, tmp_name = tempfile.mkstemp(prefix=".index-", dir=target)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(json.dumps(header) + "\n")
                    for doc_id, (term_ids, counts) in self._docs.items():
                        terms = [words[int(t)] for t in term_ids]
                        row = [doc_id, terms, counts.tolist()]
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                os.replace(tmp_name, target / self.file_name)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise

    @classmethod
    def load(cls: type[_Index], directory: Path | str) -> _Index:
        """Read an index written by `save`."""
        path = Path(directory) / cls.file_name
        if not path.exists():
            raise FileNotFoundError(f"找不到索引文件 / no index file at {path}")
        with path.open(encoding="utf-8") as handle:
            header = json.loads(handle.readline())
            if (
                header.get("kind") != cls.kind
                or header.get("format") != FORMAT_VERSION
                or header.get("tokenizer") != TOKENIZER_VERSION
            ):
                raise ValueError(
                    f"索引由其他版本生成，请重建 / index at {path} was written by another version; "
                    "rebuild it from the documents"
                )
            index = cls(**header.get("settings", {}))
            with index._lock:
                for line in handle:
                    doc_id, terms, counts = json.loads(line)
                    index._store(int(doc_id), terms, np.asarray(counts, dtype=np.int32))
        return index

    # -- internals ----------------------------------------------------------------------------
    def _put(self, ids: Iterable[int], term_lists: Iterable[list[str]]) -> None:
        with self._lock:
            for doc_id, terms in zip(ids, term_lists, strict=True):
                tally = Counter(terms)
                counts = np.fromiter(tally.values(), dtype=np.int32, count=len(tally))
                self._store(int(doc_id), list(tally), counts)
            self._built = None

    def _store(self, doc_id: int, terms: list[str], counts: np.ndarray) -> None:
        vocab = self._vocab
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in terms), np.int32, len(terms))
        self._docs[doc_id] = (ids, counts)
        self._built = None

    def _build(self) -> _Built | None:
        """Rebuild the matrix if anything changed since the last search (caller holds the lock)."""
        if self._built is not None or not self._docs:
            return self._built
        row_ids = np.fromiter(self._docs.keys(), dtype=np.int64, count=len(self._docs))
        pairs = list(self._docs.values())
        indptr = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum([len(ids) for ids, _ in pairs], out=indptr[1:])
        columns = np.concatenate([ids for ids, _ in pairs]) if indptr[-1] else np.zeros(0, np.int32)
        values = np.concatenate([c for _, c in pairs]) if indptr[-1] else np.zeros(0, np.int32)
        counts = sp.csr_matrix(
            (values.astype(np.float32), columns, indptr),
            shape=(len(pairs), max(len(self._vocab), 1)),
        )
        kept, idf, row_factor = self._prepare(counts)
        self._built = _Built(
            row_ids=row_ids,
            row_of=dict(zip(row_ids.tolist(), range(len(row_ids)), strict=True)),
            matrix=kept.tocsc(),
            idf=idf,
            row_factor=row_factor,
        )
        return self._built


def _document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)


class LexicalIndex(_TermIndex):
    """Okapi BM25, Lucene variant (bm25s's default formula, same scores) over jieba words."""

    file_name = "lexical.jsonl"
    kind = "bm25-jieba"

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        super().__init__()
        self.k1 = k1
        self.b = b

    def _settings(self) -> dict[str, Any]:
        return {"k1": self.k1, "b": self.b}

    def _analyze(self, text: str) -> list[str]:
        # accurate mode for documents and queries: indexing documents in search mode (long
        # words plus sub-words, so 电池 finds 锂电池) raised BM25 alone to 0.901 on csl-dev but
        # lowered its fusion with dense search (0.9555 vs 0.9565); dense covers sub-words
        return tokenize(text)

    def _prepare(self, counts: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        # keep raw counts: BM25 weights are computed for the query's columns only, so a
        # rebuild after a change costs one matrix conversion and nothing per entry
        n_docs = counts.shape[0]
        df = _document_frequency(counts)
        self._df = df
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        mean_length = float(lengths.mean()) or 1.0
        row_factor = self.k1 * (1.0 - self.b + self.b * lengths / mean_length)
        return counts, idf, row_factor

    def _score(self, built: _Built, term_ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
        columns = built.matrix[:, term_ids]
        rows = columns.indices
        tf = columns.data.astype(np.float64)
        column_of_entry = np.repeat(np.arange(len(term_ids)), np.diff(columns.indptr))
        # a word repeated in the query counts again, as in bm25s
        query_weight = (built.idf[term_ids] * counts)[column_of_entry]
        entry = query_weight * tf / (tf + built.row_factor[rows])
        return np.bincount(rows, weights=entry, minlength=len(built.row_ids))
