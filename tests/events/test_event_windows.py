"""Soft preferred windows and spread vs compact placement: in the planner, the file format, the
CLI and the independent checker. Windows steer where meetings go but never cost a meeting."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from event_helpers import random_event
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.events.solver.check import check_plan, placement_figures
from matchmaker.events.solver.model import EventProblem, Participant, ScoredPair
from matchmaker.events.solver.planner import plan_event


def morning_heavy(placement: str, afternoon: frozenset[int] | None = None) -> EventProblem:
    """Five enterprises × five universities, one meeting each pair on the diagonal and a bit more;
    eight slots, five tables: everything fits in the morning (slots 0–3)."""
    people = [Participant(f"E{i}", 2) for i in range(5)] + [
        Participant(f"U{i}", 2, preferred_slots=afternoon if i == 0 else None) for i in range(5)
    ]
    scores = [ScoredPair(f"E{i}", f"U{i}", 60.0 + i) for i in range(5)] + [
        ScoredPair(f"E{i}", f"U{(i + 1) % 5}", 40.0 + i) for i in range(5)
    ]
    return EventProblem(slots=8, tables=5, participants=people, scores=scores, placement=placement)


def test_compact_uses_the_first_slots_and_spread_uses_the_whole_day() -> None:
    compact = plan_event(morning_heavy("compact"), time_limit=2)
    spread = plan_event(morning_heavy("spread"), time_limit=2)
    assert len(compact.meetings) == len(spread.meetings) == 10
    assert compact.objective == spread.objective  # placement never costs a meeting
    assert max(m.slot for m in compact.meetings) <= 1  # two meetings each: two slots suffice
    assert max(m.slot for m in spread.meetings) >= 6  # the afternoon is used
    per_slot = [sum(1 for m in spread.meetings if m.slot == s) for s in range(8)]
    assert max(per_slot) <= 2  # 10 meetings over 8 slots: at most 2 in any slot
    assert spread.stats["placement"] == "spread" and spread.stats["busiest_slot"] == max(per_slot)
    for problem, plan in ((morning_heavy("compact"), compact), (morning_heavy("spread"), spread)):
        assert check_plan(problem, plan) == []


def test_a_preferred_window_moves_meetings_there_without_losing_any() -> None:
    afternoon = frozenset({4, 5, 6, 7})
    problem = morning_heavy("compact", afternoon)
    plan = plan_event(problem, time_limit=2)
    assert len(plan.meetings) == 10
    mine = [m.slot for m in plan.meetings if "U0" in (m.a, m.b)]
    assert mine and all(s in afternoon for s in mine)
    assert plan.stats["window_misses"] == 0
    assert check_plan(problem, plan) == []


def test_a_window_nobody_can_honour_is_only_a_preference() -> None:
    # U0 would like slot 7, but its partners are away then: the meetings still happen.
    people = [
        Participant("E0", 2, unavailable_slots=frozenset({7})),
        Participant("E1", 2, unavailable_slots=frozenset({7})),
        Participant("U0", 2, preferred_slots=frozenset({7})),
    ]
    scores = [ScoredPair("E0", "U0", 50.0), ScoredPair("E1", "U0", 40.0)]
    problem = EventProblem(slots=8, tables=2, participants=people, scores=scores)
    plan = plan_event(problem, time_limit=2)
    assert len(plan.meetings) == 2
    assert plan.stats["window_misses"] == 2
    assert check_plan(problem, plan) == []


def test_the_checker_recomputes_the_window_figures() -> None:
    problem = morning_heavy("compact", frozenset({4, 5, 6, 7}))
    plan = plan_event(problem, time_limit=2)
    plan.stats["window_misses"] = plan.stats["window_misses"] + 3
    issues = check_plan(problem, plan)
    assert any("window_misses" in issue for issue in issues)
    assert placement_figures(problem, plan.meetings)["window_misses"] == 0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    placement=st.sampled_from(["compact", "spread"]),
    cap=st.sampled_from([None, 2, 3]),
)
def test_windows_and_spread_plans_always_pass_the_checker(
    seed: int, placement: str, cap: int | None
) -> None:
    base = random_event(seed, bipartite=True, people=10, slots=6, tables=3)
    people = [
        replace(p, preferred_slots=frozenset(range(3)) if i % 3 == 0 else None)
        for i, p in enumerate(base.participants)
    ]
    problem = replace(base, participants=people, placement=placement, max_back_to_back=cap)
    plan = plan_event(problem, time_limit=2)
    assert check_plan(problem, plan) == []
    assert plan.stats["window_misses"] == placement_figures(problem, plan.meetings)["window_misses"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", "event", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_file_format_takes_windows_and_placement(tmp_path: Path) -> None:
    event = {
        "slots": 8,
        "tables": 5,
        "placement": "spread",
        "participants": [{"id": f"E{i}", "max_meetings": 2} for i in range(5)]
        + [{"id": "U0", "max_meetings": 2, "preferred_slots": [4, 5, 6, 7]}]
        + [{"id": f"U{i}", "max_meetings": 2} for i in range(1, 5)],
        "scores": [{"a": f"E{i}", "b": f"U{i}", "score": 60 + i} for i in range(5)],
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    done = _run("plan", "--input", str(path), "--json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["stats"]["placement"] == "spread" and plan["stats"]["window_misses"] == 0
    assert [m["slot"] for m in plan["meetings"] if "U0" in (m["a"], m["b"])][0] >= 4
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    checked = _run("check", "--input", str(path), "--plan", str(plan_path))
    assert checked.returncode == 0, checked.stderr
    assert "preferred windows: 0" in checked.stdout
    plan["stats"]["window_misses"] = 4  # a plan file that misstates the figure is flagged
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    lied = _run("check", "--input", str(path), "--plan", str(plan_path))
    assert lied.returncode == 1 and "window_misses" in lied.stderr
    event["placement"] = "sideways"
    path.write_text(json.dumps(event), encoding="utf-8")
    bad = _run("plan", "--input", str(path))
    assert bad.returncode == 2 and "placement" in bad.stderr
    event["placement"] = "compact"
    event["participants"][5]["preferred_slots"] = [9]
    path.write_text(json.dumps(event), encoding="utf-8")
    bad = _run("plan", "--input", str(path))
    assert bad.returncode == 2 and "participants[5].preferred_slots" in bad.stderr
