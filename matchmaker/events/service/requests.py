"""Meeting requests and wish-lists between participants, and how they feed the planner.

Before the plan, each participant sees the other participants ranked by how well they fit it
(with reasons), and may: request a meeting (the other side accepts or declines), mark "would like
to meet" (a wish) or "not interested". One stance per ordered pair; a new one replaces the old.

At planning time (``planner_rules``, ``with_wishes``):

- an accepted request is a must-meet pair;
- "not interested" from either side is a never-meet pair (it beats an accepted request);
- each side's wish adds ``WISH_BONUS`` points (0–100 scale) to the pair's score, so a wished
  pair the scorer did not see becomes a candidate too;
- the organiser's own pair rules come first: an organiser's must-meet is kept even if a side is
  not interested, and an organiser's never-meet beats an accepted request.

Requests made after a plan exists take effect at the next (re-)plan. After the event's
``requests_deadline`` (the planning deadline, set by the organiser) requests, wishes, answers
and withdrawals are refused with a plain message naming the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.core.config import CHINA
from matchmaker.core.text import TextError, clean_text
from matchmaker.events.models import Event
from matchmaker.events.participation_models import REQUEST_KINDS, REQUEST_STATUSES, EventRequest
from matchmaker.events.service.agenda import topic_and_reasons
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.participants import (
    active_participants,
    get_participant,
    participant_names,
)
from matchmaker.events.service.rules import pair_rules
from matchmaker.events.service.scoring import ItemScorer, PairKey, offers_for, pair_scores
from matchmaker.store.models import utcnow

WISH_BONUS = 15.0
MAX_MESSAGE = 500


def _key(a: int, b: int) -> PairKey:
    return (a, b) if a < b else (b, a)


@dataclass
class Partner:
    """Another participant as a participant sees it: fit, reasons, and where the two stand."""

    participant_id: int
    name: str
    score: float
    topic: str
    reasons: list[str] = field(default_factory=list)
    mine: str | None = None  # my stance: request | wish | not_interested
    mine_status: str | None = None
    theirs: str | None = None  # their request to me (wishes and "not interested" stay private)
    theirs_status: str | None = None
    request_id: int | None = None  # their pending request, for accepting or declining

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for the API and the pages."""
        return dict(self.__dict__)


def check_open(event: Event, now: dt.datetime | None = None) -> None:
    """Refuse requests once the event's planning deadline for them has passed."""
    deadline = event.requests_deadline
    if deadline is not None and (now or utcnow()) > deadline:
        when = deadline.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
        raise Conflict(
            f"会谈邀约已于 {when} 截止，日程正在排定；如需调整请联系组织者 / meeting requests "
            f"closed at {when} (Beijing time) for planning; please contact the organiser"
        )


def _active_other(session: Session, event: Event, participant_id: int, other_id: int) -> None:
    if participant_id == other_id:
        raise Invalid("不能向自己发出邀约 / you cannot ask yourself", "to")
    other = get_participant(session, event, other_id)
    if other.status != "active":
        raise Conflict("对方已取消参会 / that participant has cancelled")


def stance(
    session: Session,
    event: Event,
    from_id: int,
    to_id: int,
    kind: str,
    message: str = "",
) -> EventRequest:
    """Request a meeting, wish or mark "not interested" (replacing one's earlier stance)."""
    if kind not in REQUEST_KINDS:
        raise Invalid("应为 request、wish 或 not_interested / unknown kind", "kind")
    check_open(event)
    _active_other(session, event, from_id, to_id)
    try:
        text = clean_text(message or "", multiline=True, label="message").strip()
    except TextError as exc:
        raise Invalid(str(exc), "message") from exc
    if len(text) > MAX_MESSAGE:
        raise Invalid(f"留言最多 {MAX_MESSAGE} 字 / message too long", "message")
    row = session.scalars(
        select(EventRequest).where(
            EventRequest.event_id == event.id,
            EventRequest.from_id == from_id,
            EventRequest.to_id == to_id,
        )
    ).first()
    if row is None:
        row = EventRequest(event_id=event.id, from_id=from_id, to_id=to_id)
        session.add(row)
    elif row.kind == kind == "request" and row.status != "pending":
        raise Conflict(
            f"对方已{REQUEST_STATUSES[row.status][2:]}该邀约 / the request was already answered"
        )
    row.kind, row.message, row.created_at, row.responded_at = kind, text, utcnow(), None
    row.status = "pending" if kind == "request" else "noted"
    session.flush()
    return row


def withdraw(session: Session, event: Event, from_id: int, to_id: int) -> None:
    """Take back one's stance towards another participant (an accepted request too)."""
    check_open(event)
    row = session.scalars(
        select(EventRequest).where(
            EventRequest.event_id == event.id,
            EventRequest.from_id == from_id,
            EventRequest.to_id == to_id,
        )
    ).first()
    if row is None:
        raise NotFound("没有可撤回的邀约或标记 / nothing to withdraw")
    session.delete(row)
    session.flush()


