"""Invitations and their answers: invite organisations at an e-mail address, sign the link that
lets the invitee answer without an account, record the answer (accept with availability, meeting
cap, languages and what it looks for; or decline), and the organiser's view of who answered.

Accepting creates the organisation's event participant (or re-activates it): slots it did not tick
become its unavailable slots, its cap its ``max_meetings``, and the first language it needs other
than Chinese its interpreter language. An organisation's own enterprise key may answer in place of
the link ("an account links it"). Declining after a plan exists is refused: the organiser cancels
the participant so the freed places are refilled.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.text import TextError, clean_text
from matchmaker.events.models import Event, EventParticipant
from matchmaker.events.participation_models import RSVP_STATUSES, EventInvitation, EventNotice
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.fit import fit_of
from matchmaker.events.service.grid import slot_label
from matchmaker.events.service.participants import (
    add_participant,
    participant_of_organisation,
)
from matchmaker.store.models import utcnow

TOKEN_SALT = "matchmaker.events.invitation"
TOKEN_MAX_AGE = 400 * 24 * 3600  # seconds: a link works for the whole run-up and the day itself
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
CHINESE = frozenset({"中文", "汉语", "普通话", "chinese", "zh"})
MAX_LANGUAGES = 5
MAX_LOOKING_FOR = 1000


class LinkError(Exception):
    """An invitation link that is malformed, altered, re-issued (400) or expired (410)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Invitee:
    """An organisation to invite and where the invitation goes."""

    organisation_id: int
    email: str
    contact_name: str = ""


@dataclass
class Answer:
    """An invitee's answer: accept (with its constraints) or decline."""

    accept: bool
    available_slots: list[int] | None = None  # None: every slot
    max_meetings: int | None = None  # None: the event's default
    languages: list[str] = field(default_factory=list)
    looking_for: str = ""
    preferred_slots: list[int] | None = None  # soft: slots it would rather meet in; None: any


# ---- signed links ------------------------------------------------------------------------------
def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT)


def invitation_token(secret: str, invitation: EventInvitation) -> str:
    """The signed token of an invitation's answer link (names the invitation and its nonce)."""
    return str(_serializer(secret).dumps([invitation.id, invitation.nonce]))


def invitation_url(public_url: str, secret: str, invitation: EventInvitation) -> str:
    """The link in the invitation e-mail: the invitee's page for this event."""
    return f"{public_url.rstrip('/')}/events/rsvp/{invitation_token(secret, invitation)}"


def invitation_by_token(session: Session, secret: str, token: str) -> EventInvitation:
    """The invitation a link names if its signature holds, it has not expired and it was not
    re-issued since; LinkError otherwise."""
    try:
        value = _serializer(secret).loads(token.strip(), max_age=TOKEN_MAX_AGE)
    except SignatureExpired as exc:
        raise LinkError("链接已过期，请联系组织者 / the link has expired", 410) from exc
    except BadSignature as exc:
        raise LinkError("链接无效或已损坏 / the link is malformed or altered") from exc
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise LinkError("链接无效或已损坏 / the link is malformed or altered")
    row = session.get(EventInvitation, value[0])
    if row is None or not secrets.compare_digest(str(value[1]), row.nonce):
        raise LinkError("链接已失效（邀请已重新发出）/ the link was replaced by a newer invitation")
    return row


# ---- inviting ----------------------------------------------------------------------------------
def _clean_email(value: str, where: str) -> str:
    text = (value or "").strip()
    if not EMAIL_PATTERN.match(text):
        raise Invalid(f"{where}: 邮箱地址无效 {text!r} / not a valid e-mail address", where)
    return text.lower()


