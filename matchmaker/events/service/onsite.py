"""On the day: check-in. The organiser marks a participant as arrived, or the participant checks
in on its own page (the invitation's signed link, which a phone opens from the e-mail or a QR code
of it). A participant that does not come is cancelled (``planning.cancel_participant``): its
meetings go and a minimal-change re-plan refills the freed places, locked meetings staying put.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from matchmaker.events.models import EventParticipant
from matchmaker.events.service.errors import Conflict
from matchmaker.events.service.events import get_event
from matchmaker.events.service.participants import get_participant
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
