"""CLI: `serve` starts the HTTP service with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the serve command."""
    app.command("serve")(serve)


def serve(
    host: Annotated[str | None, typer.Option(help="监听地址 host (默认 MATCHMAKER_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="端口 port (默认 MATCHMAKER_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="进程数 worker processes")] = 1,
) -> None:
    """启动 HTTP 服务 Start the HTTP API and web pages (uvicorn)."""
    import uvicorn

    from matchmaker.config import get_settings

    settings = get_settings()
    uvicorn.run(
        "api.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )
