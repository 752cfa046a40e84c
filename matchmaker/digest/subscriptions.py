"""Creating and changing subscriptions, the same way from the API, the CLI and file imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.digest.models import NotRelevant, Subscription, new_salt
from matchmaker.digest.vocab import DEFAULT_MAX_ITEMS, MAX_INTEREST_TERMS
from matchmaker.store.models import Park, utcnow

INTEREST_FIELDS = ("tracks", "industries", "parks", "keywords", "saved_searches")
PROFILE_FIELDS = ("name", "organisation", "role", "frequency", "max_items", "language")


@dataclass
class SubscriptionData:
    """Clean values for a subscription (already parsed and checked by the caller's validator)."""

    email: str
    name: str = ""
    organisation: str = ""
    role: str = "other"
    tracks: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    parks: list[int] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    saved_searches: list[str] = field(default_factory=list)
    frequency: str = "daily"
    max_items: int = DEFAULT_MAX_ITEMS
    language: str = "zh"

    def values(self) -> dict[str, Any]:
        """The columns this data sets."""
        return {name: getattr(self, name) for name in (*PROFILE_FIELDS, *INTEREST_FIELDS)}


NO_INTEREST = (
    "请至少填写一项关注：关键词、检索词、产业或园区 / give at least one interest: "
    "keywords, saved searches, industries or parks"
)


class InterestError(ValueError):
    """The interests are unusable (too many terms); the message names the field."""


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated terms without control characters."""
    out: list[str] = []
    for term in terms:
        text = "".join(ch for ch in str(term) if ch.isprintable()).strip()
        if text and text not in out:
            out.append(text)
    return out


def check_interests(data: SubscriptionData) -> None:
    """Refuse a subscription with no interest, or with more terms than a digest can use."""
    data.keywords = clean_terms(data.keywords)
    data.saved_searches = clean_terms(data.saved_searches)
    if len(data.keywords) + len(data.saved_searches) > MAX_INTEREST_TERMS:
        raise InterestError(
            f"关键词与检索词合计不超过 {MAX_INTEREST_TERMS} 个 / at most "
            f"{MAX_INTEREST_TERMS} keywords and saved searches together"
        )
    if not (data.keywords or data.saved_searches or data.industries or data.parks):
        raise InterestError(NO_INTEREST)


def resolve_parks(session: Session, refs: Iterable[str]) -> tuple[list[int], list[str]]:
    """Park ids for references given as external id, name or database id; and the unknown ones."""
    wanted = [str(r).strip() for r in refs if str(r).strip()]
    if not wanted:
        return [], []
    numeric = [int(r) for r in wanted if r.isdigit()]
    rows = session.execute(
        select(Park.id, Park.external_id, Park.name).where(
            or_(Park.external_id.in_(wanted), Park.name.in_(wanted), Park.id.in_(numeric))
        )
    ).all()
    found: dict[str, int] = {}
    for park_id, external_id, name in rows:
        found.update({external_id: park_id, name: park_id, str(park_id): park_id})
    ids: list[int] = []
    unknown: list[str] = []
    for ref in wanted:
        if ref in found:
            if found[ref] not in ids:
                ids.append(found[ref])
        else:
            unknown.append(ref)
    return ids, unknown


def missing_parks(session: Session, ids: Iterable[int]) -> list[int]:
    """Park ids that do not exist."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    present = set(session.scalars(select(Park.id).where(Park.id.in_(wanted))))
    return [i for i in wanted if i not in present]


def find_by_email(session: Session, email: str) -> Subscription | None:
    """The subscription of an address (addresses are stored lower-case)."""
    return session.scalars(
        select(Subscription).where(Subscription.email == email.strip().lower())
    ).first()


@dataclass(frozen=True)
class Upserted:
    """What an upsert did: the row, and whether it was created or changed."""

    subscription: Subscription
    created: bool
    changed: bool


def upsert_subscription(
    session: Session,
    data: SubscriptionData,
    *,
    confirmed: bool = False,
    resubscribe: bool = False,
    update_existing: bool = True,
    only: set[str] | None = None,
) -> Upserted:
    """Create a subscription (pending unless `confirmed`) or update the one with this address.

    An unsubscribed address stays unsubscribed (a re-import of an old list must not undo a
    person's choice) unless `resubscribe` — the person asked again — which makes it pending with
    fresh link signatures and a new confirmation. `update_existing=False` leaves an existing
    subscription's interests alone (the public self-subscribe cannot prove who is asking);
    `only` limits an update to the named fields (an import row's non-empty cells).
    """
    now = utcnow()
    existing = find_by_email(session, data.email)
    if existing is None:
        check_interests(data)
        sub = Subscription(email=data.email, **data.values())
        sub.status = "active" if confirmed else "pending"
        sub.confirmed_at = now if confirmed else None
        session.add(sub)
        session.flush()
        return Upserted(sub, created=True, changed=True)
    changed = False
    if existing.status == "unsubscribed" and resubscribe:
        existing.status = "active" if confirmed else "pending"
        existing.salt = new_salt()
        existing.confirm_sent_at = None
        existing.confirmed_at = now if confirmed else None
        existing.unsubscribed_at = None
        existing.consecutive_bounces = 0
        changed = True
        update_existing = True
    if update_existing:
        data.keywords = clean_terms(data.keywords)
        data.saved_searches = clean_terms(data.saved_searches)
        merged = {
            key: value
            for key, value in data.values().items()
            if (only is None or key in only) and getattr(existing, key) != value
        }
        after = {**{k: getattr(existing, k) for k in data.values()}, **merged}
        check_interests(SubscriptionData(email=existing.email, **after))
        for key, value in merged.items():
            setattr(existing, key, value)
            changed = True
    if confirmed and existing.status == "pending":
        existing.status = "active"
        existing.confirmed_at = now
        changed = True
    session.flush()
    return Upserted(existing, created=False, changed=changed)


def confirm(sub: Subscription, now: dt.datetime | None = None) -> bool:
    """Activate a pending subscription; False when it was not pending (nothing changes)."""
    if sub.status != "pending":
        return False
    sub.status = "active"
    sub.confirmed_at = now or utcnow()
    return True


def unsubscribe(sub: Subscription, now: dt.datetime | None = None) -> bool:
    """Stop every e-mail to this address; False when it was already unsubscribed."""
    if sub.status == "unsubscribed":
        return False
    sub.status = "unsubscribed"
    sub.unsubscribed_at = now or utcnow()
    return True


def mark_not_relevant(session: Session, sub: Subscription, kind: str, item_id: int) -> bool:
    """Record that an item is not relevant to this subscriber; False when it already was."""
    exists = session.scalars(
        select(NotRelevant.id).where(
            NotRelevant.subscription_id == sub.id,
            NotRelevant.item_kind == kind,
            NotRelevant.item_id == item_id,
        )
    ).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(NotRelevant(subscription_id=sub.id, item_kind=kind, item_id=item_id))
    except IntegrityError:  # a second click raced the first
        return False
    return True
