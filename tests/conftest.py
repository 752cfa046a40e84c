"""Shared fixtures: real databases (SQLite always, PostgreSQL when a URL is given) with the schema migrated."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from matchmaker.store.db import get_engine, make_engine, session_factory, upgrade
from tests.pgvector_server import pg_server, pgvector_db  # noqa: F401 - fixtures for every test
from tests.shared_data import shared_data_dir

# Tests (and the servers and CLIs they start) run in development mode: production refuses the
# default secret key, which several tests rely on.
os.environ["MATCHMAKER_ENV"] = "development"
# Apps made in tests wait for their index to catch up before serving (as before background
# start-up), so a test's first search sees every item; servers run as child processes start
# without it (their environment drops MATCHMAKER_*) and wait for /ready instead.
os.environ.setdefault("MATCHMAKER_START_WAIT", "600")
PG_URL_ENV = "MATCHMAKER_TEST_PG_URL"
SHARED_DATA = shared_data_dir()  # tests.shared_data: skip outside CI, fail in CI


def pg_url() -> str | None:
    """The PostgreSQL URL the tests may use (CI always sets it)."""
    url = os.environ.get(PG_URL_ENV)
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def require_pg() -> str:
    """The PostgreSQL URL, or skip — but never skip in CI, where a missing URL is a failure."""
    url = pg_url()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{PG_URL_ENV} is not set in CI: PostgreSQL tests must run there")
    pytest.skip(f"{PG_URL_ENV} not set: PostgreSQL tests skipped outside CI")


def make_pg_schema_engine(url: str) -> tuple[Engine, str]:
    """An engine whose connections live in a fresh schema of their own, so tests never see each other."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()
        dbapi_conn.commit()

    return engine, schema


def drop_pg_schema(url: str, schema: str) -> None:
    """Remove a test schema and everything in it."""
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    url = require_pg()
    eng, schema = make_pg_schema_engine(url)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        drop_pg_schema(url, schema)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database only (for tests where the backend does not matter)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the parametrised database."""
    with session_factory(engine)() as s:
        yield s


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the whole app (settings, default engine) at a fresh data directory with SQLite."""
    from matchmaker.core.config import get_settings

    data_dir = tmp_path / "data"
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield data_dir
    get_engine.cache_clear()
    get_settings.cache_clear()
