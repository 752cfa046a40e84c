"""`matchmaker bench queue`: background jobs on Celery + Redis over one PostgreSQL database.

Every run works in a fresh PostgreSQL schema (dropped afterwards) and a Redis db of its own
(flushed before and after), with real `matchmaker worker` processes (solo pool, one process each):

* `answer` — an import of N rows (achievements CSV): store the file unread with a new job and
  queue it, as `matchmaker import` and a large `POST /api/v1/imports/…` do; the figure is the time
  until the job id is known (no worker runs meanwhile); for comparison, parsing the rows first;
* `throughput` — an import of M items written and embedded by 1, then 2 worker processes: time
  from queueing to the job reported done, items per second;
* `digest` — S subscribers sent their digest by 2 workers (shards of S/8) through an aiosmtpd
  sink: e-mails counted at the sink, addresses seen twice, peak RSS of each worker process.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEADER = "成果编号,成果名称,成果简介,成熟度,成果单位\n"
TOPICS = [
    "激光雷达",
    "稀土永磁",
    "锂电池",
    "机器视觉",
    "甘蔗收割",
    "中药材溯源",
    "冷链物流",
    "储能变流器",
]


@dataclass
class Setup:
    """Where the bench runs: a database URL with its schema, a broker URL, the embedder."""

    pg_url: str
    redis_url: str
    embedder: str
    folder: Path
    schema: str = field(default_factory=lambda: "bq_" + uuid.uuid4().hex[:10])

    @property
    def database_url(self) -> str:
        """The URL every process uses: the bench's schema first on the search path."""
        return f"{self.pg_url}?options=-csearch_path%3D{self.schema}"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of the bench's worker processes."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MATCHMAKER_", "SMTP_")) and k != "DATABASE_URL"
        }
        env.update(
            DATABASE_URL=self.database_url,
            MATCHMAKER_BROKER_URL=self.redis_url,
            MATCHMAKER_EMBEDDER=self.embedder,
            MATCHMAKER_DATA_DIR=str(self.folder / "data"),
            MATCHMAKER_ENV="development",
            PYTHONPATH=str(ROOT),
            TOKENIZERS_PARALLELISM="false",
            **extra,
        )
        return env


