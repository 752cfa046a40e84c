"""Two real `matchmaker worker` processes on one PostgreSQL database and Redis: an import split
over both survives one of them being SIGKILLed mid-chunk, and a digest run split into shards
reaches every subscriber exactly once."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select

from matchmaker.digest.models import DigestSend
from matchmaker.jobs.models import BackgroundJob, CachedEmbedding, JobChunk
from matchmaker.retrieval.embed.base import clean_texts
from matchmaker.retrieval.embed.cache import text_key
from matchmaker.retrieval.index.records import read_texts
from matchmaker.store.db import make_engine, session_scope, upgrade
from matchmaker.store.models import Achievement, Organisation
from tests.digest.conftest import SmtpServer, build_world, smtp, subscribe  # noqa: F401 - smtp is the fixture
from tests.jobs.conftest import Database, Workers, queue_env
from tests.server_process import ROOT

EMBED = "matchmaker.embed_chunk"
ITEMS = 96
CHUNK = 8
HEADER = "成果编号,成果名称,成果简介,成熟度,成果单位\n"


def _engine(database: Database) -> Engine:
    engine = make_engine(database.url)
    upgrade(engine)
    return engine


def _csv(path: Path, n: int) -> Path:
    lines = [HEADER]
    for i in range(n):
        lines.append(
            f"Q-{i},solar panel hot spot inspection {i},infrared imaging finds hot spots on "
            f"photovoltaic module number {i} with 97 percent accuracy,6,U1\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_import_over_two_workers_survives_a_worker_killed_mid_chunk(
    tmp_path: Path,
    pg_schema: Database,
    redis_url: str,
    minilm: str,
    workers: Callable[[dict[str, str]], Workers],
) -> None:
    engine = _engine(pg_schema)
    with session_scope(engine) as session:
        session.add(
            Organisation(external_id="U1", name="测试大学", kind="university", province="广西")
        )
    env = queue_env(
        tmp_path / "data",
        pg_schema,
        redis_url,
        minilm,
        MATCHMAKER_QUEUE_EMBED_CHUNK=str(CHUNK),
        MATCHMAKER_QUEUE_VISIBILITY_TIMEOUT="10",
    )
    pool = workers(env)
    first, second = pool.start("w1"), pool.start("w2")
    pool.wait_ready(first, second)

    started = time.monotonic()
    queued = _cli(env, "import", "achievements", str(_csv(tmp_path / "a.csv", ITEMS)))
    assert queued.returncode == 0, queued.stderr
    job_id = re.search(r"import job ([0-9a-f]{32}) queued", queued.stdout).group(1)  # type: ignore[union-attr]

    # kill the first worker while it embeds its second chunk (it finished one before)
    deadline = time.monotonic() + 180
    while len(first.received(EMBED)) < 2:
        assert time.monotonic() < deadline, first.text()[-3000:]
        time.sleep(0.02)
    first.kill()
    killed_task = first.received(EMBED)[-1]
    assert killed_task not in first.succeeded(EMBED), "the chunk finished before the kill"

    waited = _cli(env, "import", "--help")  # the CLI still starts with a dead worker around
    assert waited.returncode == 0
    deadline = time.monotonic() + 240
    while True:
        with session_scope(engine) as session:
            job = session.get(BackgroundJob, job_id)
            assert job is not None
            status, progress = job.status, dict(job.progress)
        if status in ("done", "failed"):
            break
        assert time.monotonic() < deadline, (status, progress, pool.started[1].text()[-3000:])
        time.sleep(0.5)
    assert status == "done", progress
    assert progress["created"] == ITEMS and progress["embedded"] == progress["to_embed"] == ITEMS

    # the killed chunk came back and the other worker ran it
    assert killed_task in second.succeeded(EMBED), second.text()[-3000:]
    assert first.succeeded(EMBED), "the first worker finished no chunk before it was killed"
    with session_scope(engine) as session:
        external = session.scalars(select(Achievement.external_id)).all()
        assert Counter(external) == Counter(f"Q-{i}" for i in range(ITEMS))  # each exactly once
        ids = session.scalars(select(Achievement.id)).all()
        texts = read_texts(session, "achievement", ids)
        keys = {text_key(t) for t in clean_texts(list(texts.values()))}
        cached = session.execute(
            select(CachedEmbedding.text_sha256, func.length(CachedEmbedding.vector))
        ).all()
        chunks = session.scalars(select(JobChunk.status).where(JobChunk.job_id == job_id)).all()
    assert keys <= {bytes(k) for k, _ in cached}  # every item's vector is in the shared cache
    assert {size for _, size in cached} == {384 * 4}
    assert len(chunks) == ITEMS // CHUNK and set(chunks) == {"done"}
    assert time.monotonic() - started < 300
    engine.dispose()


def test_digest_shards_over_two_workers_send_each_subscriber_one_email(
    tmp_path: Path,
    pg_schema: Database,
    redis_url: str,
    minilm: str,
    smtp: SmtpServer,  # noqa: F811
    workers: Callable[[dict[str, str]], Workers],
) -> None:
    engine = _engine(pg_schema)
    build_world(engine)
    topics = ["激光雷达", "稀土"]  # terms the small English model still tells apart in Chinese
    addresses = [f"s{i}@example.cn" for i in range(24)]
    for i, address in enumerate(addresses):
        subscribe(engine, address, keywords=[topics[i % len(topics)]], max_items=3)
    env = queue_env(
        tmp_path / "data",
        pg_schema,
        redis_url,
        minilm,
        MATCHMAKER_QUEUE_DIGEST_SHARD="3",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_SENDER="digest@mm.example.cn",
        MATCHMAKER_SECRET_KEY="test-secret-key-long-enough-for-production-use",
    )
    pool = workers(env)
    first, second = pool.start("d1"), pool.start("d2")
    pool.wait_ready(first, second)

    result = _cli(env, "digest", "run", "--wait", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in 8 shard(s)" in result.stdout, result.stdout

    received = Counter(r for message in smtp.handler.received for r in message.rcpt_tos)
    assert sorted(received) == sorted(addresses), received  # everyone got one
    assert set(received.values()) == {1}  # and nobody two
    shard_task = "matchmaker.digest_shard"
    assert first.succeeded(shard_task) and second.succeeded(shard_task)  # both workers sent
    with session_scope(engine) as session:
        statuses = session.scalars(select(DigestSend.status)).all()
    assert Counter(statuses) == Counter({"sent": len(addresses)})

    # a second run the same day finds nothing due and sends nothing more
    again = _cli(env, "digest", "run", "--wait", timeout=120)
    assert again.returncode == 0, again.stderr
    assert len(smtp.handler.received) == len(addresses)
    engine.dispose()


def test_a_worker_killed_mid_shard_loses_no_email_and_repeats_none(
    tmp_path: Path,
    pg_schema: Database,
    redis_url: str,
    minilm: str,
    smtp: SmtpServer,  # noqa: F811
    workers: Callable[[dict[str, str]], Workers],
) -> None:
    engine = _engine(pg_schema)
    build_world(engine)
    topics = ["激光雷达", "稀土"]
    addresses = [f"k{i}@example.cn" for i in range(16)]
    for i, address in enumerate(addresses):
        subscribe(engine, address, keywords=[topics[i % len(topics)]], max_items=3)
    smtp.handler.hang_on_data = 6  # the sixth message hangs: its sender is killed meanwhile
    env = queue_env(
        tmp_path / "data",
        pg_schema,
        redis_url,
        minilm,
        MATCHMAKER_QUEUE_DIGEST_SHARD="4",
        MATCHMAKER_QUEUE_VISIBILITY_TIMEOUT="10",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_SENDER="digest@mm.example.cn",
        SMTP_TIMEOUT="300",
        MATCHMAKER_SECRET_KEY="test-secret-key-long-enough-for-production-use",
    )
    pool = workers(env)
    first, second = pool.start("k1"), pool.start("k2")
    pool.wait_ready(first, second)
    planner = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "digest", "run", "--wait"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert smtp.handler.hanging.wait(180), "no message reached the hanging point"
        shard = "matchmaker.digest_shard"
        deadline = time.monotonic() + 60
        while True:  # the hanging worker is the one whose shard stays unfinished
            time.sleep(1.0)
            stuck = [w for w in (first, second) if set(w.received(shard)) - set(w.succeeded(shard))]
            if len(stuck) == 1:
                break
            assert time.monotonic() < deadline, [w.text()[-2000:] for w in (first, second)]
        stuck[0].kill()
        smtp.handler.release.set()  # the killed sender's message was never accepted
        output, _ = planner.communicate(timeout=300)
    finally:
        if planner.poll() is None:
            planner.kill()
    assert planner.returncode == 0, output
    received = Counter(r for message in smtp.handler.received for r in message.rcpt_tos)
    assert sorted(received) == sorted(addresses), received
    assert set(received.values()) == {1}
    with session_scope(engine) as session:
        statuses = session.scalars(select(DigestSend.status)).all()
    assert Counter(statuses) == Counter({"sent": len(addresses)})
    engine.dispose()
