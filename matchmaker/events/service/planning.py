"""Planning a stored event: generate, re-plan with few changes, cancel a participant and refill.

Every plan is made by ``matchmaker.events.solver.planner.plan_event`` from the stored event and
checked by the independent ``matchmaker.events.solver.check.check_plan`` before it is stored: a
plan with any issue is refused (``PlanRejected``) and nothing changes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventMeeting, EventPlan
from matchmaker.events.service.errors import Conflict, PlanRejected
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.grid import slot_label
from matchmaker.events.service.participants import active_participants, get_participant
from matchmaker.events.service.problem import (
    build_problem,
    event_scores,
    interpreter_blocked,
    pair_key,
)
from matchmaker.events.service.requests import with_wishes
from matchmaker.events.service.scoring import ItemScorer, LexicalScorer
from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.model import EventInputError, Plan
from matchmaker.events.solver.planner import DEFAULT_TIME_LIMIT, plan_event
from matchmaker.store.models import utcnow

log = logging.getLogger("matchmaker.events")


@dataclass
class PlanOutcome:
    """A stored plan and what changed against the one before it."""

    plan: EventPlan
    changes: dict[str, int]
    seconds: float


def compare_meetings(
    before: Iterable[tuple[Any, Any, int, int]], after: Iterable[tuple[Any, Any, int, int]]
) -> dict[str, int]:
    """Counts of kept / moved / added / removed meetings between two plans ((a, b, slot, table))."""
    old = {pair_key(a, b): (s, t) for a, b, s, t in before}
    new = {pair_key(a, b): (s, t) for a, b, s, t in after}
    both = old.keys() & new.keys()
    return {
        "kept": sum(1 for k in both if old[k] == new[k]),
        "moved": sum(1 for k in both if old[k] != new[k]),
        "added": len(new.keys() - old.keys()),
        "removed": len(old.keys() - new.keys()),
    }


def _rows(meetings: Iterable[EventMeeting]) -> list[tuple[int, int, int, int]]:
    return [(m.a_id, m.b_id, m.slot, m.table_no) for m in meetings]


def interpreter_warnings(event: Event, plan: Plan) -> list[str]:
    """Slots where more meetings need an interpreter of one language than the one on duty."""
    language: dict[Any, str | None] = {row.id: row.language for row in event.participants}
    need: Counter[tuple[int, str]] = Counter()
    for m in plan.meetings:
        langs = {language.get(m.a), language.get(m.b)} - {None}
        if language.get(m.a) and language.get(m.a) == language.get(m.b):
            continue  # both speak it: no interpreter needed
        for lang in langs:
            assert lang is not None
            need[(m.slot, lang)] += 1
    warnings = []
    for row in active_participants(event):
        if row.language and len(interpreter_blocked(event, row.language)) == len(event.slots):
            warnings.append(
                f"没有任何时段安排{row.language}翻译，{row.organisation.name} 无法会谈 / no slot "
                f"has a {row.language} interpreter, so {row.organisation.name} cannot meet anyone"
            )
    for (slot, lang), count in sorted(need.items()):
        if count > 1:
            label = slot_label(event.slots[slot])
            warnings.append(
                f"{label} 有 {count} 场会谈需要{lang}翻译，请确认翻译人数 / "
                f"{count} meetings in {label} need a {lang} interpreter"
            )
    return warnings


def _clean_stats(stats: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, float):
            out[key] = (
                None
                if value != value or value in (float("inf"), float("-inf"))
                else round(value, 6)
            )
        elif isinstance(value, int | str | bool) or value is None:
            out[key] = value
    return out


@dataclass
class _Computed:
    """A plan made and checked but not stored yet."""

    before: EventPlan | None
    problem: Any
    plan: Plan
    scorer: ItemScorer
    notes: list[str]
    bonuses: dict[tuple[int, int], float]
    changes: dict[str, int]


def _run_planner(
    session: Session,
    event: Event,
    scorer: ItemScorer,
    *,
    kind: str,
    keep_previous: bool,
    time_limit: float,
    actor: str | None,
    rescore: bool,
) -> PlanOutcome:
    started = time.monotonic()
    made = _compute(session, event, scorer, keep_previous, time_limit, rescore)
    before, problem, plan, changes = made.before, made.problem, made.plan, made.changes
    locked_places = {(m.a, m.b, m.slot, m.table) for m in problem.locked} | {
        (m.b, m.a, m.slot, m.table) for m in problem.locked
    }
    record = EventPlan(
        event_id=event.id,
        version=(before.version + 1) if before is not None else 1,
        kind=kind,
        scorer=made.scorer.name,
        objective=round(plan.objective, 6),
        scores=[[p.a, p.b, p.score] for p in problem.scores],
        bonuses=[[a, b, extra] for (a, b), extra in sorted(made.bonuses.items())],
        unmet=[
            {"a": u.a, "b": u.b, "reason": u.reason, "message": u.message}
            for u in plan.unmet_must_meet
        ],
        warnings=made.notes + interpreter_warnings(event, plan),
        changes=changes,
        stats=_clean_stats(plan.stats),
        created_by=actor,
    )
    record.meetings = [
        EventMeeting(
            a_id=int(m.a),
            b_id=int(m.b),
            slot=m.slot,
            table_no=m.table,
            score=m.score,
            locked=(m.a, m.b, m.slot, m.table) in locked_places,
        )
        for m in plan.meetings
    ]
    event.plans.append(record)
    session.flush()
    return PlanOutcome(record, changes, round(time.monotonic() - started, 3))


def _compute(
    session: Session,
    event: Event,
    scorer: ItemScorer,
    keep_previous: bool,
    time_limit: float,
    rescore: bool,
) -> _Computed:
    before = current_plan(session, event)
    locked = [m for m in before.meetings if m.locked] if before is not None else []
    previous = (
        [m for m in before.meetings if not m.locked] if before is not None and keep_previous else []
    )
    notes: list[str] = []
    try:
        scores = event_scores(session, event, scorer, before, rescore)
    except Exception:  # the pairing engine failed: plan on the fallback rather than not at all
        if isinstance(scorer, LexicalScorer):
            raise
        log.exception("pairing engine failed while scoring event %s", event.id)
        scorer = LexicalScorer()
        scores = event_scores(session, event, scorer, before, rescore)
        notes.append(
            "配对引擎评分出错，本版方案改用关键词评分 / the pairing engine failed: this plan "
            "uses the keyword (lexical) scores"
        )
    scores, bonuses = with_wishes(session, event, scores)  # participants' wishes raise scores
    problem = build_problem(session, event, scores, locked, previous)
    try:
        plan = plan_event(problem, time_limit=time_limit)
    except EventInputError as exc:
        raise Conflict(
            f"活动设置与锁定会谈或规则冲突，请先调整 / the event's settings clash with locked "
            f"meetings or rules:\n{exc}"
        ) from exc
    issues = check_plan(problem, plan)
    if issues:
        raise PlanRejected(issues)
    after = [(m.a, m.b, m.slot, m.table) for m in plan.meetings]
    changes = compare_meetings(_rows(before.meetings) if before is not None else [], after)
    return _Computed(before, problem, plan, scorer, notes, bonuses, changes)


def preview_generate(
    session: Session,
    event_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> dict[str, int]:
    """What a full regenerate would do to the current plan, without storing it: meetings kept,
    moved, added and removed, and how many participants' agendas would change."""
    event = get_event(session, event_id)
    made = _compute(session, event, scorer, False, time_limit, False)
    old: dict[int, set[tuple[int, int, int]]] = {}
    new: dict[int, set[tuple[int, int, int]]] = {}
    for rows, target in (
        (_rows(made.before.meetings) if made.before is not None else [], old),
        ([(int(m.a), int(m.b), m.slot, m.table) for m in made.plan.meetings], new),
    ):
        for a, b, slot, table in rows:
            target.setdefault(a, set()).add((b, slot, table))
            target.setdefault(b, set()).add((a, slot, table))
    affected = sum(1 for who in old.keys() | new.keys() if old.get(who) != new.get(who))
    return {**made.changes, "participants_affected": affected, "meetings": len(made.plan.meetings)}


