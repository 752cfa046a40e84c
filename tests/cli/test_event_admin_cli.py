"""`matchmaker events …` as an organiser runs it on a stored event: create, invite, pair, plan,
move, show, export, cancel; wrong names give a clear error and exit 2, never a traceback."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.cli.common import UserError
from matchmaker.core.container import reset_container
from matchmaker.store.db import session_scope, upgrade
from tests.events.event_world import seed


def events(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `matchmaker events …` as a user does, in its own process, on the test's data directory."""
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", "events", *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
    )


def ok(*args: str) -> str:
    """Run a command in this process (faster than a new one each time) and expect success."""
    result = CliRunner().invoke(app, ["events", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def refused(*args: str) -> str:
    """Run a command in this process and expect a user error (what `main` prints, exit 2)."""
    result = CliRunner().invoke(app, ["events", *args])
    assert isinstance(result.exception, UserError), (result.output, result.exception)
    return str(result.exception)


def free_place(document: dict[str, Any], meeting: dict[str, Any]) -> tuple[int, str]:
    """A slot where neither side of the meeting is busy, and an empty table in it."""
    busy = {
        m["slot"] for m in document["meetings"] if {m["a"], m["b"]} & {meeting["a"], meeting["b"]}
    }
    for row in document["grid"]:
        if row["slot"] in busy:
            continue
        for label, cell in zip(document["tables"], row["cells"], strict=True):
            if cell is None:
                return row["slot"], label
    raise AssertionError("no free place in the grid")


@pytest.fixture
def fresh_container(app_env: Path) -> Iterator[Path]:
    """The CLI's process-wide container made for this test's data directory, forgotten after."""
    reset_container()
    yield app_env
    reset_container()


def test_an_organiser_plans_a_stored_event_from_the_command_line(
    fresh_container: Path, tmp_path: Path
) -> None:
    upgrade()
    with session_scope() as session:
        seed(session)

    created = ok(
        "create",
        "--name",
        "邕江园校企对接会",
        "--date",
        "2026-12-01",
        "--session",
        "上午场=09:00-11:00/20",
        "--table-labels",
        "A1,A2,A3",
        "--park",
        "P-NN",
        "--tracks",
        "tech-transfer",
    )
    assert "已创建活动 1" in created and "6 个时段 × 3 张桌" in created
    assert "找不到园区“P-XX”" in refused(
        "create",
        "--name",
        "x",
        "--date",
        "2026-12-01",
        "--session",
        "09:00-10:00",
        "--park",
        "P-XX",
    )
    assert "放不下一场 20 分钟的会谈" in refused(
        "create", "--name", "x", "--date", "2026-12-01", "--session", "09:00-09:10"
    )

    ok("add", "1", "E1", "--unavailable", "09:00", "--needs", "N-E1")
    ok("add", "1", "E2", "漓江理工学院", "U1")
    outsider = events(
        "add", "1", "无此机构"
    )  # the real entry point: exit 2, a message, no traceback
    assert outsider.returncode == 2 and "Traceback" not in outsider.stderr
    assert "找不到机构“无此机构”" in outsider.stderr
    assert "没有时段“12:00”" in refused("add", "1", "U3", "--unavailable", "12:00")
    assert "找不到 achievement“A-NONE”" in refused("add", "1", "U3", "--achievements", "A-NONE")
    ok("pair", "1", "E1", "U1")

    planned = events("plan", "1", "--time-limit", "2")
    assert planned.returncode == 0, planned.stderr
    assert "方案第 1 版" in planned.stdout
    assert "未找到检索索引，使用关键词评分" in planned.stderr, "auto falls back to lexical"
    assert "--scorer 应为 auto、engine 或 lexical" in refused("plan", "1", "--scorer", "bogus")

    document = json.loads(ok("show", "1", "--json"))
    assert document["version"] == 1 and document["meetings"]
    e1 = next(p for p in document["participants"] if p["name"].startswith("南宁智造"))
    assert e1["meetings"] and all(m["time"] != "09:00–09:20" for m in e1["meetings"])
    meeting = document["meetings"][0]
    slot, table = free_place(document, meeting)
    assert "没有桌号“Z9”，可选：A1、A2、A3" in refused(
        "move", "1", str(meeting["id"]), "--slot", str(slot + 1), "--table", "Z9"
    )
    moved = ok("move", "1", str(meeting["id"]), "--slot", str(slot + 1), "--table", table)
    assert f"{table} 号桌" in moved
    after = json.loads(ok("show", "1", "--json"))
    placed = next(m for m in after["meetings"] if m["id"] == meeting["id"])
    assert (placed["slot"], placed["table_label"], placed["locked"]) == (slot, table, True)

    listed = ok("list")
    assert "邕江园校企对接会" in listed and "参会 4 方" in listed and "方案 v1" in listed

    out = tmp_path / "out"
    exported = ok("export", "1", "--out", str(out))
    assert "event-1-v1-meetings.csv" in exported
    with (out / "event-1-v1-meetings.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + len(after["meetings"])
    agenda = ok("export", "1", "--out", str(out), "--participant", "E1")
    assert "agenda.html" in agenda

    cancelled = ok("cancel", "1", "U1", "--time-limit", "2")
    assert "已取消 邕江科技大学" in cancelled and "方案第 2 版" in cancelled
    final = json.loads(ok("show", "1", "--json"))
    u1 = next(p for p in final["participants"] if p["name"] == "邕江科技大学")
    assert u1["status"] == "cancelled" and u1["meetings"] == []
