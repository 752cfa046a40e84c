"""`matchmaker bench digest`: 10,000 subscribers over the demo data plus 10,000 synthetic items.

Setup (once per work folder, reused afterwards): the demo data, synthetic items made from real
need texts (read from shared/data/bdci-needs.jsonl, never copied into the project), subscribers
with keywords from the demo vocabulary, and the embedding cache filled. Synthetic items get
vectors mixed from the real vectors of the two texts they were cut from (embedding 10,000 texts
is the index layer's job and cost, not the digest's). The measured runs happen in a fresh child
process each, so wall time and peak RSS are the digest's own:

* `dry` — the whole digest computation: due subscribers, candidates, vectors from the cache,
  exclusions, scores, reasons, and every e-mail rendered and serialised (null transport);
* `recorded` — the same plus the delivery bookkeeping (intent row before, sent mark after each
  message), on a copy of the database; still no SMTP.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SHARED_TEXTS_ENV = "MATCHMAKER_BENCH_TEXTS"
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
MARKER = "bench.json"
FORMAT = 2


@dataclass(frozen=True)
class BenchConfig:
    """Sizes, seed and where the bench keeps its database and caches."""

    subscribers: int = 10_000
    extra_items: int = 10_000
    workdir: Path = Path("data/bench-digest")
    seed: int = 7
    keyword_vocabulary: int = 800
    search_pool: int = 200


def shared_texts_path() -> Path:
    """The real need texts synthetic items are cut from (env MATCHMAKER_BENCH_TEXTS overrides)."""
    if os.environ.get(SHARED_TEXTS_ENV):
        return Path(os.environ[SHARED_TEXTS_ENV])
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "bdci-needs.jsonl"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _source_texts() -> list[tuple[str, str]]:
    """(title, text) pairs of real needs; the demo needs stand in when the shared file is absent."""
    path = shared_texts_path()
    rows: list[tuple[str, str]] = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                rows.append((str(obj.get("title", "")).strip(), str(obj.get("text", "")).strip()))
    if not rows:
        from matchmaker.demo.loader import demo_rows

        rows = [(r.cells["title"], r.cells["description"]) for r in demo_rows("needs")]
    return [(t, x) for t, x in rows if t and x]


def _settings(workdir: Path) -> Any:
    from matchmaker.core.config import get_settings

    return get_settings().model_copy(
        update={
            "data_dir": workdir / "data",
            "database_url": None,
            "digest_first_lookback_days": 365,
            "public_url": "https://matchmaker.example.cn",
            "smtp_sender": "digest@matchmaker.example.cn",
        }
    )


def setup(config: BenchConfig, log: Any = print) -> dict[str, Any]:
    """Build (or reuse) the bench world; returns the marker with its facts."""
    marker_path = config.workdir / MARKER
    wanted = {
        "format": FORMAT,
        "subscribers": config.subscribers,
        "extra_items": config.extra_items,
        "seed": config.seed,
    }
    if marker_path.exists():
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
        if all(marker.get(k) == v for k, v in wanted.items()):
            return dict(marker)
    if config.workdir.exists():
        shutil.rmtree(config.workdir)
    (config.workdir / "data").mkdir(parents=True)
    settings = _settings(config.workdir)
    started = time.perf_counter()
    from matchmaker.demo.loader import load_demo
    from matchmaker.store.db import make_engine, session_scope, upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
    log("演示数据已载入 demo data loaded")
    rng = random.Random(config.seed)
    with session_scope(engine) as session:
        _add_synthetic_items(session, config, rng)
    log(f"合成条目 {config.extra_items} 条已写入 synthetic items written")
    embed_seconds = _fill_vectors(settings, engine, log)
    term_seconds = _add_subscribers(settings, engine, config, rng, log)
    with engine.connect() as conn:
        from sqlalchemy import text

        newest = max(
            conn.execute(text(f"SELECT MAX(updated_at) FROM {t}")).scalar_one()
            for t in ("achievements", "needs", "scenarios")
        )
    engine.dispose()
    newest_at = (
        newest if isinstance(newest, dt.datetime) else dt.datetime.fromisoformat(str(newest))
    )
    marker = {
        **wanted,
        "now": (
            newest_at.replace(tzinfo=newest_at.tzinfo or dt.UTC) + dt.timedelta(hours=1)
        ).isoformat(),
        "setup_seconds": round(time.perf_counter() - started, 1),
        "item_embedding_seconds": round(embed_seconds, 1),
        "term_embedding_seconds": round(term_seconds, 1),
    }
    marker_path.write_text(json.dumps(marker, ensure_ascii=False, indent=1), encoding="utf-8")
    return marker


def _add_synthetic_items(session: Any, config: BenchConfig, rng: random.Random) -> None:
    from sqlalchemy import select

    from matchmaker.core.taxonomy import LEADING_INDUSTRIES
    from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

    sources = _source_texts()
    parks = list(session.scalars(select(Park.id)))
    academics = list(
        session.scalars(
            select(Organisation.id).where(
                Organisation.kind.in_(("university", "research_institute"))
            )
        )
    )
    firms = list(session.scalars(select(Organisation.id).where(Organisation.kind == "enterprise")))
    batch: list[Any] = []
    for n in range(config.extra_items):
        a, b = rng.randrange(len(sources)), rng.randrange(len(sources))
        title = sources[a][0][:120] + f"（{n + 1}）"
        sentences = SENTENCE.findall(sources[a][1])[:2] + SENTENCE.findall(sources[b][1])[:2]
        body = "".join(s.strip() for s in sentences)[:400] or sources[a][1][:400]
        industries = [rng.choice(LEADING_INDUSTRIES)]
        roll = rng.random()
        item: Any
        ext = f"BENCH-{n + 1:05d}-{a}-{b}"
        if roll < 0.4:
            item = Achievement(
                external_id=ext,
                title=title,
                summary=body,
                trl=rng.randint(3, 8),
                industries=industries,
                owner_id=rng.choice(academics or firms),
            )
        elif roll < 0.8:
            item = Need(
                external_id=ext,
                title=title,
                description=body,
                industries=industries,
                enterprise_id=rng.choice(firms),
                park_id=rng.choice(parks),
            )
        else:
            item = Scenario(
                external_id=ext,
                title=title,
                description=body,
                industries=industries,
                park_id=rng.choice(parks),
            )
        item.refresh_hash()
        batch.append(item)
        if len(batch) == 1000:
            session.add_all(batch)
            session.flush()
            batch.clear()
    session.add_all(batch)


def _fill_vectors(settings: Any, engine: Any, log: Any) -> float:
    """Put every open item's vector into the bench cache: demo items embedded for real (through
    the main data directory's cache, so a machine that built the index embeds nothing), synthetic
    ones mixed from the vectors of their two source texts."""
    from matchmaker.core.config import get_settings
    from matchmaker.digest.candidates import embedding_cache, iter_open_items
    from matchmaker.retrieval.embed import embed_documents_cached, get_embedder
    from matchmaker.retrieval.embed.base import clean_texts, normalise_rows
    from matchmaker.retrieval.embed.cache import text_key
    from matchmaker.store.db import session_scope

    started = time.perf_counter()
    embedder = get_embedder(settings.embedder)
    main_cache = embedding_cache(get_settings().data_dir)
    bench_cache = embedding_cache(settings.data_dir)
    with session_scope(engine) as session:
        items = list(iter_open_items(session, today=dt.date(2000, 1, 1)))
    origin = _synthetic_origins(engine)
    synthetic = [i for i in items if (i.kind, i.id) in origin]
    demo = [i for i in items if (i.kind, i.id) not in origin]
    log(f"嵌入演示条目 embedding {len(demo)} demo items (cached after the first time)…")
    demo_texts = clean_texts([i.text for i in demo])
    vectors = embed_documents_cached(embedder, demo_texts, main_cache)
    bench_cache.put_many(
        embedder.fingerprint,
        "document",
        [(text_key(t), v) for t, v in zip(demo_texts, vectors, strict=True)],
    )
    sources = _source_texts()
    source_texts = clean_texts([f"{t}\n{x[:300]}" for t, x in sources])
    log(f"嵌入来源文本 embedding {len(source_texts)} source texts (cached after the first time)…")
    source_vectors = embed_documents_cached(embedder, source_texts, main_cache)
    keys = []
    mixed = np.empty((len(synthetic), embedder.dim), dtype=np.float32)
    for row, item in enumerate(synthetic):
        a, b = origin[(item.kind, item.id)]
        mixed[row] = 0.65 * source_vectors[a] + 0.35 * source_vectors[b]
        keys.append(text_key(clean_texts([item.text])[0]))
    mixed = normalise_rows(mixed)
    bench_cache.put_many(embedder.fingerprint, "document", list(zip(keys, mixed, strict=True)))
    bench_cache.close()
    main_cache.close()
    return time.perf_counter() - started


def _synthetic_origins(engine: Any) -> dict[tuple[str, int], tuple[int, int]]:
    """(kind, id) of each synthetic item → the two source texts it was cut from."""
    from sqlalchemy import select

    from matchmaker.store.models import ITEM_MODELS

    origin: dict[tuple[str, int], tuple[int, int]] = {}
    with engine.connect() as conn:
        for kind, model in ITEM_MODELS.items():
            rows = conn.execute(
                select(model.id, model.external_id).where(model.external_id.like("BENCH-%"))
            )
            for item_id, ext in rows:
                _, _, a, b = ext.split("-")
                origin[(kind, int(item_id))] = (int(a), int(b))
    return origin


def _add_subscribers(
    settings: Any, engine: Any, config: BenchConfig, rng: random.Random, log: Any
) -> float:
    """Subscribers with 1–3 popular demo keywords, some saved searches, industries and parks."""
    from sqlalchemy import insert, select

    from matchmaker.core.config import get_settings
    from matchmaker.core.taxonomy import LEADING_INDUSTRIES
    from matchmaker.demo.loader import demo_rows
    from matchmaker.digest.candidates import embedding_cache
    from matchmaker.digest.models import Subscription, new_salt
    from matchmaker.retrieval.embed import embed_queries_cached, get_embedder
    from matchmaker.retrieval.embed.base import clean_texts
    from matchmaker.retrieval.embed.cache import text_key
    from matchmaker.store.models import Park, utcnow

    counts: Counter[str] = Counter()
    for kind in ("achievements", "needs", "scenarios"):
        for row in demo_rows(kind):
            counts.update(row.cells.get("keywords") or [])
    vocabulary = [k for k, _ in counts.most_common(config.keyword_vocabulary)]
    searches = [t for t, _ in _source_texts()[: config.search_pool]]
    with engine.connect() as conn:
        parks = list(conn.execute(select(Park.id)).scalars())
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for n in range(config.subscribers):
        keywords = rng.sample(vocabulary, rng.randint(1, 3))
        saved = [rng.choice(searches)] if rng.random() < 0.2 else []
        rows.append(
            {
                "email": f"bench{n:05d}@example.cn",
                "name": f"订阅者{n}",
                "organisation": "",
                "role": rng.choice(("researcher", "enterprise", "park", "other")),
                "tracks": rng.sample(
                    ["tech-transfer", "scenario", "east-to-guangxi"], rng.randint(0, 2)
                ),
                "industries": [rng.choice(LEADING_INDUSTRIES)] if rng.random() < 0.4 else [],
                "parks": [rng.choice(parks)] if rng.random() < 0.15 else [],
                "keywords": keywords,
                "saved_searches": saved,
                "frequency": "weekly" if rng.random() < 0.2 else "daily",
                "max_items": rng.choice((5, 10, 10, 10)),
                "language": "en" if rng.random() < 0.1 else "zh",
                "status": "active",
                "salt": new_salt(),
                "consecutive_bounces": 0,
                "last_error": "",
                "confirmed_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    with engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(Subscription), rows[start : start + 2000])
    terms = list(dict.fromkeys(t for r in rows for t in [*r["keywords"], *r["saved_searches"]]))
    log(
        f"嵌入 {len(terms)} 个关注词 embedding {len(terms)} distinct interest terms (first time only)…"
    )
    started = time.perf_counter()
    embedder = get_embedder(settings.embedder)
    main_cache = embedding_cache(get_settings().data_dir)  # a second bench reuses these
    vectors = embed_queries_cached(embedder, terms, main_cache)
    embedding_cache(settings.data_dir).put_many(
        embedder.fingerprint,
        "query",
        [(text_key(t), v) for t, v in zip(clean_texts(terms), vectors, strict=True)],
    )
    return time.perf_counter() - started


def child(mode: str, workdir: str, now: str) -> None:
    """One measured digest run in this (fresh) process; prints a JSON line of figures."""
    from matchmaker.digest.job import run_digest
    from matchmaker.digest.transport import NullTransport
    from matchmaker.store.db import make_engine

    root = Path(workdir)
    settings = _settings(root)
    if mode == "recorded":
        copy = root / "recorded"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        shutil.copy(root / "data" / "matchmaker.db", copy / "matchmaker.db")
        shutil.copytree(root / "data" / "cache", copy / "cache")
        settings = settings.model_copy(update={"data_dir": copy})
    engine = make_engine(settings.resolved_database_url)
    transport = NullTransport()
    started = time.perf_counter()
    cpu_started = time.process_time()
    report = run_digest(
        settings,
        engine=engine,
        now=dt.datetime.fromisoformat(now),
        transport=transport,
        dry_run=mode == "dry",
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "peak_rss_mib": round(_peak_rss_mib()),
                "due": report.due,
                "emails": report.sent,
                "items": report.items_sent,
                "nothing_new": report.nothing_new,
                "candidates": report.candidates,
                "mail_mib": round(transport.bytes / 2**20, 1),
                "timings": {k: round(v, 2) for k, v in report.timings.items()},
            }
        )
    )
    if mode == "recorded":
        engine.dispose()
        shutil.rmtree(settings.data_dir, ignore_errors=True)


def run_bench(config: BenchConfig, log: Any = None) -> dict[str, Any]:
    """Set up (or reuse) the world, then time a dry and a recorded run in child processes."""
    say = log or (lambda message: print(message, file=sys.stderr))
    marker = setup(config, say)
    out: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        "subscribers": config.subscribers,
        "extra_items": config.extra_items,
        "setup_seconds (once)": marker.get("setup_seconds"),
        "term_embedding_seconds (once)": marker.get("term_embedding_seconds"),
    }
    for mode in ("dry", "recorded"):
        say(f"计时运行 timing the {mode} run…")
        code = f"from benchmarks.digest import child; child({mode!r}, {str(config.workdir)!r}, {marker['now']!r})"
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"bench child failed: {result.stderr[-2000:]}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        out[mode] = figures
    return out
