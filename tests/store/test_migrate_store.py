"""`matchmaker migrate-store --to pgvector` moves a SQLite/FAISS install's items and saved vectors
to PostgreSQL + pgvector without embedding anything again; a second run changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from matchmaker.retrieval.embed import Embedder, get_embedder
from matchmaker.retrieval.index.service import SearchIndex, open_index
from matchmaker.retrieval.index.stores import pgvector_factory
from matchmaker.store.db import make_engine, session_factory
from tests.retrieval.index.conftest import populate
from tests.server_process import child_env, data_engine


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=child_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_migrate_store_moves_items_and_vectors_once(
    tmp_path: Path,
    pgvector_db: str,
) -> None:
    embedder: Embedder = get_embedder("e5-small")
    data_dir = tmp_path / "data"
    source = data_engine(data_dir)
    with session_factory(source)() as session:
        populate(session)
        index = open_index(session, embedder, data_dir / "index")  # embeds and saves (FAISS)
        counts = {kind: index.count(kind) for kind in ("achievement", "need", "scenario")}
        top = [h.id for h in index.search("电池热失控预警", "achievement", 5)]
    source.dispose()

    moved = _cli(data_dir, "migrate-store", "--to", "pgvector", "--database-url", pgvector_db)
    assert moved.returncode == 0, moved.stderr
    assert "achievements: 复制 copied" in moved.stdout

    target = make_engine(pgvector_db)
    with target.connect() as conn:
        vectors = dict(
            conn.execute(text("SELECT kind, count(*) FROM item_vectors GROUP BY kind")).all()
        )
        achievements = conn.execute(text("SELECT count(*) FROM achievements")).scalar()
    assert vectors == counts and achievements == counts["achievement"]

    # a replica on the target takes every vector as it is and ranks as the FAISS index did
    replica = SearchIndex(
        embedder,
        vector_factory=pgvector_factory(target, embedder.fingerprint, embedder.dim),
    )
    with session_factory(target)() as session:
        report = replica.sync(session)
        assert sum(c.embedded for c in report.kinds.values()) == 0
        assert [h.id for h in replica.search("电池热失控预警", "achievement", 5)] == top
        # new rows continue after the copied ids (the sequences were moved on)
        highest = session.execute(text("SELECT max(id) FROM achievements")).scalar()
        next_id = session.execute(
            text("SELECT nextval(pg_get_serial_sequence('achievements', 'id'))")
        ).scalar()
        assert next_id is not None and highest is not None and next_id > highest

    again = _cli(data_dir, "migrate-store", "--to", "pgvector", "--database-url", pgvector_db)
    assert again.returncode == 0, again.stderr
    assert "复制 copied 0" in again.stdout and "copied 1" not in again.stdout
    with target.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM achievements")).scalar() == achievements
    target.dispose()


def test_migrate_store_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_engine(data_dir).dispose()
    wrong_kind = _cli(data_dir, "migrate-store", "--to", "faiss", "--database-url", "sqlite://")
    assert wrong_kind.returncode == 2 and "--to" in wrong_kind.stderr
    not_pg = _cli(
        data_dir,
        "migrate-store",
        "--to",
        "pgvector",
        "--database-url",
        f"sqlite:///{tmp_path}/x.db",
    )
    assert not_pg.returncode == 2 and "PostgreSQL" in not_pg.stderr, not_pg.stderr
