"""Event outcomes (meetings planned / held) and digest delivery, each read only when its tables
exist in the database; absent or empty tables give figures marked unavailable, never an error.

An event is held once its date has passed (China calendar); its meetings are those of its newest
plan, and a meeting is counted as held when its event was held and neither participant cancelled.
The platform records no attendance, so "held" means "scheduled on a day that took place"; the
funnel's `met` stage is the parties' own word that they met.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from matchmaker.stats.periods import CHINA, Period, aware

EVENT_TABLES = ("events", "event_participants", "event_plans", "event_meetings")
DIGEST_TABLES = ("digest_subscriptions", "digest_sends", "digest_items_sent", "digest_not_relevant")


def _has_tables(session: Session, names: tuple[str, ...]) -> bool:
    inspector = inspect(session.connection())
    return all(inspector.has_table(name) for name in names)


@dataclass
class EventOutcomes:
    """Matchmaking events of the period and their meetings."""

    available: bool
    events_planned: int = 0
    events_held: int = 0
    meetings_planned: int = 0
    meetings_held: int = 0
    participants: int = 0
    cancelled_participants: int = 0
    # After the event each side rates its meetings (one count per side and meeting).
    outcomes_met: int = 0
    outcomes_follow_up: int = 0
    outcomes_not_useful: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return asdict(self)


def event_outcomes(
    session: Session, period: Period, *, park_id: int | None = None, as_of: dt.datetime
) -> EventOutcomes:
    """Events dated in the period (in the park, if given) and their current plans' meetings."""
    try:
        from matchmaker.events.models import Event, EventMeeting, EventParticipant, EventPlan
    except ImportError:
        return EventOutcomes(False, note="活动模块未安装 / events module not installed")
    if not _has_tables(session, EVENT_TABLES):
        return EventOutcomes(False, note="活动数据表尚未建立 / event tables not present")
    query = select(Event.id, Event.date).where(
        Event.date >= period.first, Event.date < period.after
    )
    if park_id is not None:
        query = query.where(Event.park_id == park_id)
    events: dict[int, dt.date] = {row[0]: row[1] for row in session.execute(query)}
    out = EventOutcomes(True)
    if not events:
        out.note = "本期没有对接活动 / no events in the period"
        return out
    today = as_of.astimezone(CHINA).date()
    held = {event_id for event_id, day in events.items() if day <= today}
    out.events_planned, out.events_held = len(events), len(held)
    status: dict[int, str] = {
        row[0]: row[1]
        for row in session.execute(
            select(EventParticipant.id, EventParticipant.status).where(
                EventParticipant.event_id.in_(list(events))
            )
        )
    }
    out.participants = sum(1 for s in status.values() if s != "cancelled")
    out.cancelled_participants = sum(1 for s in status.values() if s == "cancelled")
    newest = (
        select(EventPlan.event_id, func.max(EventPlan.version).label("version"))
        .where(EventPlan.event_id.in_(list(events)))
        .group_by(EventPlan.event_id)
        .subquery()
    )
    meetings = session.execute(
        select(EventPlan.event_id, EventMeeting.a_id, EventMeeting.b_id)
        .join(EventMeeting, EventMeeting.plan_id == EventPlan.id)
        .join(
            newest,
            (newest.c.event_id == EventPlan.event_id) & (newest.c.version == EventPlan.version),
        )
    ).all()
    for event_id, a_id, b_id in meetings:
        out.meetings_planned += 1
        if event_id in held and "cancelled" not in (status.get(a_id), status.get(b_id)):
            out.meetings_held += 1
    if _has_tables(session, ("event_outcomes",)):
        from matchmaker.events.participation_models import EventOutcome

        rated = session.execute(
            select(EventOutcome.outcome, func.count())
            .where(EventOutcome.event_id.in_(list(events)))
            .group_by(EventOutcome.outcome)
        ).all()
        counts = {outcome: int(n) for outcome, n in rated}
        out.outcomes_met = counts.get("met", 0)
        out.outcomes_follow_up = counts.get("follow_up", 0)
        out.outcomes_not_useful = counts.get("not_useful", 0)
    return out


@dataclass
class DigestFigures:
    """Digest e-mails of the period for the park's subscribers (or everyone's)."""

    available: bool
    subscribers: int = 0  # active at the end of the period
    new_subscribers: int = 0
    unsubscribed: int = 0
    unsubscribe_rate: float | None = None
    sends_attempted: int = 0
    sends_delivered: int = 0
    sends_bounced: int = 0
    delivery_rate: float | None = None
    items_sent: int = 0
    not_relevant_marks: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return asdict(self)


def _ids(value: Any) -> list[int]:
    if isinstance(value, str):
        import json

        value = json.loads(value)
    return [int(v) for v in value or [] if str(v).lstrip("-").isdigit()]


def digest_figures(
    session: Session, period: Period, *, park_id: int | None = None
) -> DigestFigures:
    """Delivery and unsubscribe rates: sends made in the period that were delivered, and
    subscribers who left during the period out of those subscribed at some point in it."""
    try:
        from matchmaker.digest.models import DigestSend, NotRelevant, SentItem, Subscription
    except ImportError:
        return DigestFigures(False, note="推送模块未安装 / digest module not installed")
    if not _has_tables(session, DIGEST_TABLES):
        return DigestFigures(False, note="推送数据表尚未建立 / digest tables not present")
    rows = session.execute(
        select(
            Subscription.id,
            Subscription.parks,
            Subscription.confirmed_at,
            Subscription.unsubscribed_at,
        )
    ).all()
    chosen: set[int] = set()
    out = DigestFigures(True)
    exposed = 0
    for sub_id, parks, confirmed, left in rows:
        if park_id is not None and park_id not in _ids(parks):
            continue
        chosen.add(sub_id)
        confirmed, left = aware(confirmed), aware(left)
        if confirmed is None or confirmed >= period.end:
            continue  # never subscribed during the period
        if left is not None and left < period.start:
            continue  # had left before it
        exposed += 1
        out.new_subscribers += period.contains(confirmed)
        if period.contains(left):
            out.unsubscribed += 1
        elif left is None or left >= period.end:
            out.subscribers += 1
    if not chosen:
        out.note = "暂无订阅者 / no subscribers"
        return out
    out.unsubscribe_rate = round(out.unsubscribed / exposed, 4) if exposed else None
    sends = session.execute(
        select(DigestSend.id, DigestSend.status, DigestSend.created_at).where(
            DigestSend.subscription_id.in_(sorted(chosen)),
            DigestSend.created_at >= period.start,
            DigestSend.created_at < period.end,
        )
    ).all()
    for _send_id, status, _created in sends:
        if status == "pending":
            continue  # still in flight: neither delivered nor failed yet
        out.sends_attempted += 1
        out.sends_delivered += status == "sent"
        out.sends_bounced += status == "bounced"
    if out.sends_attempted:
        out.delivery_rate = round(out.sends_delivered / out.sends_attempted, 4)
    else:
        out.note = "本期没有推送 / no digests sent in the period"
    out.items_sent = (
        session.scalar(
            select(func.count(SentItem.id)).where(
                SentItem.subscription_id.in_(sorted(chosen)),
                SentItem.sent_at >= period.start,
                SentItem.sent_at < period.end,
            )
        )
        or 0
    )
    out.not_relevant_marks = (
        session.scalar(
            select(func.count(NotRelevant.id)).where(
                NotRelevant.subscription_id.in_(sorted(chosen)),
                NotRelevant.created_at >= period.start,
                NotRelevant.created_at < period.end,
            )
        )
        or 0
    )
    return out
