"""`matchmaker bench queue`: figures of background jobs on the queue (see benchmarks/queue.py)."""

from __future__ import annotations

from typing import Annotated

import typer


def bench_queue_command(
    rows: Annotated[int, typer.Option(min=1, help="导入行数 rows in the import")] = 2000,
    embed_items: Annotated[
        int, typer.Option(min=1, help="计量吞吐的条目数 items embedded for the throughput runs")
    ] = 200,
    subscribers: Annotated[int, typer.Option(min=1, help="订阅者数 digest subscribers")] = 1000,
    digest_items: Annotated[int, typer.Option(min=1, help="推送条目数 items for the digest")] = 200,
    chunk: Annotated[int, typer.Option(min=1, help="每块嵌入条数 items per embedding chunk")] = 32,
    pg_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL URL (default MATCHMAKER_BENCH_PG_URL, else DATABASE_URL)"),
    ] = None,
    redis_url: Annotated[
        str | None,
        typer.Option(help="Redis URL, a db the bench may flush (default redis://127.0.0.1:6379/6)"),
    ] = None,
    embedder: Annotated[
        str | None, typer.Option(help="嵌入模型 embedder (default: configured)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON print JSON")] = False,
) -> None:
    """后台任务基准 Queue benchmarks: import answer time, 1 vs 2 workers, sharded digest."""
    import json

    from matchmaker.cli.common import UserError, benchmarks_on_path

    benchmarks_on_path()
    from benchmarks.queue import run_queue_bench

    try:
        result = run_queue_bench(
            rows=rows,
            embed_items=embed_items,
            subscribers=subscribers,
            digest_items=digest_items,
            chunk=chunk,
            pg_url=pg_url,
            redis_url=redis_url,
            embedder=embedder,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))
