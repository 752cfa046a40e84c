"""FastAPI application: wires settings, database, search index, routes and error handling."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text

from api import docs, pages, problems, security
from api.middleware import AccessLogMiddleware
from api.problems import Problem
from api.routes import digest as digest_routes
from api.routes import event_participation, event_team, feedback, finance, imports, items, search
from api.routes import events as event_routes
from api.routes import maps as maps_routes
from matchmaker import __version__
from matchmaker.catalog.importer.jobs import ImportJobs
from matchmaker.core.config import check_settings, get_settings
from matchmaker.core.container import Container
from matchmaker.policy.actor import Actor
from matchmaker.policy.catalog import visible_condition
from matchmaker.store.db import get_engine, session_scope, upgrade
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

COUNTED = {
    "parks": ("park", Park),
    "organisations": ("organisation", Organisation),
    "achievements": ("achievement", Achievement),
    "needs": ("need", Need),
    "scenarios": ("scenario", Scenario),
}


def published_count(kind: str, model: Any) -> Any:
    """COUNT of the records of a kind an anonymous visitor may see (the policy's condition)."""
    query = select(func.count()).select_from(model)
    condition = visible_condition(kind, Actor())
    return query if condition is None else query.where(condition)


log = logging.getLogger("matchmaker.api")

DESCRIPTION = """
面向广西高新区“园校企”对接的推荐服务：科技成果、企业技术需求与应用场景的增删改查、按需求检索、三条赛道的配对推荐与反馈。

认证：每个请求在 `X-API-Key` 头（或 `Authorization: Bearer`）中携带 API 密钥；角色为 admin、organiser、enterprise、reader。
错误：所有 4xx/5xx 响应均为 RFC 9457 `application/problem+json`，`errors` 中逐项列出字段与原因。

Park–campus–enterprise matchmaking API. Authenticate with an API key in `X-API-Key`. Errors are RFC 9457 problem details.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Migrate the schema and load the index once; readiness reports both."""
    upgrade()
    box: Container = app.state.container
    # the index opens and catches up with the database on a thread: the port opens at once
    # (unless MATCHMAKER_START_WAIT says to wait) and /ready says "starting" with the backlog
    box.start_index()
    wait = box.settings.start_wait_seconds
    if wait > 0:
        await anyio.to_thread.run_sync(box.wait_started, wait)
    app.state.ready = True
    try:
        yield
    finally:
        app.state.import_jobs.shutdown()
        box.stop()


def create_app() -> FastAPI:
    """Build the application (tests build their own against a temporary data directory)."""
    app = FastAPI(
        title="matchmaker 园校企对接推荐引擎",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # api/docs.py serves /docs and /redoc from local assets, not a CDN
        redoc_url=None,
    )
    settings = get_settings()
    check_settings(settings)  # production refuses a default or short secret key
    app.state.ready = False
    app.state.container = Container(settings)
    if settings.queued:  # jobs go to `matchmaker worker` processes through the broker
        from matchmaker.jobs.imports import QueuedImportJobs

        app.state.import_jobs = QueuedImportJobs(settings)
    else:
        app.state.import_jobs = ImportJobs(settings.import_jobs_dir)
    problems.install(app)
    security.install(app, settings)  # body limits, security headers, abuse limits (api/security)
    app.add_middleware(AccessLogMiddleware)
    app.include_router(items.router)
    app.include_router(imports.router)
    app.include_router(search.router)
    app.include_router(feedback.router)
    app.include_router(finance.router)
    app.include_router(maps_routes.router)
    app.include_router(digest_routes.router)
    app.include_router(event_routes.router)
    app.include_router(event_team.router)
    app.include_router(event_participation.router)

    @app.get("/health", summary="存活检查 Liveness", tags=["运维 Operations"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get(
        "/ready", summary="就绪检查 Readiness (database and index loaded)", tags=["运维 Operations"]
    )
    def ready() -> Any:
        """Readiness: the database answers and start-up (schema, index caught up) has finished;
        while the index catches up: 503 `{"status": "starting", "backlog": N}`."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means not ready
            raise Problem(503, f"数据库不可用 database unavailable: {type(exc).__name__}") from exc
        box: Container = app.state.container
        if not app.state.ready:
            raise Problem(503, "服务启动中 starting up")
        if box.start_error is not None:
            raise Problem(
                503, f"检索索引无法打开 / the search index failed to open: {box.start_error}"
            )
        if box.starting:
            backlog = box.backlog()
            return JSONResponse(
                {
                    "status": "starting",
                    "database": "ok",
                    "index": "loading" if backlog is None else "catching-up",
                    "backlog": backlog,
                    "detail": "检索索引正在补齐，待嵌入的条目暂按关键词检索 / the index is catching "
                    "up; items waiting for embedding are found by their words meanwhile",
                },
                status_code=503,
                headers={"Retry-After": "5"},
            )
        backlog = box.backlog()
        return {
            "status": "ready",
            "database": "ok",
            "index": "loaded" if box.index_loaded else "absent",
            "backlog": backlog or 0,  # rows written by the CLI that a catch-up is embedding
        }

    @app.get(
        "/api/v1/stats",
        summary="数据概况（公开）Published item counts (public)",
        description="无需 API 密钥：只计访客在网页上也能看到的记录（不含草稿）。"
        " / No key needed: counts only what visitors can see on the pages (no drafts).",
        tags=["运维 Operations"],
    )
    def stats() -> dict[str, int]:
        """How many parks, organisations and published items the service holds (public: the
        same records an anonymous visitor sees, by the policy)."""
        with session_scope() as session:
            return {
                name: session.scalar(published_count(kind, model)) or 0
                for name, (kind, model) in COUNTED.items()
            }

    docs.install(app)
    pages.install(app)  # web pages: /static files, page routers, HTML error pages (api/pages)
    return app


app = create_app()
