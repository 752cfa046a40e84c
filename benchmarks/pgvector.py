"""`matchmaker bench pgvector`: HNSW recall@10 against exact search, p50/p99 latency and build
time at N vectors; top-10 overlap with FAISS on the demo data and on CSL dev.

Scale: N random-but-clustered normalised vectors of dimension 384 (2,000 centres, like topics)
are written with a binary COPY into `item_vectors` under a fingerprint of their own, the partial
HNSW index is built (timed), and 200 queries (perturbed corpus vectors) are answered one by one
through the production SQL (`PgVectorIndex`), against exact top-10s from FAISS's flat index.
Overlap: the same texts and vectors searched through a FAISS `SearchIndex` and a pgvector one
(HNSW forced with `ann_threshold=0`, and exact below the threshold as in production).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
from sqlalchemy import Engine, text

from matchmaker.retrieval.embed.base import normalise_rows
from matchmaker.retrieval.index.pgvector import (
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    TABLE,
    PgVectorIndex,
    ensure_hnsw,
    hnsw_index_name,
    hnsw_statement,
)

DIM = 384
CENTRES = 2000
QUERIES = 200
Log = Callable[[str], None]


@contextlib.contextmanager
def database(url: str | None, log: Log) -> Iterator[str]:
    """A migrated PostgreSQL + pgvector database: the given URL, or a temporary pgserver."""
    from matchmaker.store.db import make_engine, upgrade

    if url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    import pgserver

    folder = tempfile.mkdtemp(prefix="mm-bench-pgserver-")
    os.chmod(folder, 0o755)  # under root pgserver runs PostgreSQL as the user 'pgserver'
    handle = pgserver.get_server(os.path.join(folder, "pgdata"), cleanup_mode="stop")
    try:
        socket_dir = parse_qs(urlparse(handle.get_uri()).query)["host"][0]
        found = f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
        log(f"pgserver (PostgreSQL 16 + pgvector) started in {folder}")
        engine = make_engine(found)
        upgrade(engine)
        engine.dispose()
        yield found
    finally:
        handle.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def clustered(n: int, seed: int, centres: np.ndarray) -> np.ndarray:
    """n normalised vectors scattered around the given centres."""
    rng = np.random.default_rng(seed)
    picked = centres[rng.integers(0, len(centres), n)]
    return normalise_rows((picked + 0.35 * rng.standard_normal((n, DIM))).astype(np.float32))


def copy_vectors(
    engine: Engine, kind: str, fingerprint: str, ids: np.ndarray, vectors: np.ndarray
) -> None:
    """Write vectors with one binary COPY (pgvector's binary form: dim, 0, float4 big-endian)."""
    head = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
    fp, kd = fingerprint.encode(), kind.encode()
    big = vectors.astype(">f4")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(
            f"COPY {TABLE} (fingerprint, kind, item_id, dim, content_hash, embedding) "
            "FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.write(head)
            vec_len = 4 + 4 * DIM
            for item_id, row in zip(ids.tolist(), big, strict=True):
                copy.write(
                    struct.pack("!hi", 6, len(fp))
                    + fp
                    + struct.pack("!i", len(kd))
                    + kd
                    + struct.pack("!iqii", 8, item_id, 4, DIM)
                    + struct.pack("!i", 1)
                    + b"x"
                    + struct.pack("!ihh", vec_len, DIM, 0)
                    + row.tobytes()
                )
            copy.write(struct.pack("!h", -1))
        raw.commit()
    finally:
        raw.close()


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values) * 1000.0, q)), 2)


