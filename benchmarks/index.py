"""`matchmaker bench index`: the measured figures behind docs/index.md.

Index part. Vectors at 10k/100k items are synthetic but shaped like real ones: each is a real e5
embedding of a real Chinese text (bdci-needs.jsonl, a need or one of its clauses) moved by a
scaled difference of two other real embeddings plus a little Gaussian noise, so the collection
keeps the anisotropy and cluster structure of e5 space. Their texts for BM25 are made of real
clauses. Queries are real: 30-character openings of the needs, embedded by the active embedder.
Embedding speed is measured on the real texts themselves.
"""

from __future__ import annotations

import gc
import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.corpus import (
    RealTexts,
    default_texts_path,
    read_real_texts,
    split_clauses,
    synthetic_items,
    synthetic_metas,
)
from matchmaker.retrieval.embed import Embedder


@dataclass(frozen=True)
class IndexBenchConfig:
    """What to measure; `quick` uses fewer texts and queries."""

    sizes: tuple[int, ...] = (10_000, 100_000)
    quick: bool = False
    texts_path: Path = field(default_factory=default_texts_path)
    seed: int = 0

    @property
    def query_count(self) -> int:
        """Queries per latency figure."""
        return 50 if self.quick else 200


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _machine() -> dict[str, Any]:
    import faiss

    model = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "load_before": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "numpy": np.__version__,
    }


def embed_real_texts(
    embedder: Embedder, config: IndexBenchConfig, log: Callable[[str], None]
) -> tuple[RealTexts, dict[str, Any]]:
    """Time embedding on real needs and real 30-character queries (never cached), then get the
    cluster centres (every need and 600 clauses) through the embedding cache."""
    from matchmaker.core.config import get_settings
    from matchmaker.retrieval.embed import EmbeddingCache, embed_documents_cached

    rng = np.random.default_rng(config.seed)
    records = read_real_texts(config.texts_path)
    documents = [f"{title} {text}".strip() for title, text in records]
    clauses = [split_clauses(text) or [title] for title, text in records]
    timed = documents[: 32 if config.quick else 128]
    log(f"embedding {len(timed)} real needs (documents, timed)…")
    embedder.encode_documents(timed[:2])  # warm-up
    started = time.perf_counter()
    embedder.encode_documents(timed)
    seconds = time.perf_counter() - started
    chars = sum(len(t) for t in timed)
    queries = [doc.replace(" ", "")[:30] for doc in documents]
    order = rng.permutation(len(queries))[: config.query_count]
    queries = [queries[i] for i in order]
    log(f"embedding {len(queries)} real 30-character queries one by one (timed)…")
    latencies, query_rows = [], []
    for query in queries:
        started_query = time.perf_counter()
        query_rows.append(embedder.encode_queries([query])[0])
        latencies.append(time.perf_counter() - started_query)
    pool = [(d, c) for d in range(len(documents)) for c in clauses[d]]
    picked = rng.permutation(len(pool))[: (150 if config.quick else 600)]
    leads = [pool[i][1] for i in picked]
    log(f"embedding {len(documents)} needs and {len(leads)} clauses as centres (cached)…")
    cache = EmbeddingCache(get_settings().embedding_cache_dir)
    centres = embed_documents_cached(embedder, documents + leads, cache)
    cache.close()
    real = RealTexts(
        documents=documents,
        clauses=clauses,
        centres=np.asarray(centres, dtype=np.float32),
        centre_doc=np.concatenate([np.arange(len(documents)), [pool[i][0] for i in picked]]),
        centre_lead=[title for title, _ in records] + leads,
        queries=queries,
        query_vectors=np.vstack(query_rows).astype(np.float32),
    )
    figures = {
        "documents": len(timed),
        "mean_chars": round(chars / len(timed), 1),
        "docs_per_s": round(len(timed) / seconds, 1),
        "chars_per_s": round(chars / seconds),
        "query_p50_ms": round(_pct(latencies, 50), 1),
        "query_p99_ms": round(_pct(latencies, 99), 1),
        "queries": len(queries),
    }
    return real, figures


