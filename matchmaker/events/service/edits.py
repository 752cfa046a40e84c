"""Organisers' edits of the current plan: lock or unlock a meeting, move it if every rule holds,
and what the checker finds wrong with a stored plan."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventMeeting, EventPlan
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.grid import slot_label, table_label
from matchmaker.events.service.problem import (
    build_problem,
    solver_meeting,
    stored_plan,
    stored_scores,
    stored_unmet,
)
from matchmaker.events.solver.check import check_meetings, check_plan
from matchmaker.events.solver.model import Meeting
from matchmaker.store.models import utcnow


def get_meeting(session: Session, event: Event, meeting_id: int) -> tuple[EventPlan, EventMeeting]:
    """A meeting of the event's current plan (edits apply to the current plan only)."""
    plan = current_plan(session, event)
    meeting = session.get(EventMeeting, meeting_id)
    if plan is None or meeting is None or meeting.plan_id != plan.id:
        raise NotFound(
            f"会谈 {meeting_id} 不在活动 {event.id} 的当前方案中 / meeting {meeting_id} is not in "
            "the event's current plan"
        )
    return plan, meeting


def set_locked(session: Session, event_id: int, meeting_id: int, locked: bool) -> EventMeeting:
    """Lock a meeting where it is (re-plans will not move it) or unlock it."""
    event = get_event(session, event_id)
    plan, meeting = get_meeting(session, event, meeting_id)
    meeting.locked = locked
    plan.updated_at = utcnow()
    session.flush()
    return meeting


def plan_issues(session: Session, event: Event, plan: EventPlan) -> list[str]:
    """What the checker finds wrong with a stored plan under the event's current settings."""
    problem = build_problem(
        session, event, stored_scores(plan), [m for m in plan.meetings if m.locked]
    )
    stored = stored_plan(plan)
    stored.unmet_must_meet = stored_unmet(plan)
    return check_plan(problem, stored)


def move_meeting(
    session: Session,
    event_id: int,
    meeting_id: int,
    slot: int,
    table: int,
    *,
    lock: bool = True,
) -> EventMeeting:
    """Move a meeting to another slot/table if every rule still holds there (locked by default)."""
    event = get_event(session, event_id)
    plan, meeting = get_meeting(session, event, meeting_id)
    if not 0 <= slot < len(event.slots):
        raise Invalid(f"时段 {slot} 超出范围 0–{len(event.slots) - 1} / slot out of range", "slot")
    if not 0 <= table < len(event.tables):
        raise Invalid(
            f"桌号 {table} 超出范围 0–{len(event.tables) - 1} / table out of range", "table"
        )
    taken = next(
        (m for m in plan.meetings if m.slot == slot and m.table_no == table and m.id != meeting.id),
        None,
    )
    if taken is not None:
        raise Conflict(
            f"{slot_label(event.slots[slot])} 的 {table_label(event, table)} 号桌已有会谈 / "
            "that table is already taken in that slot"
        )
    scores = stored_scores(plan)
    locks = [m for m in plan.meetings if m.locked and m.id != meeting.id]
    problem = build_problem(session, event, scores, locks)
    before_issues = set(check_meetings(problem, [solver_meeting(m) for m in plan.meetings]))
    moved = [
        Meeting(m.a_id, m.b_id, slot, table, m.score) if m.id == meeting.id else solver_meeting(m)
        for m in plan.meetings
    ]
    new_issues = [i for i in check_meetings(problem, moved) if i not in before_issues]
    if new_issues:
        raise Conflict("无法移到该位置 / cannot move there:\n" + "\n".join(new_issues[:10]))
    meeting.slot = slot
    meeting.table_no = table
    meeting.locked = lock
    plan.updated_at = utcnow()
    session.flush()
    return meeting