def measure_scale(
    url: str,
    n: int,
    ef_values: tuple[int, ...],
    log: Log,
    *,
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
) -> dict[str, Any]:
    """Recall@10 and latency of HNSW search at n vectors, and the index build time."""
    import faiss

    from matchmaker.store.db import make_engine

    engine = make_engine(url)
    fingerprint = f"bench-{n}"
    kind = "achievement"
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    with engine.begin() as conn:
        conn.execute(text(f"DROP INDEX IF EXISTS {hnsw_index_name(kind, fingerprint)}"))
        conn.execute(text(f"DELETE FROM {TABLE} WHERE fingerprint = :f"), {"f": fingerprint})
    exact = faiss.IndexFlatIP(DIM)
    started = time.perf_counter()
    chunk = 50_000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        vectors = clustered(size, start + 1, centres)
        copy_vectors(engine, kind, fingerprint, np.arange(start + 1, start + size + 1), vectors)
        exact.add(vectors)
        log(f"  {start + size}/{n} vectors written")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL maintenance_work_mem = '{4 if n > 300_000 else 2}GB'"))
        conn.execute(
            text(hnsw_statement(kind, fingerprint, DIM, m=m, ef_construction=ef_construction))
        )
    with engine.begin() as conn:
        conn.execute(text(f"ANALYZE {TABLE}"))
    build_s = time.perf_counter() - started
    log(f"  HNSW index built in {build_s:.0f} s")
    queries = clustered(QUERIES, 10**6 + n, centres)
    _, truth = exact.search(queries, 10)
    truth += 1  # ids start at 1
    store = PgVectorIndex(engine, kind, fingerprint, DIM, ann_threshold=0)
    store._hashes = dict.fromkeys(range(1, n + 1), "x")  # the ids are known: no 1M-row read
    rows: list[dict[str, Any]] = []
    for ef in ef_values:
        store.ef_search = ef
        for query in queries[:10]:  # warm the cache
            store.search(query, 10)
        latencies, recall = [], 0.0
        for query, want in zip(queries, truth, strict=True):
            began = time.perf_counter()
            hits = store.search(query, 10)
            latencies.append(time.perf_counter() - began)
            recall += len({i for i, _ in hits} & set(want.tolist())) / 10
        rows.append(
            {
                "ef_search": ef,
                "recall@10": round(recall / len(queries), 4),
                "p50_ms": _pct(latencies, 50),
                "p99_ms": _pct(latencies, 99),
            }
        )
        log(f"  ef_search={ef}: {rows[-1]}")
    with engine.begin() as conn:
        index_bytes = conn.execute(
            text("SELECT pg_relation_size(:i)"), {"i": hnsw_index_name(kind, fingerprint)}
        ).scalar()
        conn.execute(text(f"DROP INDEX IF EXISTS {hnsw_index_name(kind, fingerprint)}"))
        conn.execute(text(f"DELETE FROM {TABLE} WHERE fingerprint = :f"), {"f": fingerprint})
    engine.dispose()
    return {
        "n": n,
        "dim": DIM,
        "load_s": round(load_s, 1),
        "build_s": round(build_s, 1),
        "m": m,
        "ef_construction": ef_construction,
        "index_mib": round((index_bytes or 0) / 2**20, 1),
        "runs": rows,
    }


def _overlap(a: list[list[int]], b: list[list[int]]) -> float:
    shared = sum(len(set(x) & set(y)) for x, y in zip(a, b, strict=True))
    total = sum(len(x) for x in a)
    return round(shared / total, 4) if total else 1.0


def measure_demo(url: str, log: Log) -> dict[str, Any]:
    """Top-10 overlap of FAISS and pgvector SearchIndexes over the demo data (needs → items)."""
    from matchmaker.core.container import get_container
    from matchmaker.demo.loader import load_demo
    from matchmaker.retrieval.index.service import Mode, SearchIndex
    from matchmaker.retrieval.index.stores import pgvector_factory
    from matchmaker.store.db import make_engine, session_factory
    from matchmaker.store.models import Need

    engine = make_engine(url)
    container = get_container()
    embedder, cache = container.embedder, container.embedding_cache
    with session_factory(engine)() as session:
        if not session.query(Need).count():
            log("loading the demo data…")
            load_demo(session)
            session.commit()
        queries = [f"{n.title} {n.description or ''}"[:60] for n in session.query(Need).all()]
    log(f"embedding {len(queries)} demo queries once…")
    vectors = np.vstack(
        [embedder.encode_queries(queries[i : i + 32]) for i in range(0, len(queries), 32)]
    )
    faiss_index = SearchIndex(embedder, cache=cache)
    results: dict[str, Any] = {"queries": len(queries)}
    with session_factory(engine)() as session:
        faiss_index.sync(session)
        for label, threshold in (("exact", 10**9), ("hnsw", 0)):
            factory = pgvector_factory(
                engine, embedder.fingerprint, embedder.dim, ann_threshold=threshold
            )
            pg_index = SearchIndex(embedder, cache=cache, vector_factory=factory)
            pg_index.sync(session)
            modes: tuple[Mode, ...] = ("dense", "hybrid")
            for mode in modes:
                for kind in ("achievement", "scenario"):
                    a, b = [], []
                    for query, vector in zip(queries, vectors, strict=True):
                        found = faiss_index.search(query, kind, 10, mode=mode, vector=vector)
                        a.append([h.id for h in found])
                        found = pg_index.search(query, kind, 10, mode=mode, vector=vector)
                        b.append([h.id for h in found])
                    results[f"{label}/{mode}/{kind}"] = _overlap(a, b)
                    log(f"  demo {label} {mode} {kind}: {results[f'{label}/{mode}/{kind}']}")
    engine.dispose()
    return results


