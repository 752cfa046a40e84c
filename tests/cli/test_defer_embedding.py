"""`matchmaker import … --defer-embedding` stores a file without embedding it in the foreground;
a running server notices the new rows and embeds them in the background (or `index build` does)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from matchmaker.store.auth import create_key
from matchmaker.store.db import session_factory
from matchmaker.store.models import Organisation
from tests.server_process import child_env, data_engine, running_server

ROWS = 40


def _world(tmp_path: Path) -> tuple[Path, Path, str]:
    """A data directory with one enterprise and a reader key, and a CSV of ROWS needs."""
    data_dir = tmp_path / "data"
    engine = data_engine(data_dir)
    with session_factory(engine)() as session:
        session.add(
            Organisation(
                external_id="E1", name="测试企业", kind="enterprise", province="广西", city="南宁"
            )
        )
        key = create_key(session, name="t-reader", role="reader")
        session.commit()
    engine.dispose()
    lines = ["需求编号,需求名称,需求描述,需求企业"]
    lines += [f"N-d{i:03d},延后嵌入需求{i:03d}号,第{i}号企业的冷库节能改造,E1" for i in range(ROWS)]
    csv = tmp_path / "needs.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data_dir, csv, key


def _cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=child_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_deferred_import_is_stored_then_index_build_embeds_it(tmp_path: Path) -> None:
    data_dir, csv, _ = _world(tmp_path)
    assert _cli(data_dir, "index", "build").returncode == 0
    imported = _cli(data_dir, "import", "needs", str(csv), "--defer-embedding")
    assert imported.returncode == 0, imported.stderr
    assert f"embedding of {ROWS} item(s) deferred" in imported.stdout + imported.stderr
    status = _cli(data_dir, "index", "status")
    assert status.returncode == 1 and "differ (need)" in status.stdout, status.stdout
    assert _cli(data_dir, "index", "build").returncode == 0
    assert _cli(data_dir, "index", "status").returncode == 0


def test_running_server_catches_up_with_a_deferred_import(tmp_path: Path) -> None:
    data_dir, csv, key = _world(tmp_path)
    last = f"延后嵌入需求{ROWS - 1:03d}号"
    query = "/api/v1/search?" + urllib.parse.urlencode({"q": last, "kind": "need"})
    with running_server(data_dir, MATCHMAKER_INDEX_CATCH_UP_SECONDS="1") as server:
        started = time.monotonic()
        imported = _cli(data_dir, "import", "needs", str(csv), "--defer-embedding")
        stored_in = time.monotonic() - started
        assert imported.returncode == 0, imported.stderr
        found_at = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, ready = server.request("GET", "/ready")
            if found_at is None:
                _, found = server.request("GET", query, headers={"X-API-Key": key})
                if found["items"] and found["items"][0]["title"] == last:
                    found_at = time.monotonic() - started
            if found_at is not None and status == 200 and ready["backlog"] == 0:
                break
            time.sleep(0.2)
        caught_up = time.monotonic() - started
        assert found_at is not None, "the deferred rows never became searchable"
        assert status == 200 and ready["backlog"] == 0, ready
        _, found = server.request("GET", query, headers={"X-API-Key": key})
        assert found["items"][0]["title"] == last
    print(
        f"{ROWS} rows stored in {stored_in:.1f} s (CLI, no embedding); found by the server after "
        f"{found_at:.1f} s; embedded (backlog 0) after {caught_up:.1f} s"
    )
