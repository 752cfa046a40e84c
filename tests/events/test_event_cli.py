"""`matchmaker event plan` end to end: JSON in, JSON plan out; bad files give a clear error, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.model import EventInputError
from matchmaker.events.solver.parse import parse_problem
from matchmaker.events.solver.serialize import plan_from_json

EVENT: dict[str, Any] = {
    "slots": 3,
    "tables": 2,
    "participants": [
        {"id": "E1", "max_meetings": 2},
        {"id": "E2", "max_meetings": 2, "unavailable_slots": [0]},
        {"id": 7, "max_meetings": 3, "name": "广西大学"},
        {"id": "U2", "max_meetings": 2},
    ],
    "scores": [
        {"a": "E1", "b": 7, "score": 9.5},
        {"a": "E2", "b": 7, "score": 8},
        {"a": "E1", "b": "U2", "score": 3},
        {"a": "E2", "b": "U2", "score": 6},
    ],
    "must_meet": [{"a": "E1", "b": "U2"}],
    "never_meet": [{"a": "E2", "b": "U2"}],
    "locked": [{"a": "E2", "b": 7, "slot": 2, "table": 1}],
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from matchmaker.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _write(tmp_path: Path, data: Any, name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_plan_json_round_trip(tmp_path: Path) -> None:
    result = _run("event", "plan", "--input", str(_write(tmp_path, EVENT)), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= {"meetings", "objective", "unmet_must_meet"}
    pairs = {frozenset((m["a"], m["b"])): m for m in out["meetings"]}
    assert pairs[frozenset(("E2", 7))]["slot"] == 2 and pairs[frozenset(("E2", 7))]["table"] == 1
    assert frozenset(("E1", "U2")) in pairs  # must-meet honoured
    assert frozenset(("E2", "U2")) not in pairs  # never-meet respected
    assert any(m["a"] == 7 or m["b"] == 7 for m in out["meetings"])  # int id kept as int
    assert out["objective"] == pytest.approx(9.5 + 8 + 3)
    assert check_plan(parse_problem(EVENT), plan_from_json(out)) == []


def test_replan_with_previous_plan_and_check_command(tmp_path: Path) -> None:
    event = _write(tmp_path, EVENT)
    first = _run("event", "plan", "--input", str(event), "--json")
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(first.stdout, encoding="utf-8")
    again = _run("event", "plan", "--input", str(event), "--json", "--previous", str(plan_path))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["meetings"] == json.loads(first.stdout)["meetings"]
    checked = _run("event", "check", "--input", str(event), "--plan", str(plan_path))
    assert checked.returncode == 0, checked.stderr
    broken = json.loads(first.stdout)
    broken["meetings"].append(dict(broken["meetings"][0]))
    bad_plan = _write(tmp_path, broken, "bad-plan.json")
    rejected = _run("event", "check", "--input", str(event), "--plan", str(bad_plan))
    assert rejected.returncode == 1
    assert "double-booked" in rejected.stderr


def _broken(change: dict[str, Any], drop: str | None = None) -> dict[str, Any]:
    data = json.loads(json.dumps(EVENT))
    data.update(change)
    if drop:
        del data[drop]
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_broken({}, drop="slots"), "missing field slots"),
        (_broken({"scores": [{"a": "E1", "b": "nobody", "score": 1}]}), "scores[0].b: 未知参会方"),
        (
            _broken({"locked": [{"a": "E2", "b": 7, "slot": 3, "table": 0}]}),
            "locked[0].slot: 时段 3 超出范围",
        ),
        (_broken({"participants": [{"id": "E1"}]}), "participants[0]: 缺少字段 max_meetings"),
        (_broken({"scores": [{"a": "E1", "b": 7, "score": "high"}]}), "scores[0].score"),
        (_broken({"tables": 0}), "tables"),
        (_broken({"must_meet": [{"a": "E1", "b": "E1"}]}), "must_meet[0]"),
        (
            _broken({"locked": [{"a": "E2", "b": 7, "slot": 0, "table": 0}]}),
            "participant 'E2' is unavailable in slot 0",
        ),
    ],
)
def test_bad_input_is_reported_by_field(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(EventInputError) as caught:
        parse_problem(data)
    assert expected in str(caught.value)


def test_bad_input_on_the_command_line_exits_2_without_traceback(tmp_path: Path) -> None:
    data = _broken({"scores": [{"a": "E1", "b": "nobody", "score": 1}]})
    result = _run("event", "plan", "--input", str(_write(tmp_path, data)), "--json")
    assert result.returncode == 2
    assert "scores[0].b" in result.stderr and "unknown participant 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    result = _run("event", "plan", "--input", str(bad))
    assert result.returncode == 2 and "line 1" in result.stderr and "Traceback" not in result.stderr
    missing = _run("event", "plan", "--input", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_export_command_writes_the_three_files(tmp_path: Path) -> None:
    event = _write(tmp_path, EVENT)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(_run("event", "plan", "--input", str(event), "--json").stdout, "utf-8")
    out = tmp_path / "out"
    result = _run(
        "event",
        "export",
        "--input",
        str(event),
        "--plan",
        str(plan_path),
        "--out",
        str(out),
        "--slot-labels",
        "09:00-09:20,09:20-09:40,09:40-10:00",
    )
    assert result.returncode == 0, result.stderr
    html = (out / "agenda.html").read_text(encoding="utf-8")
    assert "广西大学" in html and "09:40-10:00" in html
    assert (out / "meetings.xlsx").stat().st_size > 0
    assert "广西大学" in (out / "meetings.csv").read_text(encoding="utf-8-sig")


def test_cancelled_participant_keeps_locked_meetings_only() -> None:
    from matchmaker.events.solver.planner import plan_event

    data = json.loads(json.dumps(EVENT))
    data["never_meet"] = []  # so E2 would also meet U2 if it stayed
    staying = plan_event(parse_problem(data))
    assert check_plan(parse_problem(data), staying) == []
    assert len([m for m in staying.meetings if "E2" in (m.a, m.b)]) == 2
    data["participants"][1]["cancelled"] = True  # E2 leaves after its locked meeting
    problem = parse_problem(data)
    plan = plan_event(problem)
    e2 = [m for m in plan.meetings if "E2" in (m.a, m.b)]
    assert [(m.slot, m.table) for m in e2] == [(2, 1)]
    assert check_plan(problem, plan) == []
