"""ORM tables for matchmaking events: the event and its grid, participants, pair rules and plans.

An event's grid is stored on the event row: ``slots`` is a list of
``{"start": "09:00", "end": "09:20", "session": "上午场", "interpreters": ["英语"]}`` (position =
slot number in the plan, from 0; a lunch break is simply the gap between two sessions) and
``tables`` a list of printed table labels (position = table number in the plan, from 0).

Each event has an organiser team (``EventOrganiser``: its creator and co-organisers): only the
team and admins see the event whole; participants see their own entry and agenda.

Plans are kept as versions: every generate / re-plan / cancellation stores a new ``EventPlan``
(the newest is the current one) with the pair scores it was planned on, so any stored plan can be
re-checked. Organisers' edits (lock, unlock, move) change the current plan's meetings in place,
each edit checked before it is committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.store.models import Base, Organisation, Park, TimestampMixin, UTCDateTime, utcnow

PARTICIPANT_STATUSES: dict[str, str] = {"active": "参会", "cancelled": "已取消"}
PAIR_RULES: dict[str, str] = {"must": "必须会谈", "never": "不得会谈"}
PLAN_KINDS: dict[str, str] = {
    "generate": "生成",
    "replan": "重新排程",
    "cancel": "取消参会后重排",
}


class Event(TimestampMixin, Base):
    """A matchmaking day: name, date, park, theme (tracks, industries), slot grid and tables."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    park_id: Mapped[int | None] = mapped_column(
        ForeignKey("parks.id", ondelete="SET NULL"), index=True
    )
    venue: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tracks: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    slots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tables: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_max_meetings: Mapped[int] = mapped_column(Integer, default=6)
    min_meetings: Mapped[int] = mapped_column(Integer, default=1)
    small_min_meetings: Mapped[int] = mapped_column(Integer, default=2)
    created_by: Mapped[str | None] = mapped_column(String(100))
    # The organisers' own notes on the event: shown to its organiser team and admins only.
    internal_note: Mapped[str] = mapped_column(Text, default="")
    # Invitees answer (accept / decline) before this moment; reminders go out before it.
    rsvp_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Meeting requests, wishes and "not interested" are taken until this moment (the planning
    # deadline); None: until the first plan is made.
    requests_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Humane-schedule settings (``matchmaker.events.service.humane``): back-to-back cap, placement.
    schedule_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    park: Mapped[Park | None] = relationship()
    organisers: Mapped[list[EventOrganiser]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EventOrganiser.id",
    )
    participants: Mapped[list[EventParticipant]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EventParticipant.id",
    )
    plans: Mapped[list[EventPlan]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EventPlan.version",
    )


class EventOrganiser(Base):
    """A member of an event's organiser team: a principal ("key:12"; person accounts later
    "user:7"), who added them and when. Only the team (and admins) see or change the event."""

    __tablename__ = "event_organisers"
    __table_args__ = (UniqueConstraint("event_id", "principal", name="uq_event_organiser"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    principal: Mapped[str] = mapped_column(String(100), index=True)
    added_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship(back_populates="organisers")


class EventParticipant(TimestampMixin, Base):
    """An organisation at an event, with what it brings and its constraints for the day."""

    __tablename__ = "event_participants"
    __table_args__ = (
        UniqueConstraint("event_id", "organisation_id", name="uq_event_participant_org"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # None: the event's default_max_meetings.
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    # None: the event's fairness floor (min_meetings, or small_min_meetings for small institutions).
    min_meetings: Mapped[int | None] = mapped_column(Integer)
    unavailable_slots: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Soft: the slots it would rather meet in (None: no preference); the planner weighs them.
    preferred_slots: Mapped[list[int] | None] = mapped_column(JSON)
    # Language the participant needs an interpreter for (e.g. 英语, 越南语); None: none needed.
    language: Mapped[str | None] = mapped_column(String(32))
    need_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    achievement_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    scenario_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # On the day: when the participant checked in (the organiser marked it, or it did on its page).
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="participants")
    organisation: Mapped[Organisation] = relationship()


class EventPairRule(Base):
    """A must-meet or never-meet pair of participants (stored with a_id < b_id)."""

    __tablename__ = "event_pair_rules"
    __table_args__ = (UniqueConstraint("event_id", "a_id", "b_id", name="uq_event_pair_rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("event_participants.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("event_participants.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(8))  # must | never
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EventPlan(Base):
    """One version of an event's pairing list, with the scores it was planned on and its report."""

    __tablename__ = "event_plans"
    __table_args__ = (UniqueConstraint("event_id", "version", name="uq_event_plan_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # generate | replan | cancel
    scorer: Mapped[str] = mapped_column(String(32))  # engine | lexical
    objective: Mapped[float] = mapped_column(Float)
    # [[participant a, participant b, score], ...]: every candidate pair the plan was made from.
    scores: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [[a, b, bonus], ...]: the participants' wish bonus included in `scores` (re-plans subtract it).
    bonuses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unmet: Mapped[list[Any]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="plans")
    meetings: Mapped[list[EventMeeting]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(EventMeeting.slot, EventMeeting.table_no)",
    )


class EventMeeting(Base):
    """A meeting of a plan: the two participants, slot and table (from 0), score, locked flag."""

    __tablename__ = "event_meetings"
    __table_args__ = (
        UniqueConstraint("plan_id", "slot", "table_no", name="uq_event_meeting_place"),
        Index("ix_event_meetings_plan", "plan_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("event_plans.id", ondelete="CASCADE"))
    # No cascade from participants: a participant that appears in a plan is cancelled, not deleted.
    a_id: Mapped[int] = mapped_column(ForeignKey("event_participants.id"), index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("event_participants.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    table_no: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[EventPlan] = relationship(back_populates="meetings")


__all__ = [
    "PAIR_RULES",
    "PARTICIPANT_STATUSES",
    "PLAN_KINDS",
    "Event",
    "EventMeeting",
    "EventOrganiser",
    "EventPairRule",
    "EventParticipant",
    "EventPlan",
]
