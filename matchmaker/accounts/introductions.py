"""Consented introductions between the two sides of a match.

A member asks the organisation that published an item (a need, achievement or scenario) for an
introduction, with a short message; that organisation's members accept or decline it; only after
acceptance does each side see the other's contact details (the item's contact for the requester,
the requester's name and address for the owner), and nobody else does. Later steps (met, signed)
are dated. A member may ask at most `DAILY_LIMIT` introductions a day, and only once per item
while an earlier request is open; one person at most `PERSON_DAILY_LIMIT`.

A request names the requester's own item it is for (the need, achievement or scenario whose
recommendation or search found the target; required when the organisation has a published item
that pairs with the target). Every step is stored as feedback on that pair
(`intro_feedback`): the funnel statistics count it and the re-ranker trains on it.

    intro = request(session, member, "need", 12, "我们有相关成果，希望交流", source=("achievement", 3))
    decide(session, owner_member, intro.id, accept=True)
    contacts(session, member, intro)   # the need's contact, now visible to the requester
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matchmaker.accounts import intro_feedback, mail
from matchmaker.accounts.errors import AccountError
from matchmaker.accounts.models import Introduction, User
from matchmaker.catalog.kinds import OWNER_COLUMN
from matchmaker.core.config import Settings
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.messages import Text, t
from matchmaker.policy.actor import ITEMS_SUBMIT, ORGS_APPROVE, Actor, reviews_park
from matchmaker.store.models import ITEM_MODELS, Organisation, utcnow

MESSAGE_MAX = 500
DAILY_LIMIT = 10  # per organisation
PERSON_DAILY_LIMIT = 5  # per account
OPEN = ("requested", "accepted", "met")
STEPS = {"met": "met_at", "signed": "signed_at"}


def _member(actor: Actor) -> int:
    if not actor.can(ITEMS_SUBMIT) or actor.organisation_id is None:
        raise AccountError(Text("intro.members_only"), None, 403)
    return actor.organisation_id


def _item(session: Session, kind: str, item_id: int) -> Any:
    """An achievement, need or scenario by kind and id (None when missing)."""
    model: Any = ITEM_MODELS[kind]
    return session.get(model, item_id)


def _target(session: Session, kind: str, item_id: int) -> Any:
    """A published item someone may ask an introduction for."""
    if kind not in ITEM_KINDS:
        raise AccountError(Text("intro.no_item"), "target", 404)
    item = _item(session, kind, item_id)
    if item is None or item.status != "active":
        raise AccountError(Text("intro.no_item"), "target", 404)
    return item


def _source(
    session: Session, org: int, kind: str, source: tuple[str, int] | None
) -> tuple[str, int] | None:
    """The requester's own item the request is for: a published item of its organisation that
    pairs with the target; required when the organisation has one."""
    if source is None:
        if intro_feedback.own_sources(session, org, kind):
            raise AccountError(Text("intro.source_required"), "source")
        return None
    source_kind, source_id = source
    item = _item(session, source_kind, source_id) if source_kind in ITEM_KINDS else None
    if (
        item is None
        or item.status != "active"
        or getattr(item, OWNER_COLUMN[source_kind]) != org
        or not intro_feedback.pairs_with(source_kind, kind)
    ):
        raise AccountError(Text("intro.bad_source"), "source")
    return source_kind, source_id


def _check_flood(session: Session, org: int, user_id: int | None) -> None:
    since = utcnow() - dt.timedelta(days=1)
    recent = select(func.count()).select_from(Introduction).where(Introduction.created_at >= since)
    if user_id is not None:
        mine = session.scalar(recent.where(Introduction.requester_id == user_id)) or 0
        if mine >= PERSON_DAILY_LIMIT:
            raise AccountError(Text("intro.too_many_person", n=PERSON_DAILY_LIMIT), None, 429)
    if (session.scalar(recent.where(Introduction.from_org_id == org)) or 0) >= DAILY_LIMIT:
        raise AccountError(Text("intro.too_many", n=DAILY_LIMIT), None, 429)


def request(
    session: Session,
    actor: Actor,
    kind: str,
    item_id: int,
    message: str,
    user_id: int | None = None,
    *,
    source: tuple[str, int] | None = None,
    track: str | None = None,
    recommender: Any = None,
) -> Introduction:
    """Ask the item's organisation for an introduction on behalf of one of the requester's own
    items (limited per day, once per open item); stored as the pair's first feedback."""
    org = _member(actor)
    item = _target(session, kind, item_id)
    owner = getattr(item, OWNER_COLUMN[kind])
    if owner is None:
        raise AccountError(Text("intro.no_owner"), "target", 409)
    if owner == org:
        raise AccountError(Text("intro.own_item"), "target", 409)
    text = message.strip()
    if not text or len(text) > MESSAGE_MAX:
        raise AccountError(Text("intro.message_length", high=MESSAGE_MAX), "message")
    chosen = _source(session, org, kind, source)
    open_one = session.scalar(
        select(Introduction.id).where(
            Introduction.from_org_id == org,
            Introduction.target_kind == kind,
            Introduction.target_id == item_id,
            Introduction.status.in_(OPEN),
        )
    )
    if open_one is not None:
        raise AccountError(Text("intro.already"), "target", 409)
    _check_flood(session, org, user_id)
    pair = intro_feedback.choose_pair(session, chosen, (kind, item_id), org, track)
    row = Introduction(
        requester_id=user_id,
        from_org_id=org,
        to_org_id=owner,
        target_kind=kind,
        target_id=item_id,
        source_kind=chosen[0] if chosen else None,
        source_id=chosen[1] if chosen else None,
        track=pair.track if pair else None,
        message=text,
        status="requested",
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    intro_feedback.record(
        session, row, "requested", row.created_at, actor=actor.principal, recommender=recommender
    )
    session.commit()
    return row


def _get(session: Session, intro_id: int) -> Introduction:
    row = session.get(Introduction, intro_id)
    if row is None:
        raise AccountError(Text("intro.gone"), None, 404)
    return row


def decide(
    session: Session, actor: Actor, intro_id: int, *, accept: bool, recommender: Any = None
) -> Introduction:
    """The item's organisation accepts or declines a request (stored as the pair's feedback)."""
    org = _member(actor)
    row = _get(session, intro_id)
    if row.to_org_id != org:
        raise AccountError(Text("intro.gone"), None, 404)
    if row.status != "requested":
        raise AccountError(Text("intro.decided"), None, 409)
    row.status = "accepted" if accept else "declined"
    row.decided_at, row.decided_by = utcnow(), actor.principal
    intro_feedback.record(
        session, row, row.status, row.decided_at, actor=actor.principal, recommender=recommender
    )
    session.commit()
    return row


def record_step(
    session: Session, actor: Actor, intro_id: int, step: str, recommender: Any = None
) -> Introduction:
    """Either side records that they met, then that they signed (dated, in that order; stored as
    the pair's feedback)."""
    org = _member(actor)
    row = _get(session, intro_id)
    if org not in (row.from_org_id, row.to_org_id):
        raise AccountError(Text("intro.gone"), None, 404)
    order = {"met": ("accepted",), "signed": ("accepted", "met")}
    if step not in STEPS or row.status not in order[step]:
        raise AccountError(Text("intro.step_order"), None, 409)
    row.status = step
    moment = utcnow()
    setattr(row, STEPS[step], moment)
    intro_feedback.record(
        session, row, step, moment, actor=actor.principal, recommender=recommender
    )
    session.commit()
    return row


def for_organisation(
    session: Session, actor: Actor
) -> tuple[list[Introduction], list[Introduction]]:
    """(requests to us, requests from us), newest first."""
    org = _member(actor)
    query = select(Introduction).where(
        or_(Introduction.to_org_id == org, Introduction.from_org_id == org)
    )
    rows = list(session.scalars(query.order_by(Introduction.id.desc())))
    return [r for r in rows if r.to_org_id == org], [r for r in rows if r.from_org_id == org]


@dataclass(frozen=True)
class Contact:
    """Who to talk to on the other side of an accepted introduction."""

    organisation: str
    name: str | None
    phone: str | None
    email: str | None


def contacts(session: Session, actor: Actor, row: Introduction) -> Contact | None:
    """The other side's contact, for either side once the introduction was accepted; None
    before that and for anyone else."""
    org = actor.organisation_id
    if row.status not in ("accepted", "met", "signed") or org not in (
        row.from_org_id,
        row.to_org_id,
    ):
        return None
    if org == row.from_org_id:
        item = _item(session, row.target_kind, row.target_id)
        owner = session.get(Organisation, row.to_org_id)
        if item is None or owner is None:
            return None
        return Contact(owner.name, item.contact_name, item.contact_phone, item.contact_email)
    requester = session.get(User, row.requester_id) if row.requester_id else None
    asker = session.get(Organisation, row.from_org_id)
    return Contact(
        asker.name if asker else "",
        requester.name if requester else None,
        None,
        requester.email if requester else None,
    )


def title_of(session: Session, row: Introduction) -> str:
    """The title of the item an introduction is about."""
    item = _item(session, row.target_kind, row.target_id)
    return str(item.title) if item is not None else "—"


def source_title_of(session: Session, row: Introduction) -> str | None:
    """The title of the requester's own item the introduction is for (None without one)."""
    if row.source_kind is None or row.source_id is None:
        return None
    item = _item(session, row.source_kind, row.source_id)
    return str(item.title) if item is not None else None


def notices(
    session: Session, settings: Settings, row: Introduction
) -> list[tuple[EmailMessage, str]]:
    """The e-mails a step sends: a new request to the owner's members, a decision to the
    requester (built now, sent by the caller in the background)."""
    title = title_of(session, row)
    link = f"{settings.public_url.rstrip('/')}/my/introductions"
    asker = session.get(Organisation, row.from_org_id)
    if row.status == "requested":
        people = session.scalars(
            select(User).where(User.organisation_id == row.to_org_id, User.membership == "active")
        ).all()
        lines = [
            t("intro.mail.request", "zh", org=asker.name if asker else "", title=title),
            "",
            row.message,
            "",
            link,
        ]
        return [
            (mail.message(settings, p.email, "intro.mail.request_subject", lines, link), p.email)
            for p in people
        ]
    requester = session.get(User, row.requester_id) if row.requester_id else None
    if requester is None or row.status not in ("accepted", "declined"):
        return []
    key = f"intro.mail.{row.status}"
    lines = [t(key, "zh", title=title), "", link]
    return [
        (mail.message(settings, requester.email, f"{key}_subject", lines, link), requester.email)
    ]


def pending_in_park(session: Session, actor: Actor) -> list[Introduction]:
    """Requests still waiting for an answer from organisations of the reviewer's park (admins:
    every park), oldest first."""
    if not actor.can(ORGS_APPROVE):
        return []
    query = select(Introduction).where(Introduction.status == "requested")
    if not actor.is_admin:
        in_park = select(Organisation.id).where(Organisation.park_id == actor.park_id)
        query = query.where(Introduction.to_org_id.in_(in_park))
    return list(session.scalars(query.order_by(Introduction.id)))


def nudge(
    session: Session, settings: Settings, actor: Actor, intro_id: int
) -> list[tuple[EmailMessage, str]]:
    """Park staff remind the owner's members of a request waiting for their answer (the same
    e-mail again); only for requests of their park."""
    row = _get(session, intro_id)
    if row.status != "requested":
        raise AccountError(Text("intro.decided"), None, 409)
    owner = session.get(Organisation, row.to_org_id)
    if not actor.can(ORGS_APPROVE) or owner is None or not reviews_park(actor, owner.park_id):
        raise AccountError(Text("account.org.not_reviewer"), None, 403)
    return notices(session, settings, row)
