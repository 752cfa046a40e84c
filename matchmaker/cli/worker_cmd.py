"""`matchmaker worker`: run queue tasks (imports, embedding chunks, digest shards)."""

from __future__ import annotations

from typing import Annotated

import typer

from matchmaker.cli.common import UserError


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `worker` and `bench queue`."""
    app.command("worker")(worker_command)
    from matchmaker.cli.queue_bench_cmd import bench_queue_command

    bench_app.command("queue")(bench_queue_command)


def worker_command(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, max=64, help="并发进程数 worker processes")
    ] = 1,
    loglevel: Annotated[str, typer.Option(help="日志级别 log level")] = "info",
    hostname: Annotated[
        str | None, typer.Option(help="工作进程名 worker name (default: celery@<host>)")
    ] = None,
) -> None:
    """启动后台任务进程 Run a queue worker: imports, embedding chunks, digest shards (needs MATCHMAKER_BROKER_URL)."""
    from matchmaker.core.config import get_settings
    from matchmaker.jobs.app import NoBroker, get_app
    from matchmaker.store.db import upgrade

    try:
        app = get_app(get_settings())
    except NoBroker as exc:
        raise UserError(str(exc)) from exc
    from matchmaker.store.db import get_engine

    upgrade()
    get_engine().dispose()  # pooled connections must not cross into forked pool processes
    get_engine.cache_clear()
    # one process: tasks run in the worker itself (killing it stops the task); more: a pool
    pool = "solo" if concurrency == 1 else "prefork"
    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", f"--pool={pool}"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)
