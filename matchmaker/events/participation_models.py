"""ORM tables for the participant side of an event: invitations (with the invitee's answer),
meeting requests and wishes between participants, and the e-mails sent to participants.

An invitation carries a random ``nonce`` that the signed e-mail link names: re-issuing the
invitation changes the nonce, so older links stop working. The answer (availability, meeting
cap, languages, what the invitee looks for) is kept on the invitation; accepting it creates (or
re-activates) the event participant it points at.

A participant's stance towards another (``EventRequest``) is one row per ordered pair: a meeting
request (pending → accepted / declined by the other side), a wish ("would like to meet") or "not
interested". Accepted requests become must-meet pairs, wishes raise the pair's score and "not
interested" becomes never-meet when the event is planned.

Every e-mail to a participant is an ``EventNotice`` row, unique per (invitation, kind, ref), written
before it is handed to SMTP and marked sent after: an invitation, a reminder, the agenda or a
change notice is sent exactly once, also when a run is repeated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.events.models import Event, EventParticipant
from matchmaker.store.models import Base, Organisation, UTCDateTime, utcnow

RSVP_STATUSES: dict[str, str] = {"pending": "待回复", "accepted": "已接受", "declined": "已谢绝"}
REQUEST_KINDS: dict[str, str] = {
    "request": "会谈邀约",
    "wish": "希望会谈",
    "not_interested": "不感兴趣",
}
REQUEST_STATUSES: dict[str, str] = {
    "pending": "待对方回复",
    "accepted": "对方已接受",
    "declined": "对方已谢绝",
    "noted": "已记录",
}
NOTICE_KINDS: dict[str, str] = {
    "invitation": "邀请函",
    "reminder": "回复提醒",
    "agenda": "个人日程",
    "change": "日程变更",
}


class EventInvitation(Base):
    """An organisation invited to an event, the address the invitation went to, and its answer."""

    __tablename__ = "event_invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "organisation_id", name="uq_event_invitation_org"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    nonce: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Fit to the event's theme when invited (0–100) and why, as the organiser saw it.
    fit: Mapped[float] = mapped_column(default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The answer: slots the invitee can meet in, its cap, languages it needs, what it looks for.
    available_slots: Mapped[list[int]] = mapped_column(JSON, default=list)
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    looking_for: Mapped[str] = mapped_column(Text, default="")
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_participants.id", ondelete="SET NULL")
    )
    invited_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation] = relationship()
    participant: Mapped[EventParticipant | None] = relationship()


class EventRequest(Base):
    """One participant's stance towards another: a meeting request, a wish or not interested."""

    __tablename__ = "event_requests"
    __table_args__ = (UniqueConstraint("event_id", "from_id", "to_id", name="uq_event_request"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("event_participants.id", ondelete="CASCADE"), index=True
    )
    to_id: Mapped[int] = mapped_column(
        ForeignKey("event_participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # request | wish | not_interested
    status: Mapped[str] = mapped_column(String(16))  # pending | accepted | declined | noted
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class EventNotice(Base):
    """One e-mail to an invitee or participant: what it was, to whom, and whether it went."""

    __tablename__ = "event_notices"
    __table_args__ = (UniqueConstraint("invitation_id", "kind", "ref", name="uq_event_notice"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("event_invitations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # invitation | reminder | agenda | change
    ref: Mapped[str] = mapped_column(String(32), default="")  # e.g. plan version of a change
    recipient: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    error: Mapped[str] = mapped_column(Text, default="")
    # The meetings the participant was told about (agenda / change): the next change is against it.
    snapshot: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


OUTCOMES: dict[str, str] = {"met": "已会谈", "follow_up": "将跟进", "not_useful": "无价值"}


class EventOutcome(Base):
    """After the event: what one side says came of its meeting with another (met / follow-up /
    not useful). One row per (event, side, partner); a new answer replaces the old one."""

    __tablename__ = "event_outcomes"
    __table_args__ = (
        UniqueConstraint("event_id", "participant_id", "partner_id", name="uq_event_outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("event_participants.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("event_participants.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(16))  # met | follow_up | not_useful
    note: Mapped[str] = mapped_column(Text, default="")
    # The re-ranker's feedback row this outcome was written as (None: no item pair to attach).
    feedback_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "NOTICE_KINDS",
    "OUTCOMES",
    "EventOutcome",
    "REQUEST_KINDS",
    "REQUEST_STATUSES",
    "RSVP_STATUSES",
    "EventInvitation",
    "EventNotice",
    "EventRequest",
]
