"""Alembic environment: runs migrations on the connection handed over by matchmaker.store.db.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from matchmaker.store import all_models  # noqa: F401  (registers every table)
from matchmaker.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations online, on a given connection or one made from the URL."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _migrate(conn)
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
