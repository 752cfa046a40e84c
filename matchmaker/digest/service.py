"""Digest subscription use cases, the same from the API, the pages the e-mails link to and the CLI:
self-subscribe with confirmation, organisers' create / change / delete, and the signed links
(confirm, unsubscribe, not relevant). Each commits its change; refusals are library errors."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.core.config import Settings, get_settings
from matchmaker.core.errors import Conflict, Invalid, NotFound
from matchmaker.digest.models import Subscription
from matchmaker.digest.subscriptions import (
    InterestError,
    SubscriptionData,
    Upserted,
    confirm,
    find_by_email,
    mark_not_relevant,
    missing_parks,
    resolve_parks,
    unsubscribe,
    upsert_subscription,
)
from matchmaker.digest.tokens import LinkToken, TokenError, read_token, verify_token
from matchmaker.store.models import ITEM_MODELS, utcnow

log = logging.getLogger("matchmaker.digest.service")
RESEND_AFTER = dt.timedelta(
    hours=1
)  # a public re-subscribe re-sends the confirmation at most hourly
EXISTS = "该邮箱已有订阅 / a subscription for this address exists"


# ---- the pages e-mail links open --------------------------------------------------------------
@dataclass(frozen=True)
class LinkOutcome:
    """What a link did, for its page: ask-unsubscribe, already-unsubscribed, unsubscribed,
    not-relevant, cancelled (confirming a cancelled subscription) or confirmed."""

    outcome: str
    subscription: Subscription
    item_title: str | None = None


def open_link(
    session: Session, token: str, action: str, secret: str | None = None
) -> tuple[Subscription, LinkToken]:
    """The subscription a signed link is for; TokenError when tampered or expired, NotFound when gone."""
    parsed = read_token(token, action)
    sub = session.get(Subscription, parsed.subscription_id)
    if sub is None:
        raise NotFound("订阅不存在或已删除 / subscription not found")
    verified = verify_token(secret or get_settings().secret_key, token, action, sub.salt)
    return sub, verified


def unsubscribe_prompt(session: Session, token: str) -> LinkOutcome:
    """What the unsubscribe link's page asks (GET changes nothing: mail scanners open links)."""
    sub, _ = open_link(session, token, "unsubscribe")
    state = "already-unsubscribed" if sub.status == "unsubscribed" else "ask-unsubscribe"
    return LinkOutcome(state, sub)


def unsubscribe_by_link(session: Session, token: str) -> LinkOutcome:
    """Unsubscribe at once (RFC 8058 one-click POST, or the page's button); repeating is harmless."""
    sub, _ = open_link(session, token, "unsubscribe")
    unsubscribe(sub)
    session.commit()
    return LinkOutcome("unsubscribed", sub)


def not_relevant_by_link(session: Session, token: str) -> LinkOutcome:
    """Record the subscriber's "not relevant": later digests leave the item out."""
    sub, parsed = open_link(session, token, "not-relevant")
    model = ITEM_MODELS.get(parsed.item_kind)
    if model is None or parsed.item_id < 1:
        raise TokenError("链接未指明条目 / the link names no item")
    mark_not_relevant(session, sub, parsed.item_kind, parsed.item_id)
    session.commit()
    item = session.get(model, parsed.item_id)
    return LinkOutcome("not-relevant", sub, getattr(item, "title", None))


def confirm_by_link(session: Session, token: str) -> LinkOutcome:
    """Activate the subscription the confirmation e-mail was for (also revives a paused one)."""
    sub, _ = open_link(session, token, "confirm")
    if sub.status == "unsubscribed":
        return LinkOutcome("cancelled", sub)
    if sub.status == "paused":  # the click proves the address works again
        sub.status = "active"
        sub.consecutive_bounces = 0
    confirm(sub)
    session.commit()
    return LinkOutcome("confirmed", sub)


# ---- subscribing --------------------------------------------------------------------------------
def needs_confirmation(sub: Subscription) -> bool:
    """A pending subscription whose confirmation e-mail has not gone out yet."""
    return sub.status == "pending" and sub.confirm_sent_at is None


def subscribe_self(session: Session, data: SubscriptionData) -> Subscription:
    """A person subscribing their own address: new or pending subscriptions take the interests,
    confirmed ones stay as they are (the request proves nothing), an unsubscribed address becomes
    pending again; the confirmation is due again once an hour has passed."""
    _check_parks(session, data.parks)
    existing = find_by_email(session, data.email)
    update = existing is None or existing.status == "pending"
    sub = _upsert(session, data, resubscribe=True, update_existing=update).subscription
    sent = sub.confirm_sent_at
    if sub.status == "pending" and sent is not None and utcnow() - sent >= RESEND_AFTER:
        sub.confirm_sent_at = None
    _commit(session)
    return sub


def add_subscription(session: Session, data: SubscriptionData, *, confirmed: bool) -> Subscription:
    """An organiser adding a subscriber: pending until confirmed, unless consent was collected."""
    if find_by_email(session, data.email) is not None:
        raise Conflict(EXISTS)
    _check_parks(session, data.parks)
    sub = _upsert(session, data, confirmed=confirmed).subscription
    _commit(session)
    return sub


