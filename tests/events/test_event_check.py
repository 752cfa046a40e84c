"""The independent checker flags every kind of broken plan and passes a correct one."""

from __future__ import annotations

import dataclasses

import pytest

from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.model import (
    EventProblem,
    Meeting,
    PairRef,
    Participant,
    Plan,
    ScoredPair,
    UnmetPair,
)


def _problem() -> EventProblem:
    return EventProblem(
        slots=3,
        tables=2,
        participants=[
            Participant("A", 2),
            Participant("B", 2, unavailable_slots=frozenset({2})),
            Participant(1, 1),
            Participant("D", 2),
        ],
        scores=[
            ScoredPair("A", "B", 5.0),
            ScoredPair("A", 1, 3.0),
            ScoredPair("B", "D", 2.0),
            ScoredPair("A", "D", 1.0),
            ScoredPair(1, "D", 4.0),
        ],
        must_meet=[PairRef("A", "B")],
        never_meet=[PairRef("A", "D")],
        locked=[Meeting("B", "D", 1, 1, 2.0)],
    )


def _good() -> list[Meeting]:
    return [
        Meeting("A", "B", 0, 0, 5.0),
        Meeting(1, "D", 0, 1, 4.0),
        Meeting("B", "D", 1, 1, 2.0),
    ]


def _plan(meetings: list[Meeting], unmet: list[UnmetPair] | None = None) -> Plan:
    return Plan(meetings, sum(m.score for m in meetings), unmet or [])


def test_a_correct_plan_has_no_issues() -> None:
    assert check_plan(_problem(), _plan(_good())) == []


@pytest.mark.parametrize(
    ("meetings", "expected"),
    [
        ([*_good(), Meeting("A", 1, 3, 0, 3.0)], "slot 3 out of range"),
        ([*_good()[:2], Meeting("B", "D", 1, 2, 2.0)], "table 2 out of range"),
        ([*_good(), Meeting("A", "Z", 2, 0, 1.0)], "unknown participant 'Z'"),
        ([*_good(), Meeting("A", "A", 2, 0, 0.0)], "meets itself"),
        ([Meeting("A", "B", 2, 0, 5.0), *_good()[1:]], "unavailable in slot 2"),
        ([*_good(), Meeting("A", 1, 0, 0, 3.0)], "double-booked in slot 0"),
        ([*_good(), Meeting("A", 1, 1, 1, 3.0)], "table 1 is used 2 times in slot 1"),
        ([*_good(), Meeting("B", "A", 2, 1, 5.0)], "meets 2 times"),
        ([*_good(), Meeting("A", "D", 2, 0, 1.0)], "in never_meet"),
        ([*_good(), Meeting("B", 1, 2, 0, 0.0)], "not in scores"),
        ([Meeting("A", "B", 0, 0, 9.0), *_good()[1:]], "differs from 5.0 in scores"),
        ([*_good(), Meeting("A", 1, 1, 0, 3.0)], "more than max_meetings 1"),
        (
            [*_good()[:2], Meeting("B", "D", 2, 1, 2.0)],
            "locked meeting ('B', 'D') is not at slot 1",
        ),
        (_good()[1:], "must-meet pair ('A', 'B') is missing"),
    ],
)
def test_each_kind_of_violation_is_reported(meetings: list[Meeting], expected: str) -> None:
    issues = check_plan(_problem(), _plan(meetings))
    assert any(expected in issue for issue in issues), issues


def test_messages_are_chinese_first_then_english() -> None:
    issues = check_plan(_problem(), _plan([*_good(), Meeting("A", 1, 0, 0, 3.0)]))
    assert issues
    zh, _, en = issues[0].partition(" / ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert en.isascii()


def test_declared_unmet_must_meet_is_accepted_but_not_when_it_was_met() -> None:
    unmet = [UnmetPair("A", "B", "unschedulable", "…")]
    assert check_plan(_problem(), _plan(_good()[1:], unmet)) == []
    issues = check_plan(_problem(), _plan(_good(), unmet))
    assert any("reported unmet but is in the plan" in issue for issue in issues)


def test_objective_must_equal_the_sum_of_scores() -> None:
    plan = dataclasses.replace(_plan(_good()), objective=100.0)
    assert any("objective 100.0" in issue for issue in check_plan(_problem(), plan))