def measure_csl(url: str, folder: Path, log: Log) -> dict[str, Any] | None:
    """Top-10 overlap of FAISS and pgvector (exact and HNSW) on CSL dev papers and keywords."""
    import faiss  # noqa: F401 - the same FAISS build as the product

    from matchmaker.core.container import get_container
    from matchmaker.retrieval.embed import embed_documents_cached
    from matchmaker.retrieval.index.vector import VectorIndex
    from matchmaker.store.db import make_engine

    corpus_file, queries_file = folder / "corpus.jsonl", folder / "queries.jsonl"
    if not corpus_file.is_file() or not queries_file.is_file():
        return None
    docs = [json.loads(line) for line in corpus_file.read_text(encoding="utf-8").splitlines()]
    queries = [json.loads(line)["text"] for line in queries_file.read_text("utf-8").splitlines()]
    container = get_container()
    embedder = container.embedder
    log(f"embedding {len(docs)} CSL dev papers (cached after the first run)…")
    vectors = embed_documents_cached(
        embedder,
        [f"{d.get('title', '')} {d.get('text', '')}"[:512] for d in docs],
        container.embedding_cache,
    )
    log(f"embedding {len(queries)} CSL dev keyword queries…")
    query_vectors = np.vstack(
        [embedder.encode_queries(queries[i : i + 64]) for i in range(0, len(queries), 64)]
    )
    ids = np.arange(1, len(docs) + 1)
    flat = VectorIndex(embedder.dim, ann_threshold=10**9)
    flat.upsert(ids, vectors)
    engine = make_engine(url)
    out: dict[str, Any] = {"papers": len(docs), "queries": len(queries)}
    for label, threshold in (("exact", 10**9), ("hnsw", 0)):
        fingerprint = f"csl-{label}"
        with engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {TABLE} WHERE fingerprint = :f"), {"f": fingerprint})
        ensure_hnsw(engine, "achievement", fingerprint, embedder.dim)
        store = PgVectorIndex(
            engine, "achievement", fingerprint, embedder.dim, ann_threshold=threshold
        )
        store.upsert(ids, vectors, ["x"] * len(ids))
        a = [[i for i, _ in flat.search(q, 10)] for q in query_vectors]
        b = [[i for i, _ in store.search(q, 10)] for q in query_vectors]
        out[label] = _overlap(a, b)
        log(f"  CSL dev {label}: overlap@10 {out[label]}")
        store.clear()
    engine.dispose()
    return out


def machine() -> dict[str, Any]:
    """Cores, CPU, memory and load, for the docs."""
    model = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_before": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }


def run_pgvector_bench(
    url: str | None,
    n: int,
    ef_values: tuple[int, ...],
    *,
    demo: bool = True,
    csl: Path | None = None,
    log: Log = print,
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
) -> dict[str, Any]:
    """Every figure of the pgvector benchmark as one JSON-able dict."""
    report: dict[str, Any] = {"machine": machine()}
    with database(url, log) as found:
        with make_version_probe(found) as version:
            report["postgres"] = version
        if n:
            log(f"scale: {n} vectors of dimension {DIM}…")
            report["scale"] = measure_scale(
                found, n, ef_values, log, m=m, ef_construction=ef_construction
            )
        if demo:
            report["demo"] = measure_demo(found, log)
        if csl is not None:
            report["csl_dev"] = measure_csl(found, csl, log)
    return report


@contextlib.contextmanager
def make_version_probe(url: str) -> Iterator[str]:
    """The server and pgvector versions."""
    from matchmaker.store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar()
        vector = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar()
    engine.dispose()
    yield f"PostgreSQL {server}, pgvector {vector}"
