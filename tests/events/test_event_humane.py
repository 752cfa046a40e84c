"""Humane schedules in the planner and the independent checker: nobody has more than N meetings
in a row, a pause (lunch) ends a run, and every plan still passes the checker."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from event_helpers import random_event
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.service import humane, planning
from matchmaker.events.service.errors import Invalid
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.model import (
    EventInputError,
    EventProblem,
    Meeting,
    Participant,
    Plan,
    ScoredPair,
)
from matchmaker.events.solver.planner import plan_event
from matchmaker.events.solver.validate import validate_problem
from tests.events.event_world import FAST, seed


def runs(plan: Plan, who: object, slots: int, pauses: frozenset[int] = frozenset()) -> int:
    """The longest run of consecutive meetings of one participant."""
    busy = {m.slot for m in plan.meetings if who in (m.a, m.b)}
    best = run = 0
    for slot in range(slots):
        run = run + 1 if slot in busy else 0
        best = max(best, run)
        if slot in pauses:
            run = 0
    return best


def hub(cap: int | None, slots: int = 8, partners: int = 6) -> EventProblem:
    """One enterprise everyone wants to meet, six partners, eight slots."""
    people = [Participant("HUB", partners)] + [Participant(f"U{i}", 1) for i in range(partners)]
    scores = [ScoredPair("HUB", f"U{i}", 50.0 + i) for i in range(partners)]
    return EventProblem(
        slots=slots, tables=2, participants=people, scores=scores, max_back_to_back=cap
    )


def test_the_checker_counts_runs_and_pauses_end_them() -> None:
    problem = hub(2)
    three = Plan(
        meetings=[Meeting("HUB", f"U{i}", i, 0, 50.0 + i) for i in range(3)],
        objective=150.0 + 3,
    )
    issues = check_plan(problem, three)
    assert len(issues) == 1 and "'HUB'" in issues[0] and "3" in issues[0]
    assert check_plan(replace(problem, pauses_after=frozenset({1})), three) == []
    assert check_plan(replace(problem, max_back_to_back=None), three) == []


def test_a_busy_participant_gets_breaks_without_losing_meetings() -> None:
    free = plan_event(hub(None), time_limit=3)
    assert len(free.meetings) == 6 and runs(free, "HUB", 8) > 2  # compaction packs them
    capped = plan_event(hub(2), time_limit=3)
    assert check_plan(hub(2), capped) == []
    assert len(capped.meetings) == 6 and runs(capped, "HUB", 8) <= 2
    assert capped.objective == pytest.approx(free.objective)
    assert capped.stats["back_to_back_dropped"] == 0 and capped.stats["back_to_back_moved"] >= 1
    # Too little room: 7 slots cannot hold 6 meetings at most 2 in a row (XX.XX.X): one is
    # dropped (the cheapest) and reported, and the plan is still valid.
    tight = hub(2, slots=7)
    plan = plan_event(tight, time_limit=3)
    assert check_plan(tight, plan) == []
    assert len(plan.meetings) == 5 and [d.score for d in plan.dropped] == [50.0]


def test_locks_that_break_the_cap_are_refused_as_input() -> None:
    problem = hub(1)
    problem.locked = [Meeting("HUB", "U0", 0, 0, 50.0), Meeting("HUB", "U1", 1, 0, 51.0)]
    with pytest.raises(EventInputError, match="max_back_to_back 1"):
        validate_problem(problem)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    cap=st.integers(1, 3),
    people=st.integers(4, 12),
    slots=st.integers(3, 7),
    pause=st.integers(0, 6),
)
def test_capped_plans_always_pass_the_checker(
    seed: int, cap: int, people: int, slots: int, pause: int
) -> None:
    base = random_event(seed, bipartite=True, people=people, slots=slots, tables=3, locks=0)
    problem = replace(base, max_back_to_back=cap, pauses_after=frozenset({pause % slots}))
    plan = plan_event(problem, time_limit=2)
    assert check_plan(problem, plan) == []
    for person in problem.participants:
        assert runs(plan, person.id, slots, problem.pauses_after) <= cap


def test_the_file_format_and_cli_take_the_cap(tmp_path: Path) -> None:
    event = {
        "slots": 8,
        "tables": 2,
        "participants": [{"id": "HUB", "max_meetings": 6}]
        + [{"id": f"U{i}", "max_meetings": 1} for i in range(6)],
        "scores": [{"a": "HUB", "b": f"U{i}", "score": 50 + i} for i in range(6)],
        "max_back_to_back": 2,
        "pauses_after": [3],
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", "event", "plan", "--input", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    busy = sorted(m["slot"] for m in plan["meetings"])
    assert len(busy) == 6
    run = best = 0
    for slot in range(8):
        run = run + 1 if slot in busy else 0
        best = max(best, run)
        if slot == 3:
            run = 0
    assert best <= 2
    event["max_back_to_back"] = 0
    path.write_text(json.dumps(event), encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "matchmaker", "event", "plan", "--input", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "max_back_to_back" in bad.stderr + bad.stdout


def test_stored_events_spread_meetings_respect_breaks_and_preview_a_regenerate(
    session: Session,
) -> None:
    orgs = seed(session)
    event = service.create_event(
        session,
        service.EventSpec(
            name="人性化排程测试",
            date=dt.date(2026, 12, 1),
            sessions=[
                service.SessionSpec("上午场", "09:00", "10:20", 20),
                service.SessionSpec("下午场", "14:00", "15:20", 20),
            ],
            table_count=3,
            tracks=["tech-transfer"],
            default_max_meetings=4,
        ),
    )
    for ext in ("E1", "U1", "U2", "U3", "U4"):
        service.add_participant(session, event.id, orgs[ext])
    with pytest.raises(Invalid) as bad:
        humane.set_schedule_rules(session, event.id, max_back_to_back=0)
    assert bad.value.field == "max_back_to_back"
    with pytest.raises(Invalid) as bad:
        humane.set_schedule_rules(session, event.id, breaks=[8])
    assert bad.value.field == "breaks" and "9" in bad.value.message
    assert humane.pauses_after(event) == frozenset({3})  # lunch after the fourth slot
    humane.set_schedule_rules(session, event.id, placement="compact")
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    packed = service.current_plan(session, event)
    assert packed is not None
    hub = service.participant_of_organisation(session, event, orgs["E1"])
    assert hub is not None
    slots = sorted(m.slot for m in packed.meetings if hub.id in (m.a_id, m.b_id))
    assert len(slots) == 4 and slots == list(range(slots[0], slots[0] + 4))  # packed together

    humane.set_schedule_rules(session, event.id, max_back_to_back=1, breaks=[1])
    preview = planning.preview_generate(session, event.id, LexicalScorer(), time_limit=FAST)
    assert preview["moved"] >= 1 and preview["participants_affected"] >= 2
    assert service.current_plan(session, event).version == 1  # type: ignore[union-attr]  # nothing stored
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    spread = service.current_plan(session, event)
    assert spread is not None and spread.version == 2
    slots = sorted(m.slot for m in spread.meetings if hub.id in (m.a_id, m.b_id))
    assert len(slots) == 4 and 1 not in slots
    assert all(b - a >= 2 or a == 3 for a, b in zip(slots, slots[1:], strict=False))
    assert service.plan_issues(session, event, spread) == []
    assert spread.changes == {k: preview[k] for k in ("kept", "moved", "added", "removed")}
