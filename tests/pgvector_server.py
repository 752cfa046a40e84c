"""A real PostgreSQL 16 with pgvector for the tests: the `pgserver` package, started once per run.

pgserver bundles PostgreSQL 16 and pgvector 0.6. PostgreSQL refuses to run as root; pgserver
handles that itself: under root it creates a system user `pgserver` (useradd) and runs initdb and
postgres as that user. Its data folder must therefore be reachable by that user, so it is made
with `tempfile.mkdtemp` under /tmp (pytest's own tmp folders are 0700 root) and handed to the
user. The server listens on a Unix socket in that folder only. Each test gets a fresh database of
its own. Outside CI the tests skip with the reason when pgserver cannot start; in CI (`CI` set)
they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import create_engine, text


@dataclass
class PgServer:
    """A running pgserver: the folder of its Unix socket."""

    socket_dir: str

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one database."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def plain_url(self, database: str) -> str:
        """The URL as an operator writes DATABASE_URL (postgresql://)."""
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = "t_" + uuid.uuid4().hex[:12]
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return name

    def drop_database(self, name: str) -> None:
        """Remove a database, ending its connections."""
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"pgserver (PostgreSQL 16 + pgvector) must run in CI: {reason}")
    pytest.skip(
        f"pgserver (PostgreSQL 16 + pgvector) unavailable, pgvector tests skipped: {reason}"
    )


def start_pgserver(folder: str) -> tuple[PgServer, object]:
    """Start pgserver over `folder` (created if missing); returns the server and its handle."""
    import pgserver

    handle = pgserver.get_server(folder, cleanup_mode="stop")
    query = parse_qs(urlparse(handle.get_uri()).query)
    return PgServer(query["host"][0]), handle


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """PostgreSQL 16 + pgvector for the whole run (skips outside CI when it cannot start)."""
    folder = tempfile.mkdtemp(prefix="mm-pgserver-")
    os.chmod(folder, 0o755)
    handle = None
    try:
        try:
            server, handle = start_pgserver(os.path.join(folder, "pgdata"))
        except Exception as exc:  # ImportError, a failed initdb, no useradd…
            _unavailable(f"{type(exc).__name__}: {exc}")
        yield server
    finally:
        if handle is not None:
            handle.cleanup()  # type: ignore[attr-defined]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pgvector_db(pg_server: PgServer) -> Iterator[str]:
    """A fresh database on the pgserver (SQLAlchemy URL), dropped afterwards."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
