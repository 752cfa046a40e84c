"""FastAPI application: liveness, readiness and the first read-only endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException
from sqlalchemy import func, select, text

from matchmaker import __version__
from matchmaker.store.db import get_engine, session_scope, upgrade
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

COUNTED = {
    "parks": Park,
    "organisations": Organisation,
    "achievements": Achievement,
    "needs": Need,
    "scenarios": Scenario,
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Bring the schema up to date once at start-up."""
    upgrade()
    app.state.ready = True
    yield


app = FastAPI(
    title="matchmaker 园校企对接推荐引擎",
    description="面向广西高新区的园校企对接推荐服务：科技成果、企业技术需求与应用场景的检索、推荐与活动排程。",
    version=__version__,
    lifespan=lifespan,
)


@app.get("/health", summary="存活检查 Liveness")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@app.get("/ready", summary="就绪检查 Readiness (database reachable)")
def ready() -> dict[str, Any]:
    """Readiness: the database answers and the schema is loaded."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready
        raise HTTPException(
            status_code=503, detail=f"数据库不可用 database unavailable: {exc}"
        ) from exc
    return {"status": "ready", "database": "ok"}


@app.get("/api/v1/stats", summary="数据概况 Item counts")
def stats() -> dict[str, int]:
    """How many parks, organisations and items the service holds."""
    with session_scope() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in COUNTED.items()
        }
