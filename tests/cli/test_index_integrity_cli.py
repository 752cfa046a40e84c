"""`matchmaker index status` compares the saved index with the database and says plainly whether
they agree (exit 0 / 1); `index verify` checks every file and item; `index build` repairs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from matchmaker.store.db import session_factory
from matchmaker.store.models import Need
from tests.retrieval.index.conftest import populate
from tests.retrieval.index.test_integrity import swap_stored_ids
from tests.server_process import child_env, data_engine


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=child_env(data_dir, COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_status_and_verify_say_whether_index_and_database_agree(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    engine = data_engine(data_dir)
    with session_factory(engine)() as session:
        world = populate(session)
    assert _cli(data_dir, "index", "build").returncode == 0

    status = _cli(data_dir, "index", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "the index and the database agree" in status.stdout
    verify = _cli(data_dir, "index", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout

    # a need written straight into the database (no server running to index it)
    with session_factory(engine)() as session:
        need = Need(
            external_id="N-late",
            title="新加的需求",
            description="直接写入数据库",
            enterprise_id=session.get(Need, world.ids["N1"]).enterprise_id,  # type: ignore[union-attr]
        )
        need.refresh_hash()
        session.add(need)
        session.commit()
        late_id = need.id
    engine.dispose()
    status = _cli(data_dir, "index", "status")
    assert status.returncode == 1
    assert "differ (need)" in status.stdout
    verify = _cli(data_dir, "index", "verify")
    assert verify.returncode == 1 and f"missing from the index: {late_id}" in verify.stdout

    assert _cli(data_dir, "index", "build").returncode == 0
    assert _cli(data_dir, "index", "status").returncode == 0

    damaged = swap_stored_ids(data_dir / "index", "achievement")
    status = _cli(data_dir, "index", "status")
    assert (
        status.returncode == 1 and "checksum mismatch: achievement/vectors.faiss" in status.stdout
    )
    verify = _cli(data_dir, "index", "verify")
    assert verify.returncode == 1 and "achievement/vectors.faiss" in verify.stdout
    build = _cli(data_dir, "index", "build")
    assert build.returncode == 0 and "checksum mismatch" in build.stdout, build.stdout
    assert not damaged.exists()  # the damaged generation was replaced
    assert _cli(data_dir, "index", "verify").returncode == 0


def test_status_with_a_bad_database_is_exit_3_not_success(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    engine = data_engine(data_dir)
    with session_factory(engine)() as session:
        populate(session)
    engine.dispose()
    assert _cli(data_dir, "index", "build").returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "matchmaker", "index", "status"],
        env=child_env(data_dir, DATABASE_URL="postgresql://postgres@127.0.0.1:1/matchmaker"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
