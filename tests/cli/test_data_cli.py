"""The CLI as a user runs it: help, imports with clear errors and exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_help_lists_commands_in_chinese_and_english(tmp_path: Path) -> None:
    out = run(["--help"], tmp_path)
    assert out.returncode == 0
    for command in ("import", "demo", "serve", "db"):
        assert command in out.stdout
    assert "导入" in out.stdout and "Import" in out.stdout


def test_import_reports_bad_rows_and_changes_nothing(tmp_path: Path) -> None:
    parks = tmp_path / "parks.csv"
    parks.write_text(
        "园区名称,级别,城市,主导产业\n南宁高新区,国家级,南宁,电子信息\n", encoding="utf-8-sig"
    )
    assert run(["import", "parks", str(parks)], tmp_path).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "园区名称,级别,城市,主导产业\n北海高新区,国家级,北海,电子信息\n玉林高新区,市级,玉林,\n",
        encoding="utf-8",
    )
    out = run(["import", "parks", str(bad)], tmp_path)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "第 3 行" in out.stderr and "级别" in out.stderr and "主导产业" in out.stderr
    assert "未导入任何数据" in out.stderr
    stats = run(["import", "parks", str(parks)], tmp_path)
    assert "新增 0" in stats.stdout and "未变 1" in stats.stdout, "the broken file added nothing"
    skipped = run(["import", "parks", str(bad), "--skip-invalid"], tmp_path)
    assert skipped.returncode == 0 and "新增 1" in skipped.stdout and "跳过 1" in skipped.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "widgets", "x.csv"], "未知的数据类型"),
        (["import", "parks", "missing.csv"], "文件不存在"),
    ],
)
def test_user_mistakes_get_a_message_not_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = run(args, tmp_path)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