def measure_size(
    embedder: Embedder,
    real: RealTexts,
    n: int,
    config: IndexBenchConfig,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Build an index of n synthetic items and time every search path on it."""
    from matchmaker.retrieval.index.filters import Filters
    from matchmaker.retrieval.index.service import SearchIndex
    from matchmaker.retrieval.index.vector import VectorIndex

    log(f"[{n}] generating {n} synthetic items…")
    vectors, texts, _ = synthetic_items(real, n, config.seed)
    metas = synthetic_metas(n, config.seed)
    gc.collect()
    log(f"[{n}] building the vector index alone…")
    alone = VectorIndex(embedder.dim)
    started = time.perf_counter()
    alone.upsert(np.arange(1, n + 1), vectors)
    vector_build = time.perf_counter() - started
    described = alone.describe()
    exact = np.argsort(-(real.query_vectors @ vectors.T), axis=1)[:, :10] + 1
    approx = alone.search_batch(real.query_vectors, 10)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx, exact, strict=True)]))
    del alone
    gc.collect()
    rss_before = _rss_mib()
    index = SearchIndex(embedder, None)
    kind = "need"
    log(f"[{n}] building the service index (vectors + jieba/BM25 + filter table)…")
    total_build = _timed(lambda: index.bulk_load(kind, metas, vectors, texts))
    rss_after = _rss_mib()

    queries, query_vectors = real.queries, real.query_vectors
    default = Filters()
    narrow = Filters.build(industries=["marine"], provinces=["广西"], trl_min=6)

    def dense(i: int) -> Any:
        return index.search(queries[i], kind, 10, default, "dense", vector=query_vectors[i])

    def lexical(i: int) -> Any:
        return index.search(queries[i], kind, 10, default, "lexical")

    def hybrid(i: int) -> Any:
        return index.search(queries[i], kind, 10, default, "hybrid", vector=query_vectors[i])

    def hybrid_narrow(i: int) -> Any:
        return index.search(queries[i], kind, 10, narrow, "hybrid", vector=query_vectors[i])

    def hybrid_embedding(i: int) -> Any:
        return index.search(queries[i], kind, 10, default)

    paths: dict[str, Callable[[int], Any]] = {
        "dense": dense,
        "lexical": lexical,
        "hybrid": hybrid,
        "hybrid, narrow filter": hybrid_narrow,
        "hybrid incl. query embedding": hybrid_embedding,
    }
    latency: dict[str, dict[str, float]] = {}
    for name, run in paths.items():
        _latencies(run, min(10, len(queries)))  # warm-up
        times = _latencies(run, len(queries))
        latency[name] = {"p50": round(_pct(times, 50), 2), "p99": round(_pct(times, 99), 2)}
        log(f"[{n}] {name}: p50 {latency[name]['p50']} ms, p99 {latency[name]['p99']} ms")
    matching = index.count_matching(kind, narrow)
    shortfall = sum(
        len(index.search(q, kind, 10, narrow, "dense", vector=v)) < min(10, matching)
        for q, v in zip(queries, query_vectors, strict=True)
    )
    result = {
        "n": n,
        "index": described,
        "vector_build_s": round(vector_build, 2),
        "service_build_s": round(total_build, 2),
        "rss_index_mib": round(rss_after - rss_before),
        "rss_total_mib": round(rss_after),
        "recall_at_10": round(recall, 4),
        "narrow_filter_items": matching,
        "narrow_filter_shortfalls": int(shortfall),
        "latency_ms": latency,
    }
    return result


def measure_crossover(
    real: RealTexts, largest: int, config: IndexBenchConfig, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Exact scan against IVF at growing sizes (dense, unfiltered): where the threshold sits."""
    from matchmaker.retrieval.index.vector import FLAT, IVF, VectorIndex

    vectors, _, _ = synthetic_items(real, largest, config.seed + 2)
    queries = real.query_vectors
    rows = []
    for n in sorted({max(1_000, largest // f) for f in (10, 5, 2, 1)}):
        row: dict[str, Any] = {"n": n}
        exact = np.argsort(-(queries @ vectors[:n].T), axis=1)[:, :10] + 1
        for name in (FLAT, IVF):
            threshold = 1 if name == IVF else n + 1  # force the kind being measured
            index = VectorIndex(real.centres.shape[1], ann_threshold=threshold)
            started = time.perf_counter()
            index.upsert(np.arange(1, n + 1), vectors[:n])
            build = time.perf_counter() - started
            run = _vector_runner(index, queries)
            _latencies(run, 10)  # warm-up
            times = _latencies(run, len(queries))
            got = index.search_batch(queries, 10)
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, exact, strict=True)])
            row[name] = {
                "p50": round(_pct(times, 50), 2),
                "p99": round(_pct(times, 99), 2),
                "build_s": round(build, 2),
                "recall": round(float(recall), 4),
                "nlist": index.nlist,
                "nprobe": index.nprobe,
            }
        log(f"[crossover {n}] flat {row[FLAT]} ivf {row[IVF]}")
        rows.append(row)
    return rows


def _vector_runner(index: Any, queries: np.ndarray) -> Callable[[int], Any]:
    return lambda i: index.search(queries[i], 10)


def _latencies(run: Callable[[int], Any], count: int) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        run(i)
        times.append(time.perf_counter() - started)
    return times


class TimedEmbedder:
    """The real embedder, with the time spent inside it added up (to split edit latency)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim, self.fingerprint = inner.name, inner.dim, inner.fingerprint
        self.reset()

    def reset(self) -> None:
        """Start counting from zero."""
        self.document_s = 0.0
        self.query_s = 0.0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries, counting the time."""
        started = time.perf_counter()
        try:
            return self.inner.encode_queries(texts)
        finally:
            self.query_s += time.perf_counter() - started

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents, counting the time."""
        started = time.perf_counter()
        try:
            return self.inner.encode_documents(texts)
        finally:
            self.document_s += time.perf_counter() - started


def measure_edit(
    embedder: Embedder,
    real: RealTexts,
    config: IndexBenchConfig,
    log: Callable[[str], None],
    n: int = 10_000,
) -> dict[str, Any]:
    """Real SQLite + service at n items: initial sync (vectors from the cache), then one edit."""
    from sqlalchemy import insert

    from matchmaker.retrieval.embed import EmbeddingCache
    from matchmaker.retrieval.embed.base import clean_texts
    from matchmaker.retrieval.embed.cache import text_key
    from matchmaker.retrieval.index.service import SearchIndex
    from matchmaker.store.db import make_engine, session_factory, upgrade
    from matchmaker.store.models import Need, Organisation

    vectors, texts, _ = synthetic_items(real, n, config.seed + 1)
    with tempfile.TemporaryDirectory(prefix="mm-bench-") as folder:
        root = Path(folder)
        engine = make_engine(f"sqlite:///{root / 'bench.db'}")
        upgrade(engine)
        make_session = session_factory(engine)
        log(f"[edit] writing {n} needs to SQLite…")
        with make_session() as session:
            org = Organisation(
                external_id="BENCH", name="基准企业", kind="enterprise", province="广西"
            )
            session.add(org)
            session.flush()
            rows: list[dict[str, Any]] = []
            embedding_texts: list[str] = []
            for i, text in enumerate(texts):
                title, _, body = text.partition("。")
                need = Need(
                    external_id=f"B{i}",
                    title=title[:300],
                    description=body or title,
                    enterprise_id=org.id,
                )
                rows.append(
                    {
                        "external_id": need.external_id,
                        "title": need.title,
                        "description": need.description,
                        "enterprise_id": org.id,
                        "status": "active",
                        "industries": ["new-energy"],
                        "keywords": [],
                        "coop_modes": [],
                        "content_hash": need.refresh_hash(),
                    }
                )
                embedding_texts.append(need.embedding_text())
            cache = EmbeddingCache(root / "cache")
            keys = [text_key(t) for t in clean_texts(embedding_texts)]
            cache.put_many(embedder.fingerprint, "document", list(zip(keys, vectors, strict=True)))
            session.execute(insert(Need), rows)
            session.commit()
        timed = TimedEmbedder(embedder)
        index = SearchIndex(timed, root / "index", cache=cache)
        with make_session() as session:
            log(f"[edit] first sync of {n} items (vectors from the cache)…")
            first_sync = _timed(lambda: index.sync(session))
            save = _timed(index.save)
            target = session.get(Need, 5)
            assert target is not None
            new_text = "防爆锂离子电池热失控早期预警系统，需支持储能柜多点温度与气体监测"
            target.description = new_text
            target.refresh_hash()
            session.commit()
            timed.reset()
            started = time.perf_counter()
            index.upsert_items(session, "need", [target.id])
            hits = index.search("储能柜热失控预警", "need", 1)
            edit_total = time.perf_counter() - started
            embed_doc, embed_query = timed.document_s, timed.query_s
            found = bool(hits) and hits[0].id == target.id
            target.title = target.title + "（更新）"
            target.refresh_hash()
            session.commit()
            full_sync = _timed(lambda: index.sync(session))
        with make_session() as session:
            restarted = SearchIndex(embedder, root / "index", cache=cache)
            load = _timed(lambda: restarted.load(session))
        engine.dispose()
        cache.close()
    return {
        "n": n,
        "first_sync_s": round(first_sync, 2),
        "save_s": round(save, 2),
        "load_and_check_s": round(load, 2),
        "edit_upsert_and_search_ms": round(edit_total * 1000, 1),
        "one_document_embedding_ms": round(embed_doc * 1000, 1),
        "one_query_embedding_ms": round(embed_query * 1000, 1),
        "edit_without_embeddings_ms": round((edit_total - embed_doc - embed_query) * 1000, 1),
        "edited_item_found_first": found,
        "sync_after_one_edit_s": round(full_sync, 2),
    }


def run_index_bench(config: IndexBenchConfig, log: Callable[[str], None] = print) -> str:
    """Run every index measurement and return the figures as Markdown."""
    from matchmaker.core.config import get_settings
    from matchmaker.retrieval.embed import get_embedder

    embedder = get_embedder(get_settings().embedder)
    machine = _machine()
    real, embedding = embed_real_texts(embedder, config, log)
    sizes = [measure_size(embedder, real, n, config, log) for n in config.sizes]
    crossover = measure_crossover(real, max(config.sizes), config, log)
    edit = measure_edit(embedder, real, config, log)
    machine["load_after"] = round(os.getloadavg()[0], 2)
    return format_markdown(config, machine, embedder, embedding, sizes, crossover, edit)


def format_markdown(
    config: IndexBenchConfig,
    machine: dict[str, Any],
    embedder: Embedder,
    embedding: dict[str, Any],
    sizes: list[dict[str, Any]],
    crossover: list[dict[str, Any]],
    edit: dict[str, Any],
) -> str:
    """The figures as the Markdown tables docs/index.md shows."""
    lines = [
        f"Machine: {machine['cores']} cores, {machine['cpu']}; Python {machine['python']}, "
        f"FAISS {machine['faiss']}, numpy {machine['numpy']}; load average "
        f"{machine['load_before']} before, {machine['load_after']} after.",
        f"Embedder: {embedder.name} (fingerprint {embedder.fingerprint}, dim {embedder.dim}). "
        f"Mode: {'quick' if config.quick else 'full'}.",
        "",
        "Index vectors are SYNTHETIC (real e5 embeddings of real needs and their clauses, moved "
        "by scaled differences of other real embeddings plus noise); texts are real clauses "
        "recombined; queries and embedding figures are real.",
        "",
        "| items | index | vector index build s | full build s (vectors + BM25 + filters) | RSS of the built index MiB | recall@10 vs exact |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for s in sizes:
        info = s["index"]
        kind = (
            f"IVF nlist={info['nlist']} nprobe={info['nprobe']}"
            if info["type"] == "ivf"
            else "Flat (exact)"
        )
        lines.append(
            f"| {s['n']:,} | {kind} | {s['vector_build_s']} | {s['service_build_s']} | "
            f"{s['rss_index_mib']} | {s['recall_at_10']:.3f} |"
        )
    lines += ["", "Warm query latency, k=10, default filter (active only), ms p50 / p99:", ""]
    names = list(sizes[0]["latency_ms"]) if sizes else []
    lines.append("| items | " + " | ".join(names) + " |")
    lines.append("|---:|" + "---:|" * len(names))
    for s in sizes:
        cells = [
            f"{s['latency_ms'][name]['p50']} / {s['latency_ms'][name]['p99']}" for name in names
        ]
        lines.append(f"| {s['n']:,} | " + " | ".join(cells) + " |")
    lines.append("")
    for s in sizes:
        lines.append(
            f"Narrow filter at {s['n']:,}: {s['narrow_filter_items']} items match "
            f"(marine, 广西, TRL ≥ 6); searches returning fewer than min(10, matches): "
            f"{s['narrow_filter_shortfalls']}."
        )
    lines += [
        "",
        "Exact scan against IVF by size (dense only, unfiltered, k=10), ms p50 / p99:",
        "",
        "| items | Flat (exact) | IVF | IVF nlist / nprobe | IVF build s | IVF recall@10 |",
        "|---:|---:|---:|---|---:|---:|",
    ]
    for row in crossover:
        flat, ivf = row["flat"], row["ivf"]
        lines.append(
            f"| {row['n']:,} | {flat['p50']} / {flat['p99']} | {ivf['p50']} / {ivf['p99']} | "
            f"{ivf['nlist']} / {ivf['nprobe']} | {ivf['build_s']} | {ivf['recall']:.3f} |"
        )
    lines += [
        "",
        f"Embedding ({embedder.name}, {embedding['documents']} real needs, mean "
        f"{embedding['mean_chars']} characters, batches of 32): "
        f"{embedding['docs_per_s']} documents/s ({embedding['chars_per_s']} characters/s); "
        f"one 30-character query p50 {embedding['query_p50_ms']} ms, p99 {embedding['query_p99_ms']} ms "
        f"({embedding['queries']} queries).",
        "",
        f"Edit at {edit['n']:,} items (SQLite, service): first sync {edit['first_sync_s']} s "
        f"(vectors from the cache), save {edit['save_s']} s, load + check against the database "
        f"{edit['load_and_check_s']} s; edit one item then search: "
        f"{edit['edit_upsert_and_search_ms']} ms, of which embeddings ≈ "
        f"{edit['one_document_embedding_ms']} ms (document) + {edit['one_query_embedding_ms']} ms "
        f"(query), the rest {edit['edit_without_embeddings_ms']} ms; edited item ranked first: "
        f"{edit['edited_item_found_first']}; a full sync after one edit: {edit['sync_after_one_edit_s']} s.",
    ]
    return "\n".join(lines) + "\n"
