"""`matchmaker digest run` with a broker: confirmations here, digests as shards on the workers."""

from __future__ import annotations

import datetime as dt
import time

import typer

from matchmaker.cli.common import UserError, ok
from matchmaker.core.config import Settings

POLL_SECONDS = 1.0


def queue_digest(settings: Settings, moment: dt.datetime | None, *, wait: bool) -> None:
    """Send pending confirmations, plan the run's shards and queue them; with `wait`, report the
    counts once every shard is sent."""
    from matchmaker.digest.job import DigestBusy, send_confirmations_only
    from matchmaker.jobs.digests import digest_progress, plan_digest
    from matchmaker.store.db import get_engine
    from matchmaker.store.models import utcnow

    engine = get_engine(settings.resolved_database_url)
    now = moment or utcnow()
    confirmations = send_confirmations_only(settings, engine=engine, now=now)
    try:
        job_id, due, shards = plan_digest(settings, engine, now)
    except DigestBusy as exc:
        raise UserError(str(exc)) from exc
    ok(
        f"确认邮件 {confirmations} 封；到期订阅 {due}，分为 {shards} 个分片交给后台任务 {job_id} / "
        f"confirmations {confirmations}; {due} due subscriber(s) in {shards} shard(s), job {job_id}"
    )
    if not wait:
        return
    while True:
        progress = digest_progress(job_id, engine) or {}
        if progress.get("status") == "done":
            break
        time.sleep(POLL_SECONDS)
    typer.echo(
        f"发送 sent {progress.get('sent', 0)}（续发 resumed {progress.get('resumed', 0)}），"
        f"无新内容 nothing new {progress.get('nothing_new', 0)}，暂时失败 failed "
        f"{progress.get('failed', 0)}，退信 bounced {progress.get('bounced', 0)}"
    )
