"""On the day: check-in. The organiser marks a participant as arrived, or the participant checks
in on its own page (the invitation's signed link, which a phone opens from the e-mail or a QR code
of it). A participant that does not come (``no_show``): every other meeting is locked where it
is, the participant is cancelled and the re-plan refills its freed places around them, so no
other participant's agenda moves.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from matchmaker.events.models import EventParticipant
from matchmaker.events.service.errors import Conflict
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.participants import get_participant
from matchmaker.events.service.planning import PlanOutcome, cancel_participant
from matchmaker.events.service.scoring import ItemScorer
from matchmaker.events.solver.planner import DEFAULT_TIME_LIMIT
from matchmaker.store.models import utcnow


def check_in(
    session: Session, event_id: int, participant_id: int, now: dt.datetime | None = None
) -> EventParticipant:
    """Mark a participant as arrived (again: keeps the first time); a cancelled one cannot."""
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    if row.status != "active":
        raise Conflict("该参会方已取消，不能签到 / a cancelled participant cannot check in")
    if row.checked_in_at is None:
        row.checked_in_at = now or utcnow()
        session.flush()
    return row


def undo_check_in(session: Session, event_id: int, participant_id: int) -> EventParticipant:
    """Clear a check-in marked by mistake."""
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    row.checked_in_at = None
    session.flush()
    return row


def no_show(
    session: Session,
    event_id: int,
    participant_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
) -> PlanOutcome | None:
    """A participant did not come: every other meeting of the current plan is locked where it is
    (the day has started: nobody else's agenda may move), the participant is cancelled, and the
    re-plan offers its freed places to pairs that fit around the locked meetings."""
    event = get_event(session, event_id)
    get_participant(session, event, participant_id)
    plan = current_plan(session, event)
    if plan is not None:
        for meeting in plan.meetings:
            if participant_id not in (meeting.a_id, meeting.b_id):
                meeting.locked = True
        session.flush()
    return cancel_participant(
        session, event_id, participant_id, scorer, time_limit=time_limit, actor=actor
    )
