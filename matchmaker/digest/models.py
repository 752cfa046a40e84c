"""ORM tables of the digest: subscriptions, one delivery record per digest, items sent, not-relevant marks."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow

# A subscription's life: pending until the address is confirmed, paused after repeated bounces.
SUBSCRIPTION_STATUSES: dict[str, str] = {
    "pending": "待确认",
    "active": "已生效",
    "paused": "已暂停（多次退信）",
    "unsubscribed": "已退订",
}
# A delivery record's life: the intent is written before SMTP, `sent` right after it.
SEND_STATUSES: dict[str, str] = {
    "pending": "发送中",
    "sent": "已发送",
    "failed": "暂时失败，待重试",
    "bounced": "退信",
    "expired": "已过期（条目并入下一期）",
}


def new_salt() -> str:
    """A per-subscription random value mixed into its link signatures (rotating it voids old links)."""
    return secrets.token_hex(8)


class Subscription(Base):
    """One e-mail subscriber: who they are, what they follow, how often and how much."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), default="other")
    tracks: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    parks: Mapped[list[int]] = mapped_column(JSON, default=list)  # park ids
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    saved_searches: Mapped[list[str]] = mapped_column(JSON, default=list)
    frequency: Mapped[str] = mapped_column(String(8), default="daily")
    max_items: Mapped[int] = mapped_column(Integer, default=10)
    language: Mapped[str] = mapped_column(String(2), default="zh")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    salt: Mapped[str] = mapped_column(String(32), default=new_salt)
    consecutive_bounces: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_digest_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirm_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def interests(self) -> dict[str, Any]:
        """The fields that decide what the subscriber receives."""
        return {
            "tracks": list(self.tracks or []),
            "industries": list(self.industries or []),
            "parks": list(self.parks or []),
            "keywords": list(self.keywords or []),
            "saved_searches": list(self.saved_searches or []),
        }


class DigestSend(Base):
    """One digest for one subscriber and period: written before SMTP, marked sent after it."""

    __tablename__ = "digest_sends"
    __table_args__ = (UniqueConstraint("subscription_id", "period", name="uq_digest_sends_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(16))  # 2026-11-27 (daily) or 2026-W48 (weekly)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    message_id: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[kind, id, [reasons…]], …]
    window_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    window_end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SentItem(Base):
    """An item a subscriber has received: never sent to them again."""

    __tablename__ = "digest_items_sent"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id", "subscription_id", name="uq_digest_items_sent"),
        Index("ix_digest_items_sent_subscription", "subscription_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE")
    )
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    send_id: Mapped[int | None] = mapped_column(ForeignKey("digest_sends.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotRelevant(Base):
    """A subscriber's one-click "不相关 / not relevant" on an item: later digests leave it out."""

    __tablename__ = "digest_not_relevant"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id", "subscription_id", name="uq_digest_not_relevant"),
        Index("ix_digest_not_relevant_subscription", "subscription_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE")
    )
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "SEND_STATUSES",
    "SUBSCRIPTION_STATUSES",
    "DigestSend",
    "NotRelevant",
    "SentItem",
    "Subscription",
    "new_salt",
]