def invite_organisations(
    session: Session, event_id: int, invitees: Sequence[Invitee], invited_by: str | None = None
) -> list[EventInvitation]:
    """Invite organisations at these addresses (all or nothing: every problem names its row);
    an organisation already invited or taking part is refused."""
    event = get_event(session, event_id)
    if not invitees:
        raise Invalid("请选择至少一个机构 / choose at least one organisation", "invitations")
    taken = set(
        session.scalars(
            select(EventInvitation.organisation_id).where(EventInvitation.event_id == event.id)
        )
    )
    seen: set[int] = set()
    rows = []
    for index, who in enumerate(invitees):
        where = f"invitations[{index}]"
        email = _clean_email(who.email, f"{where}.email")
        try:
            name = clean_text(who.contact_name or "", label=f"{where}.contact_name")[:100]
        except TextError as exc:
            raise Invalid(str(exc), f"{where}.contact_name") from exc
        found = fit_of(session, event, who.organisation_id)
        if found is None:
            raise Invalid(
                f"{where}.organisation_id: 机构 {who.organisation_id} 不存在 / no such organisation",
                f"{where}.organisation_id",
            )
        if who.organisation_id in taken or who.organisation_id in seen:
            raise Conflict(f"{where}: {found.name} 已被邀请 / already invited")
        if participant_of_organisation(session, event, who.organisation_id) is not None:
            raise Conflict(f"{where}: {found.name} 已是参会方 / already a participant")
        seen.add(who.organisation_id)
        rows.append(
            EventInvitation(
                event_id=event.id,
                organisation_id=who.organisation_id,
                email=email,
                contact_name=name,
                nonce=secrets.token_hex(8),
                status="pending",
                fit=found.fit,
                reasons=found.reasons,
                available_slots=[],
                languages=[],
                looking_for="",
                invited_by=invited_by,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def reissue(session: Session, event_id: int, invitation_id: int) -> EventInvitation:
    """A new link for an invitation (the old one stops working) and a fresh invitation e-mail."""
    row = get_invitation(session, event_id, invitation_id)
    row.nonce = secrets.token_hex(8)
    for notice in session.scalars(
        select(EventNotice).where(
            EventNotice.invitation_id == row.id, EventNotice.kind == "invitation"
        )
    ):
        session.delete(notice)
    session.flush()
    return row


def set_rsvp_deadline(session: Session, event_id: int, deadline: dt.datetime | None) -> Event:
    """Set (or clear) the moment invitees must answer by (timezone-aware)."""
    event = get_event(session, event_id)
    if deadline is not None and deadline.tzinfo is None:
        raise Invalid("截止时间须带时区 / the deadline needs a timezone", "rsvp_deadline")
    event.rsvp_deadline = deadline
    session.flush()
    return event


def get_invitation(session: Session, event_id: int, invitation_id: int) -> EventInvitation:
    """An invitation of this event or NotFound."""
    row = session.get(EventInvitation, invitation_id)
    if row is None or row.event_id != event_id:
        raise NotFound(f"活动 {event_id} 没有邀请 {invitation_id} / no such invitation")
    return row


def invitation_of(session: Session, event_id: int, organisation_id: int) -> EventInvitation:
    """The invitation an organisation received for an event, or NotFound."""
    row = session.scalars(
        select(EventInvitation).where(
            EventInvitation.event_id == event_id,
            EventInvitation.organisation_id == organisation_id,
        )
    ).first()
    if row is None:
        raise NotFound(f"本机构没有收到活动 {event_id} 的邀请 / your organisation was not invited")
    return row


def invitation_of_participant(session: Session, participant_id: int) -> EventInvitation | None:
    """The invitation a participant came through (None: added by the organiser directly)."""
    return session.scalars(
        select(EventInvitation).where(EventInvitation.participant_id == participant_id)
    ).first()


# ---- answering ---------------------------------------------------------------------------------
def _check_answer(event: Event, answer: Answer) -> tuple[list[int], int | None, list[str], str]:
    count = len(event.slots)
    slots = list(range(count)) if answer.available_slots is None else answer.available_slots
    bad = [s for s in slots if not 0 <= s < count]
    if bad:
        raise Invalid(
            f"可参会时段 {[s + 1 for s in bad]} 不存在（共 {count} 个时段）/ no such time slot",
            "available_slots",
        )
    slots = sorted(set(slots))
    if answer.accept and not slots:
        raise Invalid(
            "请至少选择一个可参会的时段 / choose at least one time slot", "available_slots"
        )
    cap = answer.max_meetings
    if cap is not None and not 1 <= cap <= count:
        raise Invalid(f"最多会谈场数应在 1–{count} 之间 / must be 1–{count}", "max_meetings")
    languages: list[str] = []
    for index, raw in enumerate(answer.languages[: MAX_LANGUAGES + 1]):
        try:
            text = clean_text(str(raw), label="languages").strip()
        except TextError as exc:
            raise Invalid(str(exc), f"languages[{index}]") from exc
        if len(text) > 32:
            raise Invalid("语言名称过长 / language name too long", f"languages[{index}]")
        if text and text not in languages:
            languages.append(text)
    if len(languages) > MAX_LANGUAGES:
        raise Invalid(f"最多填写 {MAX_LANGUAGES} 种语言 / at most 5 languages", "languages")
    try:
        looking = clean_text(answer.looking_for or "", multiline=True, label="looking_for").strip()
    except TextError as exc:
        raise Invalid(str(exc), "looking_for") from exc
    if len(looking) > MAX_LOOKING_FOR:
        raise Invalid(
            f"“希望对接什么”最多 {MAX_LOOKING_FOR} 字 / at most {MAX_LOOKING_FOR} characters",
            "looking_for",
        )
    return slots, cap, languages, looking


def _check_preferred(event: Event, answer: Answer, available: list[int]) -> list[int] | None:
    """The preferred slots: among the slots one can meet in (times read as the invitee sees them)."""
    if not answer.preferred_slots:
        return None
    outside = sorted({s for s in answer.preferred_slots if s not in available})
    if outside:
        labels = "、".join(
            slot_label(event.slots[s]) if 0 <= s < len(event.slots) else f"#{s + 1}"
            for s in outside
        )
        raise Invalid(
            f"更希望的时段 {labels} 不在您可参会的时段内 / preferred times {labels} are not "
            "among the times you can meet",
            "preferred_slots",
        )
    return sorted(set(answer.preferred_slots))


def interpreter_language(languages: Sequence[str]) -> str | None:
    """The language a participant needs an interpreter for: its first one other than Chinese."""
    return next((x for x in languages if x.strip().lower() not in CHINESE), None)


def _open(event: Event, now: dt.datetime) -> bool:
    return event.rsvp_deadline is None or now <= event.rsvp_deadline


def respond(
    session: Session, invitation: EventInvitation, answer: Answer, now: dt.datetime | None = None
) -> EventInvitation:
    """Record an invitee's answer; accepting makes (or updates) its participant entry."""
    moment = now or utcnow()
    event = get_event(session, invitation.event_id)
    if not _open(event, moment):
        raise Conflict("回复截止时间已过，请联系组织者 / the deadline to answer has passed")
    slots, cap, languages, looking = _check_answer(event, answer)
    preferred = _check_preferred(event, answer, slots) if answer.accept else None
    unavailable = sorted(set(range(len(event.slots))) - set(slots))
    row = invitation.participant or participant_of_organisation(
        session, event, invitation.organisation_id
    )
    if answer.accept:
        if row is None:
            row = add_participant(
                session,
                event.id,
                invitation.organisation_id,
                max_meetings=cap,
                unavailable_slots=unavailable,
                language=interpreter_language(languages),
            )
            row.preferred_slots = preferred
        else:
            _update(row, cap, unavailable, interpreter_language(languages), moment)
            row.preferred_slots = preferred
        invitation.participant_id = row.id
        invitation.available_slots = slots
    else:
        if row is not None and row.status == "active":
            if current_plan(session, event) is not None:
                raise Conflict(
                    "日程已排定，取消参会请联系组织者 / the schedule is already planned: ask the "
                    "organiser to cancel your participation"
                )
            row.status, row.cancelled_at = "cancelled", moment
        invitation.available_slots = []
    invitation.status = "accepted" if answer.accept else "declined"
    invitation.max_meetings = cap if answer.accept else None
    invitation.languages = languages
    invitation.looking_for = looking
    invitation.responded_at = moment
    session.flush()
    return invitation


def _update(
    row: EventParticipant, cap: int | None, unavailable: list[int], language: str | None, now: Any
) -> None:
    row.max_meetings = cap
    row.unavailable_slots = unavailable
    row.language = language
    if row.status != "active":
        row.status, row.cancelled_at = "active", None
    row.updated_at = now


# ---- the organiser's view ----------------------------------------------------------------------
def invitation_view(session: Session, row: EventInvitation) -> dict[str, Any]:
    """An invitation as the organiser team reads it: who, where, fit, answer, e-mails sent."""
    sent = Counter(
        session.scalars(
            select(EventNotice.kind).where(
                EventNotice.invitation_id == row.id, EventNotice.status == "sent"
            )
        )
    )
    return {
        "id": row.id,
        "organisation_id": row.organisation_id,
        "organisation_name": row.organisation.name,
        "email": row.email,
        "contact_name": row.contact_name,
        "fit": row.fit,
        "reasons": row.reasons or [],
        "status": row.status,
        "status_label": RSVP_STATUSES.get(row.status, row.status),
        "available_slots": row.available_slots or [],
        "max_meetings": row.max_meetings,
        "languages": row.languages or [],
        "looking_for": row.looking_for,
        "participant_id": row.participant_id,
        "created_at": row.created_at,
        "responded_at": row.responded_at,
        "emails_sent": dict(sent),
    }


def invitations(session: Session, event_id: int) -> list[EventInvitation]:
    """An event's invitations, best fit first."""
    return list(
        session.scalars(
            select(EventInvitation)
            .where(EventInvitation.event_id == event_id)
            .order_by(EventInvitation.fit.desc(), EventInvitation.id)
        )
    )


def rsvp_summary(session: Session, event_id: int) -> dict[str, int]:
    """How many invitations are pending, accepted and declined (for the organiser at a glance)."""
    counts = Counter(row.status for row in invitations(session, event_id))
    return {status: counts.get(status, 0) for status in RSVP_STATUSES} | {
        "total": sum(counts.values())
    }
