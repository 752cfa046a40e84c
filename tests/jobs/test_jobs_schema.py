"""Migration 0015 creates exactly the job and cache tables the ORM models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from matchmaker.store import all_models  # noqa: F401 - every table on the metadata
from matchmaker.store.models import Base

TABLES = {"background_jobs", "background_job_chunks", "embedding_cache"}


def _touches_ours(diff: object) -> bool:
    text = repr(diff)
    return any(name in text for name in TABLES)


def test_job_tables_match_their_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if _touches_ours(d)] == []
