"""The search index of all three item kinds: kept in step with the database, searched with filters.

`SearchIndex` owns, per kind, a vector store (FAISS `VectorIndex`, or `PgVectorIndex` in
PostgreSQL when MATCHMAKER_VECTOR_STORE=pgvector), a BM25 `LexicalIndex` and a `MetadataTable`
of filterable fields, plus the content hash each vector was made from (`persist.KindIndex`).

Policy (what is indexed): every item in the database, whatever its status; status is a filter
whose default is `active`, so closing an item hides it at once and reopening it costs no
embedding. Rows deleted from the database are removed from the index.

Freshness: `sync(session)` compares ids and content hashes with the database (`records.py`)
and embeds only new or changed texts (through the on-disk embedding cache); structured fields
(status, park, TRL…) are re-read on every sync and need no embedding. `upsert_items` /
`delete_items` apply one write in milliseconds (plus one embedding), so the API shows a change
without a restart. Durability: `save()` / `load()` (`persist.py`).

Searching free text with query cleaning, the query-vector cache, rejected pairs and reasons is
`matchmaker.retrieval.search.SearchService`; this class answers "which ids, with which scores".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.embed import Embedder, EmbeddingCache, embed_documents_cached
from matchmaker.retrieval.index.backend import VectorBackend, VectorFactory
from matchmaker.retrieval.index.filters import Filters, ItemMeta, is_member
from matchmaker.retrieval.index.hybrid import FusionParams, fuse, minmax
from matchmaker.retrieval.index.persist import KindIndex, now, read_saved, save_index
from matchmaker.retrieval.index.records import (
    Hit,
    KindChanges,
    Row,
    SyncReport,
    read_rows,
    read_texts,
    text_hash,
    unknown_kind,
)
from matchmaker.retrieval.index.vector import DEFAULT_ANN_THRESHOLD, VectorIndex

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")
EMBED_CHUNK = 256  # texts per lexical update
PROGRESS_CHUNK = 32  # texts per embedding call: progress and searchability every ~5 s on 2 cores
Progress = Callable[[str, int, int], None]  # (kind, done, total)


@dataclass(frozen=True)
class Expansion:
    """What query understanding adds to a search: lexical words at a weight, industries to boost."""

    words: tuple[str, ...] = ()
    weight: float = 0.4
    industries: frozenset[str] = frozenset()
    boost: float = 0.05


class WordFrequencies:
    """A read-only `get(word, default)` over one kind's lexical index, always current."""

    def __init__(self, lexical: Any, lock: threading.RLock) -> None:
        self._lexical = lexical
        self._lock = lock

    def get(self, word: str, default: int = 0) -> int:
        """Documents containing the word (default when none)."""
        with self._lock:
            return self._lexical.document_frequency(word) or default


def _add_scores(
    base: list[tuple[int, float]], extra: list[tuple[int, float]], weight: float, k: int
) -> list[tuple[int, float]]:
    """Two BM25 lists summed (the second at `weight`), best first, top k."""
    total = dict(base)
    for doc, score in extra:
        total[doc] = total.get(doc, 0.0) + weight * score
    return sorted(total.items(), key=lambda p: (-p[1], p[0]))[:k]


__all__ = [
    "Expansion",
    "Hit",
    "KindChanges",
    "Mode",
    "MODES",
    "SearchIndex",
    "SyncReport",
    "open_index",
]


@dataclass
class _Plan:
    """What a sync will do to one kind: items to embed (id, content hash) and their texts."""

    changes: KindChanges = field(default_factory=KindChanges)
    todo: list[tuple[int, str]] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)


