"""Nothing a request does blocks the event loop: every route handler is a plain function (run on
a worker thread) except the upload, which only awaits the file and hands parsing, writing and
embedding to worker threads (tests/api/test_import_event_loop.py measures it)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.routing import Route

ASYNC_ALLOWED = {"upload_import"}  # awaits the upload body only; the rest runs in threads


def _routes(routes: list[Any]) -> Iterator[Route]:
    """Every route of an app, included routers opened (FastAPI includes them lazily)."""
    for route in routes:
        if isinstance(route, Route):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(list(inner.routes))


def test_no_route_handler_runs_on_the_event_loop(app_env: Path) -> None:
    from api.main import create_app

    app = create_app()
    routes = list(_routes(list(app.routes)))
    assert any(r.path == "/login" for r in routes) and len(routes) > 60
    coroutines = sorted(
        f"{sorted(route.methods or [])} {route.path} ({route.endpoint.__name__})"
        for route in routes
        if isinstance(route, Route)
        and inspect.iscoroutinefunction(route.endpoint)
        and route.endpoint.__name__ not in ASYNC_ALLOWED
        and not route.path.startswith(("/docs", "/redoc", "/openapi"))
    )
    assert not coroutines, "async handlers run on the event loop: " + "; ".join(coroutines)
