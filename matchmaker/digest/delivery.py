"""Recording deliveries so nothing is lost or repeated: the intent before SMTP, the outcome after it.

Every digest has one row per (subscription, period) — a unique key — written as `pending`, with
its items, before the message is handed to SMTP, and marked `sent` (with the items recorded as
received) right after the server accepts it. A crash between sends leaves `pending` rows that the
next run of the same period sends again, with the same items and the same Message-ID; a crash in
the instant between the server's acceptance and the mark can therefore deliver the same message
twice, which receivers collapse by Message-ID.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from matchmaker.digest.models import DigestSend, SentItem, Subscription
from matchmaker.digest.selection import Pick
from matchmaker.store.models import utcnow


@dataclass(frozen=True)
class Intent:
    """A digest about to be sent: its delivery row and what it holds."""

    send_id: int
    subscription_id: int
    period: str
    window_end: dt.datetime
    picks: tuple[Pick, ...]


def record_intents(
    engine: Engine,
    rows: Sequence[tuple[int, str, str, dt.datetime, dt.datetime | None, Sequence[Pick]]],
) -> list[Intent]:
    """Write `pending` rows (subscription, period, message id, window end, window start, picks)
    in one transaction; a row another run already wrote is skipped, not duplicated."""
    values = [
        {
            "subscription_id": sub_id,
            "period": period,
            "status": "pending",
            "message_id": message_id,
            "items": [p.as_record() for p in picks],
            "window_start": start,
            "window_end": end,
            "attempts": 0,
            "last_error": "",
            "created_at": utcnow(),
        }
        for sub_id, period, message_id, end, start, picks in rows
    ]
    if not values:
        return []
    try:
        with engine.begin() as conn:
            conn.execute(insert(DigestSend), values)
    except IntegrityError:  # someone else recorded some of them: insert the rest one by one
        for value in values:
            try:
                with engine.begin() as conn:
                    conn.execute(insert(DigestSend), [value])
            except IntegrityError:
                continue
    wanted = {(v["subscription_id"], v["period"]) for v in values}
    picks_of = {(sub_id, period): tuple(picks) for sub_id, period, _, _, _, picks in rows}
    with engine.connect() as conn:
        found = conn.execute(
            select(
                DigestSend.id, DigestSend.subscription_id, DigestSend.period, DigestSend.window_end
            )
            .where(DigestSend.subscription_id.in_([w[0] for w in wanted]))
            .where(DigestSend.period.in_({w[1] for w in wanted}))
            .where(DigestSend.status == "pending")
        ).all()
    return [
        Intent(send_id, sub_id, period, end, picks_of[(sub_id, period)])
        for send_id, sub_id, period, end in found
        if (sub_id, period) in wanted
    ]


# Plain tables: the bookkeeping runs once per e-mail, so it skips the ORM.
SENDS = cast(Table, DigestSend.__table__)
SENT_ITEMS = cast(Table, SentItem.__table__)
SUBSCRIPTIONS = cast(Table, Subscription.__table__)


def _begin(engine: Engine) -> Any:
    """A transaction for one mark. On SQLite (WAL) commits skip the fsync: a process crash still
    loses nothing committed; only a power cut could drop the last marks, and a digest whose mark
    is lost is sent again under the same Message-ID, which receivers collapse."""
    context = engine.begin()
    if engine.dialect.name == "sqlite":
        return _SqliteNormal(context)
    return context


class _SqliteNormal:
    def __init__(self, context: Any) -> None:
        self.context = context

    def __enter__(self) -> Connection:
        conn: Connection = self.context.__enter__()
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        return conn

    def __exit__(self, *exc: object) -> Any:
        return self.context.__exit__(*exc)


def mark_sent(engine: Engine, intent: Intent, attempts: int) -> None:
    """The server accepted the digest: mark it sent, remember its items, move the window on."""
    now = utcnow()
    with _begin(engine) as conn:
        conn.execute(
            update(SENDS)
            .where(SENDS.c.id == intent.send_id)
            .values(status="sent", sent_at=now, attempts=SENDS.c.attempts + attempts)
        )
        if intent.picks:
            existing = set(
                conn.execute(
                    select(SENT_ITEMS.c.item_kind, SENT_ITEMS.c.item_id)
                    .where(SENT_ITEMS.c.subscription_id == intent.subscription_id)
                    .where(SENT_ITEMS.c.item_id.in_([p.id for p in intent.picks]))
                ).all()
            )
            new = [
                {
                    "subscription_id": intent.subscription_id,
                    "item_kind": p.kind,
                    "item_id": p.id,
                    "send_id": intent.send_id,
                    "sent_at": now,
                }
                for p in intent.picks
                if (p.kind, p.id) not in existing
            ]
            if new:
                conn.execute(insert(SENT_ITEMS), new)
        conn.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.id == intent.subscription_id)
            .values(last_digest_at=intent.window_end, consecutive_bounces=0, last_error="")
        )


def mark_failed(engine: Engine, intent: Intent, attempts: int, error: str) -> None:
    """Transient failure after every retry: the next run of this period tries again."""
    with engine.begin() as conn:
        conn.execute(
            update(DigestSend)
            .where(DigestSend.id == intent.send_id)
            .values(
                status="failed", attempts=DigestSend.attempts + attempts, last_error=error[:2000]
            )
        )


def mark_bounced(engine: Engine, intent: Intent, attempts: int, error: str, limit: int) -> bool:
    """Permanent refusal: record it; pause the address after `limit` bounces in a row.
    Returns whether the subscription is now paused."""
    with engine.begin() as conn:
        conn.execute(
            update(DigestSend)
            .where(DigestSend.id == intent.send_id)
            .values(
                status="bounced", attempts=DigestSend.attempts + attempts, last_error=error[:2000]
            )
        )
        bounces = conn.execute(
            update(Subscription)
            .where(Subscription.id == intent.subscription_id)
            .values(
                consecutive_bounces=Subscription.consecutive_bounces + 1, last_error=error[:2000]
            )
            .returning(Subscription.consecutive_bounces)
        ).scalar_one()
        if bounces >= limit:
            conn.execute(
                update(Subscription)
                .where(Subscription.id == intent.subscription_id)
                .where(Subscription.status == "active")
                .values(status="paused")
            )
            return True
    return False


def expire_stale(engine: Engine, current_periods: Sequence[str]) -> int:
    """Unsent rows of earlier periods stop being retried; their items stay unsent, so they are
    offered again in the subscriber's next digest."""
    with engine.begin() as conn:
        result = conn.execute(
            update(DigestSend)
            .where(DigestSend.status.in_(("pending", "failed")))
            .where(DigestSend.period.not_in(list(current_periods)))
            .values(status="expired")
        )
    return int(result.rowcount or 0)
