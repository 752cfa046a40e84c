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
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON print JSON")] = False,
) -> None:
    """后台任务基准 Queue benchmarks: import answer time, 1 vs 2 workers, sharded digest."""
    import json

    from benchmarks.queue import run_queue_bench

    result = run_queue_bench(rows=rows, embed_items=embed_items, subscribers=subscribers)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))
