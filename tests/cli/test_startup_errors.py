"""Start-up problems are one or two lines and a distinct exit code, never a traceback (unless
--debug): a bad DATABASE_URL (3), a missing database driver (4), an unwritable data directory
(5), a model that cannot be loaded (6) — for ordinary commands and for `serve`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from matchmaker.core.startup import EXIT_DATA_DIR, EXIT_DATABASE, EXIT_EXTENSION, EXIT_MODEL
from tests.conftest import require_pg
from tests.server_process import child_env, free_port

REFUSED = "postgresql://postgres@127.0.0.1:1/matchmaker"  # nothing listens on port 1


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=child_env(tmp_path / "data", **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_clear(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    err = result.stderr.strip()
    assert result.returncode == code, (result.returncode, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    lines = [line for line in err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, err
    for word in words:
        assert word in err, err


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["index", "build"],
        ["import", "needs", "needs.csv"],
        ["serve", "--port", "0"],
    ],
)
def test_unreachable_database_is_two_lines_and_exit_3(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "needs.csv").write_text("需求编号,需求名称\nN-1,标题\n", encoding="utf-8")
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    result = _run(tmp_path, *command, DATABASE_URL=REFUSED)
    _assert_clear(result, EXIT_DATABASE, "DATABASE_URL", "127.0.0.1:1")


def test_missing_database_and_role_are_named(tmp_path: Path) -> None:
    url = require_pg().replace("postgresql+psycopg://", "postgresql://")
    base = url.rsplit("/", 1)[0]
    missing_db = _run(tmp_path, "db", "upgrade", DATABASE_URL=base + "/matchmaker_no_such_db")
    _assert_clear(missing_db, EXIT_DATABASE, "matchmaker_no_such_db", "does not exist")
    host = base.split("@", 1)[1]
    no_role = _run(
        tmp_path, "db", "upgrade", DATABASE_URL=f"postgresql://no_such_role_x@{host}/postgres"
    )
    _assert_clear(no_role, EXIT_DATABASE, "no_such_role_x")


def test_missing_driver_is_exit_4(tmp_path: Path) -> None:
    result = _run(tmp_path, "db", "upgrade", DATABASE_URL="postgresql+pg8000://u@127.0.0.1/x")
    _assert_clear(result, EXIT_EXTENSION, "pg8000")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["index", "build"], ["serve"]])
def test_unwritable_data_dir_is_exit_5(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    blocked = str(tmp_path / "a-file" / "data")
    if command == ["serve"]:
        command = ["serve", "--port", str(free_port())]
    result = _run(tmp_path, *command, MATCHMAKER_DATA_DIR=blocked)
    _assert_clear(result, EXIT_DATA_DIR, "MATCHMAKER_DATA_DIR", blocked)


@pytest.mark.parametrize("embedder", ["sentence-transformers:/no/such/model", "e5-large"])
def test_missing_model_is_exit_6_for_serve_and_index_build(tmp_path: Path, embedder: str) -> None:
    for command in (["index", "build"], ["serve", "--port", str(free_port())]):
        result = _run(tmp_path, *command, MATCHMAKER_EMBEDDER=embedder)
        _assert_clear(result, EXIT_MODEL, "MATCHMAKER_EMBEDDER")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path, "--debug", "db", "upgrade", DATABASE_URL=REFUSED)
    assert result.returncode != 0 and "Traceback" in result.stderr