def generate_plan(
    session: Session,
    event_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
    rescore: bool = False,
) -> PlanOutcome:
    """Plan the event from scratch (keeping only locked meetings) and store it as a new version."""
    event = get_event(session, event_id)
    return _run_planner(
        session,
        event,
        scorer,
        kind="generate",
        keep_previous=False,
        time_limit=time_limit,
        actor=actor,
        rescore=rescore,
    )


def replan(
    session: Session,
    event_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
    rescore: bool = False,
    kind: str = "replan",
) -> PlanOutcome:
    """Re-plan after changes: locked meetings stay put, as few other meetings change as possible."""
    event = get_event(session, event_id)
    if current_plan(session, event) is None:
        raise Conflict("活动还没有方案，请先生成 / the event has no plan yet: generate one first")
    return _run_planner(
        session,
        event,
        scorer,
        kind=kind,
        keep_previous=True,
        time_limit=time_limit,
        actor=actor,
        rescore=rescore,
    )


def cancel_participant(
    session: Session,
    event_id: int,
    participant_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
) -> PlanOutcome | None:
    """Cancel a participant: its meetings go and the freed places are refilled by a re-plan."""
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    if row.status == "cancelled":
        raise Conflict("该参会方已取消 / the participant is already cancelled")
    row.status = "cancelled"
    row.cancelled_at = utcnow()
    session.flush()
    if current_plan(session, event) is None:
        return None
    return replan(session, event_id, scorer, time_limit=time_limit, actor=actor, kind="cancel")