def answer_request(
    session: Session, event: Event, request_id: int, responder_id: int, accept: bool
) -> EventRequest:
    """The addressee accepts or declines a meeting request made to it."""
    check_open(event)
    row = session.get(EventRequest, request_id)
    if row is None or row.event_id != event.id or row.to_id != responder_id:
        raise NotFound(f"没有发给您的邀约 {request_id} / no such request to you")
    if row.kind != "request":
        raise Invalid("只能回复会谈邀约 / only meeting requests are answered", "request_id")
    if row.status != "pending":
        raise Conflict("该邀约已回复 / the request was already answered")
    row.status = "accepted" if accept else "declined"
    row.responded_at = utcnow()
    session.flush()
    return row


def requests_of(session: Session, event: Event) -> list[EventRequest]:
    """Every stance of the event's participants (for the organiser team)."""
    return list(
        session.scalars(
            select(EventRequest).where(EventRequest.event_id == event.id).order_by(EventRequest.id)
        )
    )


def request_view(row: EventRequest, names: dict[int, str]) -> dict[str, Any]:
    """A stance as the organiser team reads it."""
    return {
        "id": row.id,
        "from_id": row.from_id,
        "from_name": names.get(row.from_id, ""),
        "to_id": row.to_id,
        "to_name": names.get(row.to_id, ""),
        "kind": row.kind,
        "kind_label": REQUEST_KINDS.get(row.kind, row.kind),
        "status": row.status,
        "status_label": REQUEST_STATUSES.get(row.status, row.status),
        "message": row.message,
        "created_at": row.created_at,
        "responded_at": row.responded_at,
    }


def partners(
    session: Session, event: Event, participant_id: int, scorer: ItemScorer
) -> list[Partner]:
    """The other active participants, best fit first (wishes and requests shown beside)."""
    own = get_participant(session, event, participant_id)
    others = [p for p in active_participants(event) if p.id != participant_id]
    offers = offers_for(session, [own, *others])
    scores = pair_scores(session, offers, event.tracks, scorer, only={participant_id})
    names = participant_names(session, event)
    rows = session.scalars(
        select(EventRequest).where(
            EventRequest.event_id == event.id,
            or_(EventRequest.from_id == participant_id, EventRequest.to_id == participant_id),
        )
    )
    mine: dict[int, EventRequest] = {}
    theirs: dict[int, EventRequest] = {}
    for row in rows:
        if row.from_id == participant_id:
            mine[row.to_id] = row
        elif row.kind == "request":
            theirs[row.from_id] = row
    out = []
    for other in others:
        topic, reasons = topic_and_reasons(session, own, other)
        me, them = mine.get(other.id), theirs.get(other.id)
        out.append(
            Partner(
                other.id,
                names.get(other.id, str(other.id)),
                scores.get(_key(participant_id, other.id), 0.0),
                topic,
                reasons,
                me.kind if me else None,
                me.status if me else None,
                them.kind if them else None,
                them.status if them else None,
                them.id if them and them.status == "pending" else None,
            )
        )
    out.sort(key=lambda p: (p.mine == "not_interested", -p.score, p.name))
    return out


# ---- what the planner gets ---------------------------------------------------------------------
def planner_rules(
    session: Session, event: Event, ids: Iterable[int]
) -> tuple[set[PairKey], set[PairKey]]:
    """Must-meet (accepted requests) and never-meet ("not interested") pairs among these
    participants, after the organiser's own rules (which win)."""
    present = set(ids)
    organiser = {_key(r.a_id, r.b_id): r.rule for r in pair_rules(session, event)}
    must: set[PairKey] = set()
    never: set[PairKey] = set()
    for row in requests_of(session, event):
        key = _key(row.from_id, row.to_id)
        if row.from_id not in present or row.to_id not in present or key in organiser:
            continue
        if row.kind == "not_interested":
            never.add(key)
        elif row.kind == "request" and row.status == "accepted":
            must.add(key)
    return must - never, never


def with_wishes(
    session: Session, event: Event, scores: dict[PairKey, float]
) -> tuple[dict[PairKey, float], dict[PairKey, float]]:
    """The scores with each side's wish adding WISH_BONUS (wished pairs become candidates), and
    the bonus given to each pair."""
    ids = {p.id for p in active_participants(event)}
    bonus: dict[PairKey, float] = {}
    for row in requests_of(session, event):
        if row.kind == "wish" and row.from_id in ids and row.to_id in ids:
            key = _key(row.from_id, row.to_id)
            bonus[key] = bonus.get(key, 0.0) + WISH_BONUS
    out = dict(scores)
    for key, extra in bonus.items():
        out[key] = round(out.get(key, 0.0) + extra, 2)
    return out, bonus
