"""CLI: `serve` starts the HTTP service with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the serve command."""
    app.command("serve")(serve)
    bench_app.command("api")(bench_api)


def serve(
    host: Annotated[str | None, typer.Option(help="监听地址 host (默认 MATCHMAKER_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="端口 port (默认 MATCHMAKER_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="进程数 worker processes")] = 1,
) -> None:
    """启动 HTTP 服务 Start the HTTP API and web pages (uvicorn); JSON access lines on stdout."""
    import os

    import uvicorn

    from matchmaker.cli.common import fail
    from matchmaker.core.config import InsecureSettings, check_settings, get_settings
    from matchmaker.core.logs import log_config
    from matchmaker.core.startup import preflight

    # --host / --port win over the environment for this process and its workers, so settings
    # derived from them (the default MATCHMAKER_PUBLIC_URL in e-mail links) follow.
    if host is not None:
        os.environ["MATCHMAKER_HOST"] = host
    if port is not None:
        os.environ["MATCHMAKER_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    try:
        check_settings(settings)
    except InsecureSettings as exc:
        fail(str(exc))
    # data directory, database (migrated here) and model, checked before the port opens: a
    # problem is one or two lines and a distinct exit code (matchmaker.core.startup), not a
    # traceback from inside the server
    preflight(settings)
    uvicorn.run(
        "api.main:app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
        # Forwarded headers are believed only from MATCHMAKER_TRUSTED_PROXIES, inside the app.
        proxy_headers=False,
        log_config=log_config("info"),
    )


def bench_api(
    data_dir: Annotated[
        str, typer.Option(help="基准数据目录 data dir for the benchmark (kept for re-runs)")
    ] = "var/bench-api",
    extra: Annotated[
        int, typer.Option(help="演示数据之外的条目数 extra items beyond the demo")
    ] = 10_000,
    seconds: Annotated[int, typer.Option(help="每轮压测秒数 seconds per wrk run")] = 30,
    connections: Annotated[
        str, typer.Option(help="并发连接数 connection counts, comma-separated")
    ] = "4,8,16",
    workers: Annotated[int, typer.Option(help="服务进程数 server worker processes")] = 2,
    distinct: Annotated[
        bool,
        typer.Option(
            "--distinct", help="每个请求都是新查询（不命中查询向量缓存）every request a new query"
        ),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """检索接口压测 Search API load test: wrk over loopback against `matchmaker serve`."""
    import json
    from pathlib import Path

    from matchmaker.cli.common import UserError, benchmarks_on_path

    benchmarks_on_path()
    from benchmarks.api import ApiBenchConfig, run_api_bench

    config = ApiBenchConfig(
        data_dir=Path(data_dir).resolve(),
        extra=extra,
        seconds=seconds,
        connections=tuple(int(c) for c in connections.split(",") if c.strip()),
        workers=workers,
        distinct=distinct,
    )
    try:
        figures = run_api_bench(config, log=lambda m: typer.echo(m, err=True))
    except RuntimeError as exc:
        raise UserError(str(exc)) from exc
    if json_out:
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    typer.echo(
        f"extra items {figures['extra_items']}, workers {figures['workers']}, {figures['queries']} distinct queries"
    )
    typer.echo(f"/ready after {figures['ready_seconds']} s")
    for first in figures["first_search"]:
        typer.echo(f"first search after /ready: {first['ms']} ms  ({first['query']})")
    serial = figures["serial"]
    typer.echo(
        f"warm, one at a time ({serial['requests']}): p50 {serial['p50_ms']} ms  "
        f"p95 {serial['p95_ms']} ms  max {serial['max_ms']} ms"
    )
    for run in figures["runs"]:
        typer.echo(
            f"c={run['connections']:>3}  {run['rps']:>7.1f} req/s  p50 {run.get('p50_ms')} ms  "
            f"p90 {run.get('p90_ms')} ms  p99 {run.get('p99_ms')} ms  non-2xx {run['non_2xx']}"
        )