def subscribe_address(
    session: Session, data: SubscriptionData, *, park_refs: Iterable[str], confirmed: bool
) -> Upserted:
    """Create or update an address's subscription on an organiser's word (the CLI); parks are named
    by id, external id or name, and an unsubscribed address is made pending again."""
    ids, unknown = resolve_parks(session, park_refs)
    if unknown:
        raise Invalid.field("parks", "找不到园区 unknown park: " + "、".join(unknown))
    data.parks = ids
    result = _upsert(session, data, confirmed=confirmed, resubscribe=True)
    _commit(session)
    return result


def change_subscription(session: Session, sub_id: int, changes: dict[str, Any]) -> Subscription:
    """Change interests, frequency, cap, language or status; `active` only for a confirmed address."""
    sub = get_subscription(session, sub_id)
    changes = dict(changes)
    status = changes.pop("status", None)
    if changes.get("parks"):
        _check_parks(session, changes["parks"])
    changes = {k: v for k, v in changes.items() if v is not None}
    _upsert(session, SubscriptionData(email=sub.email, **{**_current(sub), **changes}))
    if status == "active" and sub.status != "active":
        if sub.confirmed_at is None:
            session.rollback()
            raise Conflict("邮箱尚未确认，不能直接启用 / the address is not confirmed yet")
        sub.status, sub.consecutive_bounces = "active", 0
    elif status == "paused":
        sub.status = "paused"
    elif status == "unsubscribed":
        unsubscribe(sub)
    _commit(session)
    return sub


def unsubscribe_address(session: Session, email: str) -> bool:
    """Stop every e-mail to an address (a mailto: request); False when it already was."""
    sub = find_by_email(session, email)
    if sub is None:
        raise NotFound(f"没有此邮箱的订阅 / no subscription for {email}")
    changed = unsubscribe(sub)
    session.commit()
    return changed


def get_subscription(session: Session, sub_id: int) -> Subscription:
    """One subscription, or NotFound."""
    sub = session.get(Subscription, sub_id)
    if sub is None:
        raise NotFound(f"订阅 {sub_id} 不存在 / subscription not found")
    return sub


def list_subscriptions(
    session: Session,
    *,
    status: str | None = None,
    q: str | None = None,
    limit: int | None = 20,
    offset: int = 0,
    newest_first: bool = True,
) -> tuple[int, list[Subscription]]:
    """Subscriptions, optionally by status or address fragment, and how many match."""
    query = select(Subscription)
    if status:
        query = query.where(Subscription.status == status)
    if q:
        query = query.where(Subscription.email.contains(q.strip().lower()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = Subscription.id.desc() if newest_first else Subscription.id
    rows = session.scalars(query.order_by(order).limit(limit).offset(offset)).all()
    return total, list(rows)


def delete_subscription(session: Session, sub_id: int) -> None:
    """Erase a subscriber with their delivery history (a person's right to deletion)."""
    session.delete(get_subscription(session, sub_id))
    session.commit()


def send_pending_confirmation(subscription_id: int, settings: Settings | None = None) -> str:
    """Send a pending subscription's confirmation now ('sent', 'skipped', 'transient', 'bounced');
    used after a web request with one attempt, the nightly `digest run` retries what fails."""
    from matchmaker.digest.job import send_confirmation
    from matchmaker.digest.transport import SmtpTransport
    from matchmaker.store.db import get_engine, session_scope

    chosen = settings or get_settings().model_copy(update={"digest_smtp_retries": 0})
    engine = get_engine(chosen.resolved_database_url)
    with session_scope(engine) as session:
        sub = session.get(Subscription, subscription_id)
    if sub is None or not needs_confirmation(sub):
        return "skipped"
    transport = SmtpTransport(chosen)
    try:
        return send_confirmation(chosen, sub, transport, engine=engine)
    finally:
        transport.close()


def send_confirmation_quietly(subscription_id: int) -> None:
    """Background task after a web request: one attempt, failures logged (the subscription stands)."""
    try:
        send_pending_confirmation(subscription_id)
    except Exception:  # the nightly run sends the confirmation
        log.exception("confirmation e-mail to subscription %s failed", subscription_id)


# ---- helpers ------------------------------------------------------------------------------------
def _check_parks(session: Session, parks: Iterable[int]) -> None:
    missing = missing_parks(session, parks)
    if missing:
        raise Invalid.field("parks", f"园区不存在 / unknown park ids: {missing}", "unknown park")


def _upsert(session: Session, data: SubscriptionData, **options: Any) -> Upserted:
    """upsert_subscription with unusable interests as Invalid (nothing left half-changed)."""
    try:
        return upsert_subscription(session, data, **options)
    except InterestError as exc:
        session.rollback()
        raise Invalid.field("keywords", str(exc)) from exc


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:  # two requests for one address raced
        session.rollback()
        raise Conflict(EXISTS) from exc


def _current(sub: Subscription) -> dict[str, Any]:
    return {
        "name": sub.name,
        "organisation": sub.organisation,
        "role": sub.role,
        "frequency": sub.frequency,
        "max_items": sub.max_items,
        "language": sub.language,
        **sub.interests(),
    }
