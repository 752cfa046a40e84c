"""Digests on the queue: a run is planned once (due subscribers cut into shards, one task each)
and every shard is sent by whichever worker takes it.

Each e-mail goes out once: shards never share a subscriber; a shard is sent only by the worker
holding its lock (released if that worker dies), so two workers never send the same shard at
once; a redelivered shard skips what the delivery records say was sent and resumes the rest with
the same items and Message-ID (the per-subscriber send record of matchmaker.digest.delivery)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select, update

from matchmaker.core.config import Settings
from matchmaker.digest import delivery
from matchmaker.digest.job import DigestBusy, RunReport, _Runner
from matchmaker.digest.models import DigestSend, Subscription
from matchmaker.digest.periods import period_key
from matchmaker.jobs.locks import piece_lock
from matchmaker.jobs.models import BackgroundJob, JobChunk
from matchmaker.store.db import session_scope
from matchmaker.store.models import utcnow

log = logging.getLogger("matchmaker.jobs.digests")
SHARD_TASK = "matchmaker.digest_shard"
CHUNKS = cast(Table, JobChunk.__table__)
COUNTS = ("due", "sent", "resumed", "nothing_new", "failed", "bounced", "paused", "items_sent")


def plan_digest(settings: Settings, engine: Engine, now: dt.datetime) -> tuple[str, int, int]:
    """Cut today's due subscribers into shards and queue them; returns (job id, due, shards).
    Refused while an earlier queued run is still sending (its shards would resume the same
    records)."""
    from matchmaker.jobs.app import send

    keys = {f: period_key(f, now) for f in ("daily", "weekly")}
    with session_scope(engine) as session:
        busy = session.scalar(
            select(func.count())
            .select_from(BackgroundJob)
            .where(BackgroundJob.kind == "digest")
            .where(BackgroundJob.status == "sending")
        )
        if busy:
            raise DigestBusy("上一次推送任务仍在发送中 / an earlier digest run is still being sent")
    delivery.expire_stale(engine, list(keys.values()))
    with session_scope(engine) as session:
        subs = session.execute(
            select(Subscription.id, Subscription.frequency)
            .where(Subscription.status == "active")
            .order_by(Subscription.id)
        ).all()
        done = {
            (sub_id, period)
            for sub_id, period in session.execute(
                select(DigestSend.subscription_id, DigestSend.period)
                .where(DigestSend.period.in_(list(keys.values())))
                .where(DigestSend.status.not_in(("pending", "failed")))
            )
        }
    due = [s for s, f in subs if (s, keys.get(f, keys["daily"])) not in done]
    size = settings.queue_digest_shard
    job_id = uuid.uuid4().hex
    shards = [due[i : i + size] for i in range(0, len(due), size)]
    with session_scope(engine) as session:
        session.add(
            BackgroundJob(
                id=job_id,
                kind="digest",
                status="sending" if shards else "done",
                progress={"now": now.isoformat(), "due": len(due), "shards": len(shards)},
                chunks=len(shards),
                message="",
                finished_at=None if shards else utcnow(),
            )
        )
        session.flush()
        for seq, ids in enumerate(shards):
            session.add(JobChunk(job_id=job_id, seq=seq, ids=ids, status="pending", result={}))
    for seq in range(len(shards)):
        send(SHARD_TASK, job_id, seq, settings=settings)
    return job_id, len(due), len(shards)


def run_shard(job_id: str, seq: int, settings: Settings, engine: Engine, container: Any) -> str:
    """Send one shard's digests (the worker's task); returns what happened: sent, held elsewhere,
    already done or unknown."""
    from matchmaker.digest.transport import SmtpTransport

    with session_scope(engine) as session:
        job = session.get(BackgroundJob, job_id)
        chunk = session.get(JobChunk, (job_id, seq))
        if job is None or chunk is None:
            return "unknown"
        now = dt.datetime.fromisoformat(job.progress["now"])
        ids = frozenset(int(i) for i in chunk.ids)
        if chunk.status == "done":
            return "done"
    with piece_lock(engine, settings.data_dir, f"digest:{job_id}:{seq}") as held:
        if not held:
            return "held"  # a live worker sends it; if it dies, its own delivery comes back
        with session_scope(engine) as session:
            chunk = session.get(JobChunk, (job_id, seq))
            if chunk is None or chunk.status == "done":
                return "done"
        report = RunReport(now=now, dry_run=False)
        transport = SmtpTransport(settings)
        runner = _Runner(settings, engine, now, transport, False, container, report, only=ids)
        try:
            runner.run()
        finally:
            transport.close()
        if report.aborted:
            raise RuntimeError(report.aborted)  # the shard stays pending: a later run resumes it
        _finish_shard(job_id, seq, report, engine)
    return "sent"


def _finish_shard(job_id: str, seq: int, report: RunReport, engine: Engine) -> None:
    counts = {name: int(getattr(report, name)) for name in COUNTS}
    with session_scope(engine) as session:
        newly = _rows_changed(
            session.execute(
                update(CHUNKS)
                .where(CHUNKS.c.job_id == job_id)
                .where(CHUNKS.c.seq == seq)
                .where(CHUNKS.c.status == "pending")
                .values(status="done", done_at=utcnow(), result=counts)
            )
        )
        job = session.get(BackgroundJob, job_id, with_for_update=True)
        if job is None:
            return
        progress = dict(job.progress)
        if newly:
            for name, value in counts.items():
                key = "sent_due" if name == "due" else name
                progress[key] = int(progress.get(key, 0)) + value
            progress["shards_done"] = int(progress.get("shards_done", 0)) + 1
        left = session.scalar(
            select(func.count())
            .select_from(CHUNKS)
            .where(CHUNKS.c.job_id == job_id)
            .where(CHUNKS.c.status == "pending")
        )
        if not left and job.status == "sending":
            job.status, job.finished_at = "done", utcnow()
        job.progress = progress
        job.updated_at = utcnow()


def digest_progress(job_id: str, engine: Engine) -> dict[str, Any] | None:
    """A queued digest run's status and counts (None when unknown)."""
    with session_scope(engine) as session:
        job = session.get(BackgroundJob, job_id)
        if job is None or job.kind != "digest":
            return None
        return {"id": job.id, "status": job.status, **job.progress}


__all__ = ["SHARD_TASK", "digest_progress", "plan_digest", "run_shard"]


def _rows_changed(result: object) -> int:
    """How many rows an UPDATE changed."""
    return int(getattr(result, "rowcount", 0) or 0)
