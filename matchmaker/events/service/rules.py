"""Pair rules of an event: two participants must meet, or must never meet (kept confidential)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.events.models import PAIR_RULES, Event, EventPairRule
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.events import get_event
from matchmaker.events.service.participants import get_participant


def add_pair_rule(
    session: Session, event_id: int, a_id: int, b_id: int, rule: str, note: str = ""
) -> EventPairRule:
    """Say two participants must meet, or must never meet."""
    event = get_event(session, event_id)
    if rule not in PAIR_RULES:
        raise Invalid(f"规则应为 {'/'.join(PAIR_RULES)} / rule must be must or never", "rule")
    if a_id == b_id:
        raise Invalid("参会方不能与自己配对 / a participant cannot be paired with itself", "b")
    low, high = sorted((a_id, b_id))
    for pid in (low, high):
        get_participant(session, event, pid)
    existing = session.scalars(
        select(EventPairRule).where(
            EventPairRule.event_id == event.id,
            EventPairRule.a_id == low,
            EventPairRule.b_id == high,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"该配对已有规则（{PAIR_RULES[existing.rule]}），请先删除 / the pair already has a rule"
        )
    row = EventPairRule(event_id=event.id, a_id=low, b_id=high, rule=rule, note=note)
    session.add(row)
    session.flush()
    return row


def pair_rules(session: Session, event: Event) -> list[EventPairRule]:
    """The event's must-meet and never-meet rules."""
    return list(
        session.scalars(
            select(EventPairRule)
            .where(EventPairRule.event_id == event.id)
            .order_by(EventPairRule.id)
        )
    )


def remove_pair_rule(session: Session, event_id: int, rule_id: int) -> None:
    """Delete one pair rule."""
    event = get_event(session, event_id)
    row = session.get(EventPairRule, rule_id)
    if row is None or row.event_id != event.id:
        raise NotFound(f"活动 {event.id} 没有规则 {rule_id} / no rule {rule_id} in event")
    session.delete(row)
    session.flush()
