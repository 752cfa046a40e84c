"""`matchmaker bench api`: search throughput and latency over real HTTP (wrk) against `matchmaker serve`.

The data set is the demo plus N extra items (default 10,000). The extra items' texts are made of
clauses of real enterprise needs (../shared/data/bdci-needs.jsonl, read from there) and their
vectors are placed around the real e5 embeddings of those needs, then written to the embedding
cache, so building the index does not spend half an hour embedding synthetic text. Queries are
real: 30-character openings of real needs and the demo needs' titles.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

KINDS_SHARE = (("achievement", 0.5), ("need", 0.35), ("scenario", 0.15))


@dataclass(frozen=True)
class ApiBenchConfig:
    """What to run: extra items, wrk duration, connection counts, server workers."""

    data_dir: Path
    extra: int = 10_000
    seconds: int = 30
    connections: tuple[int, ...] = (4, 8, 16)
    workers: int = 2
    seed: int = 0
    distinct: bool = False  # every request a new query: no query-embedding cache hits


FIRST_QUERIES = ("想把中药材加工成高附加值产品", "电动车电池冬天续航掉得厉害")
SERIAL_REQUESTS = 300  # warm searches timed one after another for p50/p95


def _get_ms(port: int, key: str, query: str) -> float:
    """Milliseconds for one GET /api/v1/search (achievements, 10 hits), body read."""
    url = f"http://127.0.0.1:{port}/api/v1/search?" + urllib.parse.urlencode(
        {"q": query, "kind": "achievement", "limit": 10}
    )
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"search answered {response.status}")
    return (time.perf_counter() - started) * 1000


def first_searches(port: int, key: str, texts: tuple[str, ...]) -> list[dict[str, Any]]:
    """The first searches right after /ready said ready (queries no request has embedded yet)."""
    return [{"query": q, "ms": round(_get_ms(port, key, q), 1)} for q in texts]


def serial_latency(port: int, key: str, queries: list[str]) -> dict[str, Any]:
    """p50/p95/max of warm searches sent one at a time (one client, after the warm-up pass)."""
    times = np.asarray([_get_ms(port, key, q) for q in queries])
    return {
        "requests": len(times),
        "p50_ms": round(float(np.percentile(times, 50)), 1),
        "p95_ms": round(float(np.percentile(times, 95)), 1),
        "max_ms": round(float(times.max()), 1),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_data(config: ApiBenchConfig, log: Callable[[str], None]) -> tuple[str, list[str]]:
    """Demo + extra items in a SQLite database under the data dir, the index built, a reader key;
    returns the key and the query texts."""
    os.environ["MATCHMAKER_DATA_DIR"] = str(config.data_dir)
    os.environ.pop("DATABASE_URL", None)
    from sqlalchemy import func, select

    from benchmarks.corpus import synthetic_items
    from benchmarks.index import IndexBenchConfig, embed_real_texts
    from matchmaker.core.config import get_settings
    from matchmaker.demo.loader import load_demo
    from matchmaker.retrieval.embed import get_embedder
    from matchmaker.retrieval.embed.base import clean_texts
    from matchmaker.retrieval.embed.cache import EmbeddingCache, text_key
    from matchmaker.retrieval.index.service import sync_default_index
    from matchmaker.store.auth import create_key
    from matchmaker.store.db import session_scope, upgrade
    from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

    get_settings.cache_clear()
    settings = get_settings()
    upgrade()
    with session_scope() as session:
        load_demo(session)
    embedder = get_embedder(settings.embedder)
    real, _ = embed_real_texts(embedder, IndexBenchConfig(quick=False, seed=config.seed), log)
    with session_scope() as session:
        existing = (
            session.scalar(
                select(func.count())
                .select_from(Achievement)
                .where(Achievement.external_id.like("BENCH-%"))
            )
            or 0
        )
        if existing == 0 and config.extra:
            log(
                f"adding {config.extra} synthetic items (real clauses, vectors around real embeddings)…"
            )
            vectors, texts, _ = synthetic_items(real, config.extra, config.seed)
            rng = np.random.default_rng(config.seed)
            orgs = session.scalars(select(Organisation)).all()
            enterprises = [o for o in orgs if o.kind == "enterprise"]
            parks = session.scalars(select(Park)).all()
            kinds = rng.choice(
                [k for k, _ in KINDS_SHARE], size=config.extra, p=[p for _, p in KINDS_SHARE]
            )
            items: list[Any] = []
            for i, (text, kind) in enumerate(zip(texts, kinds, strict=True)):
                title = re.split(r"[。，]", text)[0][:60] or f"bench item {i}"
                industries = [
                    str(
                        rng.choice(
                            [
                                "ai-hardware",
                                "icv",
                                "electronic-info",
                                "metals-biomass",
                                "agri-processing",
                                "biomedicine",
                                "new-energy",
                            ]
                        )
                    )
                ]
                ext = f"BENCH-{kind[0].upper()}-{i:06d}"
                if kind == "achievement":
                    owner = orgs[int(rng.integers(len(orgs)))]
                    items.append(
                        Achievement(
                            external_id=ext,
                            title=title,
                            summary=text,
                            trl=int(rng.integers(2, 10)),
                            industries=industries,
                            owner_id=owner.id,
                            coop_modes=["license"],
                        )
                    )
                elif kind == "need":
                    ent = enterprises[int(rng.integers(len(enterprises)))]
                    items.append(
                        Need(
                            external_id=ext,
                            title=title,
                            description=text,
                            min_trl=int(rng.integers(3, 8)),
                            industries=industries,
                            enterprise_id=ent.id,
                            park_id=ent.park_id,
                        )
                    )
                else:
                    park = parks[int(rng.integers(len(parks)))]
                    items.append(
                        Scenario(
                            external_id=ext,
                            title=title,
                            description=text,
                            industries=industries,
                            park_id=park.id,
                        )
                    )
            for item in items:
                item.refresh_hash()
            session.add_all(items)
            session.flush()
            cache = EmbeddingCache(settings.embedding_cache_dir)
            keys = [text_key(t) for t in clean_texts([item.embedding_text() for item in items])]
            for kind in ("document",):
                cache.put_many(embedder.fingerprint, kind, list(zip(keys, vectors, strict=True)))
        key = create_key(session, name="bench-reader", role="reader")
        demo_titles = session.scalars(
            select(Need.title).where(~Need.external_id.like("BENCH-%"))
        ).all()
    log("building the index (demo items embedded once, extra items from the cache)…")
    sync_default_index()
    queries = list(real.queries) + list(demo_titles)
    if config.distinct:
        rng = np.random.default_rng(config.seed + 1)
        clauses = sorted({c[:24] for doc in real.clauses for c in doc})
        pairs = rng.integers(0, len(clauses), (30_000, 2))
        queries = sorted({f"{clauses[a]}，{clauses[b]}" for a, b in pairs})
        rng.shuffle(queries)
    return key, queries


def _wrk_script(path: Path, key: str, queries: list[str]) -> None:
    urls = [
        "/api/v1/search?" + urllib.parse.urlencode({"q": q, "kind": kind, "limit": 10})
        for q in queries
        for kind in ("achievement",)
    ]
    lines = ["local paths = {"] + [f"  {json.dumps(u)}," for u in urls] + ["}"]
    lines += [
        "local counter = 0",
        "local offset = 0",
        "function setup(thread) counter = counter + 1; thread:set('offset', counter * 97) end",
        "function init(args) offset = tonumber(wrk.thread:get('offset')) or 0 end",
        "local i = 0",
        "function request()",
        "  i = i + 1",
        "  local p = paths[((i + offset) % #paths) + 1]",
        f"  return wrk.format('GET', p, {{['X-API-Key'] = {json.dumps(key)}}})",
        "end",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _parse_wrk(output: str) -> dict[str, Any]:
    def ms(value: str) -> float:
        number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
        return (
            number
            * (
                1000
                if value.endswith("s") and not value.endswith("ms") and not value.endswith("us")
                else 1
            )
            / (1000 if value.endswith("us") else 1)
        )

    out: dict[str, Any] = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        if m:
            out[f"p{pct}_ms"] = round(ms(m.group(1)), 1)
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    out["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", output)
    out["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", output)
    out["socket_errors"] = m.group(1).strip() if m else ""
    return out


def run_api_bench(config: ApiBenchConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Prepare the data, start `matchmaker serve`, drive it with wrk, return the figures."""
    if shutil.which("wrk") is None:
        raise RuntimeError(
            "需要 wrk 负载生成器：apt-get install wrk / wrk is required: apt-get install wrk"
        )
    key, queries = prepare_data(config, log)
    port = _free_port()
    env = {
        **os.environ,
        "MATCHMAKER_DATA_DIR": str(config.data_dir),
        "MATCHMAKER_PORT": str(port),
        "MATCHMAKER_ENV": "development",  # a throwaway local server: the default secret is fine
        "MATCHMAKER_RATE_LIMITS": "false",  # the load test is one client by design
    }
    log(f"starting matchmaker serve on 127.0.0.1:{port} with {config.workers} worker(s)…")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matchmaker",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(config.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    results: dict[str, Any] = {
        "extra_items": config.extra,
        "workers": config.workers,
        "queries": len(queries),
        "runs": [],
    }
    launched = time.monotonic()
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/ready", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("服务未能启动 / the server did not become ready")
            time.sleep(0.2)
        results["ready_seconds"] = round(time.monotonic() - launched, 1)
        results["first_search"] = first_searches(port, key, FIRST_QUERIES)
        log(f"first searches after /ready: {json.dumps(results['first_search'])}")
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "search.lua"
            _wrk_script(script, key, queries)
            url = f"http://127.0.0.1:{port}"
            log(
                "warm-up pass over every query (fills the query-embedding cache as real traffic would)…"
            )
            subprocess.run(
                ["wrk", "-t1", "-c2", "-d10s", "-s", str(script), url],
                capture_output=True,
                text=True,
                check=True,
            )
            log(f"serial pass: {SERIAL_REQUESTS} warm searches one at a time…")
            results["serial"] = serial_latency(port, key, queries[:SERIAL_REQUESTS])
            log(json.dumps(results["serial"]))
            for connections in config.connections:
                log(f"wrk: {connections} connections, {config.seconds} s…")
                done = subprocess.run(
                    [
                        "wrk",
                        "-t2",
                        f"-c{connections}",
                        f"-d{config.seconds}s",
                        "--latency",
                        "-s",
                        str(script),
                        url,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                run = {"connections": connections, **_parse_wrk(done.stdout)}
                results["runs"].append(run)
                log(json.dumps(run, ensure_ascii=False))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results["machine"] = {"cores": os.cpu_count(), "load_after": round(os.getloadavg()[0], 2)}
    return results