class SearchIndex:
    """Dense + lexical search over achievements, needs and scenarios, with structured filters."""

    def __init__(
        self,
        embedder: Embedder,
        directory: Path | None = None,
        *,
        cache: EmbeddingCache | None = None,
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        fusion: FusionParams | None = None,
        vector_factory: VectorFactory | None = None,
    ) -> None:
        """`vector_factory` (kind → store) puts the vectors elsewhere than in-process FAISS
        (pgvector: `matchmaker.retrieval.index.stores`)."""
        self.embedder = embedder
        self.vector_factory = vector_factory
        self.directory = Path(directory) if directory is not None else None
        self.cache = cache
        self.ann_threshold = ann_threshold
        self.fusion = fusion or FusionParams()
        self.parts: dict[str, KindIndex] = {
            kind: KindIndex(embedder.dim, ann_threshold, self.new_vector_store(kind))
            for kind in ITEM_KINDS
        }
        # items whose vector another process is still to store (pgvector, `defer_missing`)
        self._awaiting: dict[str, dict[int, str]] = {kind: {} for kind in ITEM_KINDS}
        self.lock = threading.RLock()
        self._pending_reason: str | None = None
        self._backlog: dict[str, int] = {}
        self.updated_at: str | None = None
        self.saved_at: str | None = None

    def new_vector_store(self, kind: str) -> VectorBackend:
        """A vector store for one kind: the factory's, else an empty in-process FAISS index."""
        if self.vector_factory is not None:
            return self.vector_factory(kind)
        return VectorIndex(self.embedder.dim, ann_threshold=self.ann_threshold)

    # ---- facts -------------------------------------------------------------------------------
    def count(self, kind: str) -> int:
        """Items of `kind` in the index (any status)."""
        return len(self._kind(kind).vector)

    def status(self) -> dict[str, Any]:
        """Counts, embedder, fingerprint, index types and times, for `matchmaker index status`."""
        with self.lock:
            return {
                "embedder": self.embedder.name,
                "fingerprint": self.embedder.fingerprint,
                "dim": self.embedder.dim,
                "updated_at": self.updated_at,
                "saved_at": self.saved_at,
                "kinds": {kind: part.vector.describe() for kind, part in self.parts.items()},
            }

    def vectors(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, stored document vectors) of `kind`, ids sorted: for exact re-scoring."""
        with self.lock:
            return self._kind(kind).vector.items()

    def vector_of(self, kind: str, item_id: int) -> np.ndarray | None:
        """The stored document vector of one item, or None when it is not indexed."""
        with self.lock:
            vectors = self._kind(kind).vector
            return vectors.vector(item_id) if item_id in vectors else None

    def count_matching(self, kind: str, filters: Filters | None = None) -> int:
        """How many items of `kind` pass `filters` (default: active ones)."""
        with self.lock:
            table = self._kind(kind).meta
            selected = table.select(filters if filters is not None else Filters())
            return len(table) if selected is None else len(selected)

    def _kind(self, kind: str) -> KindIndex:
        found = self.parts.get(kind)
        if found is None:
            raise unknown_kind(kind)
        return found

    # ---- keeping in step with the database -----------------------------------------------------
    def sync(
        self, session: Session, progress: Progress | None = None, *, defer_missing: bool = False
    ) -> SyncReport:
        """Bring every kind in line with the database, embedding only new or changed texts.

        Searches keep being answered meanwhile: the lock is held only while the indexes change,
        never while the database is read or texts are embedded. Every kind's new and changed
        items are first put into the lexical index and the filters (`backlog()` counts them),
        so they are found by their words before their vectors are ready."""
        started = time.perf_counter()
        report = SyncReport(rebuilt_reason=self._pending_reason)
        plans: list[tuple[str, _Plan]] = []
        for kind in ITEM_KINDS:
            rows = read_rows(session, kind)
            plan = self._plan(session, kind, rows)
            present = {r.meta.id for r in rows}
            with self.lock:
                part = self.parts[kind]
                plan.changes.removed = self._remove(
                    kind, [i for i in set(part.metas) | set(part.hashes) if i not in present]
                )
                self._backlog[kind] = len(plan.todo)
            plans.append((kind, plan))
        for planned_kind, plan in plans:
            self._embed(planned_kind, plan, progress, defer_missing=defer_missing)
            report.kinds[planned_kind] = plan.changes
        self._pending_reason = None
        if report.changed:
            self.updated_at = now()
        report.seconds = time.perf_counter() - started
        return report

    def backlog(self) -> int:
        """Items a running sync has yet to embed (found meanwhile by their words only)."""
        with self.lock:
            return sum(self._backlog.values())

    def upsert_items(
        self, session: Session, kind: str, ids: Sequence[int], *, defer_missing: bool = False
    ) -> KindChanges:
        """Apply writes to some items now (ids gone from the database are removed);
        `defer_missing`: take vectors another process stored, embed none (see `_embed`)."""
        self._kind(kind)
        rows = read_rows(session, kind, ids)
        found = {r.meta.id for r in rows}
        plan = self._plan(session, kind, rows)
        self._embed(kind, plan, None, count_backlog=False, defer_missing=defer_missing)
        changes = plan.changes
        with self.lock:
            gone = [i for i in {int(i) for i in ids} if i not in found]
            changes.removed = self._remove(kind, gone)
            if changes.added or changes.updated or changes.removed:
                self.updated_at = now()
        return changes

    def delete_items(self, kind: str, ids: Sequence[int]) -> int:
        """Remove items from the index now; returns how many were there."""
        with self.lock:
            self._kind(kind)
            removed = self._remove(kind, [int(i) for i in ids])
            if removed:
                self.updated_at = now()
            return removed

    def bulk_load(
        self,
        kind: str,
        metas: Sequence[ItemMeta],
        vectors: np.ndarray,
        texts: Sequence[str],
        hashes: Sequence[str] | None = None,
    ) -> None:
        """Index items whose vectors are already computed (benchmarks, migrations), no database."""
        if not len(metas) == len(vectors) == len(texts):
            raise ValueError("metas, vectors and texts differ in length")
        with self.lock:
            part = self._kind(kind)
            ids = [m.id for m in metas]
            made_from = list(hashes or [text_hash(t) for t in texts])
            part.meta.upsert(metas)
            part.metas.update((m.id, m) for m in metas)
            part.vector.upsert(ids, vectors, made_from)
            part.lexical.upsert(ids, texts)
            part.hashes.update(zip(ids, made_from, strict=True))
            self.updated_at = now()

    def _remove(self, kind: str, ids: list[int]) -> int:
        """Drop items from every part of a kind (call under the lock)."""
        for item_id in ids:
            self._awaiting[kind].pop(item_id, None)
        return self.parts[kind].remove(ids)

    def known_ids(self, kind: str) -> set[int]:
        """Ids of `kind` this index holds in any part (for following other processes' writes)."""
        with self.lock:
            part = self._kind(kind)
            return set(part.metas) | set(part.hashes) | set(self._awaiting[kind])

    def awaiting(self) -> int:
        """Items found by their words whose vector another process has yet to store."""
        with self.lock:
            return sum(len(v) for v in self._awaiting.values())

    def adopt_awaiting(self) -> int:
        """Take the vectors other processes stored meanwhile for awaited items; returns how many."""
        taken = 0
        with self.lock:
            for kind, waiting in self._awaiting.items():
                if not waiting:
                    continue
                part = self.parts[kind]
                found = part.vector.adopt(list(waiting.items()))
                for item_id in found:
                    part.hashes[item_id] = waiting.pop(item_id)
                taken += len(found)
            if taken:
                self.updated_at = now()
        return taken

    def _plan(self, session: Session, kind: str, rows: list[Row]) -> _Plan:
        """Update the filter fields of `rows`, find those whose text must be (re-)embedded and put
        their words into the lexical index already."""
        plan = _Plan()
        changes = plan.changes
        unhashed = [r.meta.id for r in rows if not r.content_hash]
        texts = read_texts(session, kind, unhashed) if unhashed else {}
        todo: list[tuple[int, str]] = []
        with self.lock:
            part = self.parts[kind]
            meta_changed = [r.meta for r in rows if part.metas.get(r.meta.id) != r.meta]
            # a field change counts as an update only when the old fields were known (not after load)
            meta_updated = {m.id for m in meta_changed if m.id in part.metas}
            part.meta.upsert(meta_changed)
            part.metas.update((m.id, m) for m in meta_changed)
            for row in rows:
                item_id = row.meta.id
                wanted = row.content_hash or text_hash(texts.get(item_id, ""))
                if (
                    part.hashes.get(item_id) == wanted
                    and item_id in part.vector
                    and item_id in part.lexical
                ):
                    if item_id in meta_updated:
                        changes.updated += 1
                    else:
                        changes.unchanged += 1
                else:
                    todo.append((item_id, wanted))
        missing_text = [i for i, _ in todo if i not in texts]
        texts.update(read_texts(session, kind, missing_text) if missing_text else {})
        plan.todo = [(i, h) for i, h in todo if i in texts]  # rows deleted meanwhile are skipped
        plan.texts = {i: texts[i] for i, _ in plan.todo}
        for start in range(0, len(plan.todo), EMBED_CHUNK):
            ids = [i for i, _ in plan.todo[start : start + EMBED_CHUNK]]
            with self.lock:
                self.parts[kind].lexical.upsert(ids, [plan.texts[i] for i in ids])
        return plan

    def _embed(
        self,
        kind: str,
        plan: _Plan,
        progress: Progress | None,
        *,
        count_backlog: bool = True,
        defer_missing: bool = False,
    ) -> None:
        """Embed a plan's texts chunk by chunk, making each chunk searchable by meaning at once.

        A shared vector store (pgvector) may already hold a vector made from the same text by
        another process: it is taken as it is (`adopt`), never embedded again. With
        `defer_missing` the rest is not embedded either but awaited (`adopt_awaiting`): a reading
        replica leaves the embedding to the process that wrote the item."""
        changes, todo = plan.changes, plan.todo
        if progress is not None:
            progress(kind, 0, len(todo))
        for start in range(0, len(todo), PROGRESS_CHUNK):
            chunk = todo[start : start + PROGRESS_CHUNK]
            with self.lock:
                part = self.parts[kind]
                known = {i for i, _ in chunk if i in part.hashes or i in part.vector}
                adopted = part.vector.adopt(chunk)
                for item_id, content_hash in chunk:
                    if item_id in adopted:
                        part.hashes[item_id] = content_hash
                        self._awaiting[kind].pop(item_id, None)
            rest = [(i, h) for i, h in chunk if i not in adopted]
            if defer_missing:
                with self.lock:
                    self._awaiting[kind].update(rest)
                rest = []
            ids = [i for i, _ in rest]
            vectors = (
                embed_documents_cached(self.embedder, [plan.texts[i] for i in ids], self.cache)
                if ids
                else None
            )
            with self.lock:
                part = self.parts[kind]
                done = adopted | set(ids)
                changes.updated += len(known & done)
                changes.added += len(done - known)
                if vectors is not None:
                    part.vector.upsert(ids, vectors, [h for _, h in rest])
                    part.hashes.update(rest)
                    for item_id in ids:
                        self._awaiting[kind].pop(item_id, None)
                changes.embedded += len(ids)
                if count_backlog:
                    self._backlog[kind] = max(0, self._backlog.get(kind, 0) - len(chunk))
            if progress is not None:
                progress(kind, start + len(chunk), len(todo))

    # ---- search ------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        kind: str,
        k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        *,
        vector: np.ndarray | None = None,
        expansion: Expansion | None = None,
    ) -> list[Hit]:
        """Best k items of `kind` for a free-text query, among those passing `filters`
        (default: active items only); pass `vector` when the query is already embedded, and
        `expansion` for extra lexical words and industries to boost (query understanding)."""
        if mode not in MODES:
            raise ValueError(f"未知检索方式 {mode!r} / unknown mode {mode!r}; use one of {MODES}")
        if vector is None and mode != "lexical":
            vector = self.embedder.encode_queries([query])[0]
        return self._search(kind, k, filters, mode, vector, query, expansion)

    def frequencies(self, kind: str) -> WordFrequencies:
        """Current document frequencies of the words of `kind` (for ranking shared words)."""
        return WordFrequencies(self._kind(kind).lexical, self.lock)

    def coverage(
        self, kind: str, query: str, ids: Sequence[int], ignore: frozenset[str] = frozenset()
    ) -> dict[int, float]:
        """Idf-weighted share of the query's words each item contains (see LexicalIndex)."""
        with self.lock:
            return self._kind(kind).lexical.coverage(query, ids, ignore)

    def similar_to_item(
        self,
        kind: str,
        item_id: int,
        target_kind: str,
        k: int = 10,
        filters: Filters | None = None,
        *,
        text: str | None = None,
    ) -> list[Hit]:
        """The items of `target_kind` closest to one indexed item (item-to-item retrieval).

        The query is the source's stored document vector (no embedding at request time). Passing
        `text` (the source's `embedding_text()`) fuses BM25 over that text in as well. Measured
        on the demo pairs (docs/index.md): the stored vector ranks as well as re-encoding the
        text as an e5 `query:` (MRR@10 0.938 both), and BM25 adds ~0.03.
        """
        stored = self.vector_of(kind, item_id)
        if stored is None:
            raise KeyError(f"索引中没有 {kind} {item_id} / {kind} {item_id} is not indexed")
        if kind == target_kind:
            base = filters or Filters()
            filters = replace(base, exclude_ids=base.exclude_ids | frozenset({item_id}))
        mode: Mode = "hybrid" if text else "dense"
        return self._search(target_kind, k, filters, mode, stored, text)

    def _search(
        self,
        kind: str,
        k: int,
        filters: Filters | None,
        mode: Mode,
        vector: np.ndarray | None,
        query: str | None,
        expansion: Expansion | None = None,
    ) -> list[Hit]:
        if k <= 0:
            return []
        with self.lock:
            part = self._kind(kind)
            allowed = part.meta.select(filters if filters is not None else Filters())
            if allowed is not None and not len(allowed):
                return []
            depth = k if mode != "hybrid" else max(k, self.fusion.depth)
            dense: list[tuple[int, float]] = []
            lexical: list[tuple[int, float]] = []
            dense_query = vector if mode != "lexical" else None
            if dense_query is not None and not part.vector.lock_free_search:
                dense = part.vector.search(dense_query, depth, allowed)
            if mode != "dense" and query:
                lexical = self._lexical(part, query, depth, allowed)
                if expansion is not None and expansion.words:
                    extra = self._lexical(part, " ".join(expansion.words), depth, allowed)
                    lexical = _add_scores(lexical, extra, expansion.weight, depth)
            # items still waiting for their embedding (catch-up backlog) have no dense score
            pending = {i for i, _ in lexical if i not in part.vector} if mode == "hybrid" else set()
            boosted: np.ndarray | None = None
            if expansion is not None and expansion.industries and mode == "hybrid":
                chosen = Filters(industries=expansion.industries, statuses=None)
                boosted = part.meta.select(chosen)
        if dense_query is not None and part.vector.lock_free_search:  # a database query
            dense = part.vector.search(dense_query, depth, allowed)
        if mode == "dense":
            return [Hit(i, kind, s, dense_score=s) for i, s in dense[:k]]
        if mode == "lexical":
            return [Hit(i, kind, s, lexical_score=s) for i, s in lexical[:k]]
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        fused = fuse(dense, lexical, self.fusion)
        if pending:  # scored by their words alone until embedded, not as if meaning said "no"
            words = minmax(lexical)
            fused = sorted(
                ((i, words[i] if i in pending else s) for i, s in fused),
                key=lambda p: (-p[1], p[0]),
            )
        if boosted is not None and expansion is not None and fused:
            ids = np.fromiter((i for i, _ in fused), dtype=np.int64, count=len(fused))
            member = is_member(ids, boosted)
            fused = sorted(
                (
                    (i, s + expansion.boost * bool(m))
                    for (i, s), m in zip(fused, member, strict=True)
                ),
                key=lambda p: (-p[1], p[0]),
            )
        return [
            Hit(i, kind, float(s), dense_scores.get(i), lexical_scores.get(i)) for i, s in fused[:k]
        ]

    @staticmethod
    def _lexical(
        part: KindIndex, query: str, k: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """BM25 restricted to `allowed`. When most items are allowed, an unrestricted search
        over-fetched and then filtered gives the same top-k far faster; it falls back to the
        restricted search whenever the filtered list comes up short."""
        if allowed is None:
            return part.lexical.search(query, k)
        total = max(1, len(part.meta))
        fraction = len(allowed) / total
        if fraction >= 0.5:
            fetch = int(k / fraction) + 10
            hits = part.lexical.search(query, fetch)
            hit_ids = np.fromiter((i for i, _ in hits), dtype=np.int64, count=len(hits))
            kept = [hit for hit, ok in zip(hits, is_member(hit_ids, allowed), strict=True) if ok]
            if len(kept) >= k or len(hits) < fetch:
                return kept[:k]
        return part.lexical.search(query, k, allowed_ids=set(allowed.tolist()))

    # ---- persistence -------------------------------------------------------------------------
    def save(self) -> Path:
        """Write the whole index atomically into `directory` (previous save stays until switched)."""
        return save_index(self)

    def load(self, session: Session, progress: Progress | None = None) -> SyncReport:
        """Read the last complete save (if it fits this embedder), then sync with the database."""
        self.read_saved()
        return self.sync(session, progress)

    def read_saved(self) -> None:
        """Read the last complete save (if it fits this embedder and its checksums match); the
        next `sync` catches up with the database and reports why it rebuilt, if it must."""
        self._pending_reason = read_saved(self)


def open_index(
    session: Session,
    embedder: Embedder,
    directory: Path,
    *,
    cache: EmbeddingCache | None = None,
    progress: Progress | None = None,
    vector_factory: VectorFactory | None = None,
) -> SearchIndex:
    """An index loaded from `directory`, repaired against the database, saved if it changed."""
    return open_index_with_report(
        session,
        embedder,
        directory,
        cache=cache,
        progress=progress,
        vector_factory=vector_factory,
    )[0]


def open_index_with_report(
    session: Session,
    embedder: Embedder,
    directory: Path,
    *,
    cache: EmbeddingCache | None = None,
    progress: Progress | None = None,
    vector_factory: VectorFactory | None = None,
) -> tuple[SearchIndex, SyncReport]:
    """`open_index`, also returning what the load and sync did (for the CLI)."""
    index = SearchIndex(embedder, directory, cache=cache, vector_factory=vector_factory)
    report = index.load(session, progress)
    if report.changed or report.rebuilt_reason or index.saved_at is None:
        index.save()
    return index, report


def sync_default_index(progress: Progress | None = None) -> SyncReport:
    """After a data import: bring the configured saved index up to date with the database."""
    from matchmaker.core.container import get_container
    from matchmaker.store.db import session_scope

    container = get_container()
    with session_scope() as session:
        return open_index_with_report(
            session,
            container.embedder,
            container.settings.index_dir,
            cache=container.embedding_cache,
            progress=progress,
            vector_factory=container.vector_factory(),
        )[1]
