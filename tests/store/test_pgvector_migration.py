"""Migration 0014: on PostgreSQL with pgvector it creates the extension and `item_vectors`; on
SQLite and on a PostgreSQL server without pgvector it does nothing and the schema still migrates."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from matchmaker.store.db import MIGRATIONS_DIR, make_engine, upgrade
from tests.conftest import drop_pg_schema, make_pg_schema_engine, require_pg


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _head() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_creates_extension_and_table_on_pgvector_and_downgrades(pgvector_db: str) -> None:
    engine = make_engine(pgvector_db)
    upgrade(engine)
    with engine.connect() as conn:
        version = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar()
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version is not None and revision == _head()
    columns = {c["name"] for c in inspect(engine).get_columns("item_vectors")}
    assert columns == {
        "fingerprint",
        "kind",
        "item_id",
        "dim",
        "content_hash",
        "embedding",
        "updated_at",
    }
    # a vector of the wrong length for its declared dimension is refused by the table itself
    with engine.connect() as conn:
        try:
            conn.execute(
                text(
                    "INSERT INTO item_vectors (fingerprint, kind, item_id, dim, content_hash, "
                    "embedding) VALUES ('f', 'need', 1, 3, 'h', '[1,0]')"
                )
            )
            refused = False
        except Exception as exc:  # noqa: BLE001 - the CHECK constraint's error
            refused = "ck_item_vectors_dim" in str(exc)
    assert refused
    _downgrade(engine, "0013")
    assert "item_vectors" not in inspect(engine).get_table_names()
    upgrade(engine)  # and up again
    assert "item_vectors" in inspect(engine).get_table_names()
    engine.dispose()


def test_does_nothing_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert "item_vectors" not in inspect(engine).get_table_names()
    assert "achievements" in inspect(engine).get_table_names()
    engine.dispose()


def test_does_nothing_on_postgres_without_pgvector() -> None:
    url = require_pg()
    engine, schema = make_pg_schema_engine(url)
    try:
        with engine.connect() as conn:
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            ).scalar()
        upgrade(engine)
        tables = inspect(engine).get_table_names()
        assert "achievements" in tables
        assert ("item_vectors" in tables) == (available is not None)
    finally:
        engine.dispose()
        drop_pg_schema(url, schema)