def _settings(setup: Setup, **extra: str) -> Any:
    from matchmaker.core.config import Settings

    values = {
        "DATABASE_URL": setup.database_url,
        "MATCHMAKER_BROKER_URL": setup.redis_url,
        "MATCHMAKER_EMBEDDER": setup.embedder,
        "MATCHMAKER_DATA_DIR": str(setup.folder / "data"),
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def _schema(setup: Setup, create: bool) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(setup.pg_url)
    with admin.begin() as conn:
        if create:
            conn.execute(text(f'CREATE SCHEMA "{setup.schema}"'))
        else:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{setup.schema}" CASCADE'))
    admin.dispose()


def _flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def _fresh(setup: Setup) -> Any:
    """A new empty schema with the tables and one owner organisation; returns its engine."""
    from matchmaker.store.db import make_engine, session_scope, upgrade
    from matchmaker.store.models import Organisation

    _flush(setup.redis_url)
    _schema(setup, False)
    _schema(setup, True)
    engine = make_engine(setup.database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(
            Organisation(external_id="U1", name="基准测试大学", kind="university", province="广西")
        )
    return engine


def _csv(path: Path, rows: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            topic = TOPICS[i % len(TOPICS)]
            extra = rng.choice(TOPICS)
            out.write(
                f"BQ-{i},{topic}关键技术研究{i},面向{topic}的工程化方案，结合{extra}开展示范应用，"
                f"编号{i}。,6,U1\n"
            )
    return path


class _Workers:
    def __init__(self, setup: Setup, **extra: str) -> None:
        self.env = setup.env(**extra)
        self.folder = setup.folder
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, count: int) -> None:
        for n in range(count):
            log = self.folder / f"worker-{uuid.uuid4().hex[:6]}.log"
            with open(log, "wb") as handle:
                process = subprocess.Popen(
                    [sys.executable, "-m", "matchmaker", "worker", f"--hostname=bq{n}@%h"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.processes.append((process, log))
        deadline = time.monotonic() + 600
        for process, log in self.processes:
            while " ready." not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)

    def peak_rss_mib(self) -> list[float]:
        out = []
        for process, _ in self.processes:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        return out

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_done(engine: Any, job_id: str, timeout: float = 7200) -> dict[str, Any]:
    from matchmaker.jobs.models import BackgroundJob
    from matchmaker.store.db import session_scope

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(engine) as session:
            job = session.get(BackgroundJob, job_id)
            if job is not None and job.status in ("done", "failed"):
                return {"status": job.status, **job.progress}
        time.sleep(0.2)
    raise TimeoutError(job_id)


def bench_answer(setup: Setup, rows: int) -> dict[str, Any]:
    """Time from a file of `rows` rows to a queued job id, as `matchmaker import` does it (the
    file stored unread with its job, then queued), and as a parsed upload under the raw-upload
    size would be (rows read and checked first, then stored)."""
    from matchmaker.catalog.importer.readers import read_rows
    from matchmaker.jobs.imports import QueuedImportJobs

    engine = _fresh(setup)
    path = _csv(setup.folder / "answer.csv", rows)
    jobs = QueuedImportJobs(_settings(setup), engine)
    jobs.submit_file("achievements", "warm.csv", HEADER.encode(), skip_invalid=False)  # connect
    started = time.perf_counter()
    job = jobs.submit_file("achievements", path.name, path.read_bytes(), skip_invalid=False)
    answered = time.perf_counter() - started
    started = time.perf_counter()
    parsed = read_rows(path)
    read = time.perf_counter() - started
    jobs.submit("achievements", path.name, parsed, skip_invalid=False)
    parsed_answer = time.perf_counter() - started
    engine.dispose()
    _flush(setup.redis_url)
    return {
        "rows": rows,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "job_id_after_s": round(answered, 2),
        "parsed_read_s": round(read, 2),
        "parsed_job_id_after_s": round(parsed_answer, 2),
        "job": job.id,
    }


def bench_throughput(setup: Setup, items: int, workers: int, chunk: int) -> dict[str, Any]:
    """Import and embed `items` rows with `workers` worker processes."""
    from matchmaker.catalog.importer.readers import read_rows
    from matchmaker.jobs.imports import QueuedImportJobs

    engine = _fresh(setup)
    pool = _Workers(setup, MATCHMAKER_QUEUE_EMBED_CHUNK=str(chunk))
    try:
        pool.start(workers)
        path = _csv(setup.folder / f"through-{workers}.csv", items, seed=workers)
        jobs = QueuedImportJobs(_settings(setup, MATCHMAKER_QUEUE_EMBED_CHUNK=str(chunk)), engine)
        started = time.perf_counter()
        job, _ = jobs.submit("achievements", path.name, read_rows(path), skip_invalid=False)
        done = _wait_done(engine, job.id)
        seconds = time.perf_counter() - started
        peaks = pool.peak_rss_mib()
    finally:
        pool.stop()
        engine.dispose()
    return {
        "workers": workers,
        "items": items,
        "chunk": chunk,
        "status": done["status"],
        "embedded": done.get("embedded"),
        "seconds": round(seconds, 1),
        "items_per_s": round(items / seconds, 2),
        "peak_rss_mib": peaks,
    }


def bench_digest(setup: Setup, subscribers: int, items: int) -> dict[str, Any]:
    """Digests for `subscribers` over `items` items sent by 2 workers to an aiosmtpd sink."""
    from aiosmtpd.controller import Controller

    from matchmaker.catalog.importer.readers import read_rows
    from matchmaker.digest.subscriptions import SubscriptionData, upsert_subscription
    from matchmaker.jobs.digests import plan_digest
    from matchmaker.jobs.imports import QueuedImportJobs
    from matchmaker.store.db import session_scope

    received: Counter[str] = Counter()
    lock = threading.Lock()

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with lock:
                received.update(a.lower() for a in envelope.rcpt_tos)
            return "250 2.0.0 accepted"

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    engine = _fresh(setup)
    shard = max(1, subscribers // 8)
    extra = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SENDER": "digest@bench.example.cn",
        "MATCHMAKER_QUEUE_DIGEST_SHARD": str(shard),
        "MATCHMAKER_QUEUE_EMBED_CHUNK": "64",
    }
    pool = _Workers(setup, **extra)
    try:
        pool.start(2)
        settings = _settings(setup, **extra)
        path = _csv(setup.folder / "digest-items.csv", items, seed=3)
        job, _ = QueuedImportJobs(settings, engine).submit(
            "achievements", path.name, read_rows(path), skip_invalid=False
        )
        _wait_done(engine, job.id)
        with session_scope(engine) as session:
            for n in range(subscribers):
                data = SubscriptionData(
                    email=f"bench{n}@example.cn", keywords=[TOPICS[n % len(TOPICS)]], max_items=5
                )
                upsert_subscription(session, data, confirmed=True)
        started = time.perf_counter()
        now = dt.datetime.now(dt.UTC)
        job_id, due, shards = plan_digest(settings, engine, now)
        done = _wait_done(engine, job_id)
        seconds = time.perf_counter() - started
        time.sleep(1.0)  # the sink's last messages
        peaks = pool.peak_rss_mib()
    finally:
        pool.stop()
        controller.stop()
        engine.dispose()
    twice = sum(1 for count in received.values() if count > 1)
    return {
        "subscribers": subscribers,
        "items": items,
        "shards": shards,
        "due": due,
        "sent_recorded": done.get("sent"),
        "nothing_new": done.get("nothing_new"),
        "emails_at_sink": sum(received.values()),
        "addresses_twice": twice,
        "seconds": round(seconds, 1),
        "emails_per_s": round(sum(received.values()) / seconds, 1),
        "peak_rss_mib_per_worker": peaks,
    }


def run_queue_bench(
    *,
    rows: int,
    embed_items: int,
    subscribers: int,
    digest_items: int = 200,
    chunk: int = 32,
    pg_url: str | None = None,
    redis_url: str | None = None,
    embedder: str | None = None,
) -> dict[str, Any]:
    """All queue figures, with the machine they were measured on."""
    from matchmaker.core.config import get_settings

    pg = pg_url or os.environ.get("MATCHMAKER_BENCH_PG_URL") or os.environ.get("DATABASE_URL")
    if not pg or not pg.startswith("postgresql"):
        raise ValueError(
            "需要 PostgreSQL：设置 MATCHMAKER_BENCH_PG_URL 或 --pg-url / a PostgreSQL URL is "
            "needed: set MATCHMAKER_BENCH_PG_URL or pass --pg-url"
        )
    if pg.startswith("postgresql://"):
        pg = "postgresql+psycopg://" + pg[len("postgresql://") :]
    broker = redis_url or os.environ.get("MATCHMAKER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as folder:
        setup = Setup(pg, broker, embedder or get_settings().embedder, Path(folder))
        try:
            result: dict[str, Any] = {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "embedder": setup.embedder,
                },
                "answer": bench_answer(setup, rows),
                "throughput": [
                    bench_throughput(setup, embed_items, workers, chunk) for workers in (1, 2)
                ],
                "digest": bench_digest(setup, subscribers, digest_items),
            }
        finally:
            _schema(setup, False)
            _flush(broker)
    one, two = result["throughput"]
    result["speed_up_2_workers"] = round(two["items_per_s"] / one["items_per_s"], 2)
    return result
