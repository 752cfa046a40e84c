"""`matchmaker digest run`: find due subscribers, pick their items, send one e-mail each, once."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from matchmaker.core.config import Settings
from matchmaker.core.container import Container
from matchmaker.digest import delivery
from matchmaker.digest.candidates import (
    REFERENCE_SIZE,
    ItemFacts,
    item_texts,
    item_vectors,
    iter_open_items,
    reference_rows,
)
from matchmaker.digest.delivery import Intent
from matchmaker.digest.models import DigestSend, NotRelevant, SentItem, Subscription
from matchmaker.digest.periods import period_key, today
from matchmaker.digest.render import confirmation_message, digest_message, digest_message_id
from matchmaker.digest.selection import (
    ItemMatrix,
    Pick,
    Profile,
    TermScale,
    distinct_terms,
    select_for_all,
)
from matchmaker.digest.transport import (
    OutboxTransport,
    PermanentFailure,
    SmtpTransport,
    TransientFailure,
    Transport,
)
from matchmaker.retrieval.embed import Embedder
from matchmaker.retrieval.vectors import TextVectors
from matchmaker.store.db import get_engine, session_scope
from matchmaker.store.models import utcnow

INTENT_CHUNK = 200  # digests recorded per transaction before they are sent
ID_CHUNK = 500
WATERMARK_OVERLAP = dt.timedelta(minutes=10)  # re-read a little: late commits are not missed
MAX_TRANSIENT_IN_A_ROW = 3  # then the SMTP server is down: stop, the next run resumes
LOCK_FILE = "digest.lock"


class DigestBusy(RuntimeError):
    """Another digest run holds the lock."""


@dataclass
class RunReport:
    """What one run did."""

    now: dt.datetime
    dry_run: bool
    due: int = 0
    sent: int = 0
    resumed: int = 0
    nothing_new: int = 0
    failed: int = 0
    bounced: int = 0
    paused: int = 0
    expired: int = 0
    confirmations: int = 0
    items_sent: int = 0
    candidates: int = 0
    written: list[Path] = field(default_factory=list)
    aborted: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines for the CLI, Chinese first."""
        verb = "写入 written" if self.dry_run else "发送 sent"
        lines = [
            f"到期订阅 {self.due}，{verb} {self.sent} 封（其中续发 {self.resumed}），"
            f"无新内容 {self.nothing_new}，暂时失败 {self.failed}，退信 {self.bounced}，"
            f"暂停 {self.paused}，确认邮件 {self.confirmations}",
            f"due {self.due}, {verb.split()[1]} {self.sent} (resumed {self.resumed}), nothing new "
            f"{self.nothing_new}, failed {self.failed}, bounced {self.bounced}, paused "
            f"{self.paused}, confirmations {self.confirmations}; candidates {self.candidates}",
        ]
        if self.timings:
            lines.append(
                "用时 timings: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items())
            )
        if self.aborted:
            lines.append(f"已中止 aborted: {self.aborted}")
        return "\n".join(lines)


@contextlib.contextmanager
def run_lock(data_dir: Path) -> Iterator[None]:
    """One run at a time per data directory; the OS releases the lock if the process dies."""
    import fcntl

    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise DigestBusy("另一个推送任务正在运行 / another digest run is in progress") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class _Runner:
    settings: Settings
    engine: Engine
    now: dt.datetime
    transport: Transport
    dry_run: bool
    container: Container  # embedder and embedding cache: the search index's own
    report: RunReport
    progress: Callable[[str], None] | None = None
    transient_in_a_row: int = 0
    only: frozenset[int] | None = None  # a shard: just these subscriptions (None: every one)

    # ---- confirmations -----------------------------------------------------------------------
    def send_confirmations(self) -> None:
        with session_scope(self.engine) as session:
            pending = session.scalars(
                select(Subscription)
                .where(Subscription.status == "pending")
                .where(Subscription.confirm_sent_at.is_(None))
                .order_by(Subscription.id)
            ).all()
        for sub in pending:
            if self.report.aborted:
                return
            outcome = send_confirmation(
                self.settings,
                sub,
                self.transport,
                self.now,
                engine=None if self.dry_run else self.engine,
            )
            if outcome == "sent":
                self.report.confirmations += 1
            self._note(outcome)

    # ---- digests -----------------------------------------------------------------------------
    def run(self) -> None:
        started = time.perf_counter()
        keys = {f: period_key(f, self.now) for f in ("daily", "weekly")}
        if not self.dry_run and self.only is None:  # a shard's run leaves this to the planner
            self.report.expired = delivery.expire_stale(self.engine, list(keys.values()))
        with session_scope(self.engine) as session:
            wanted = select(Subscription).where(Subscription.status == "active")
            sent = select(DigestSend).where(DigestSend.period.in_(list(keys.values())))
            if self.only is not None:
                wanted = wanted.where(Subscription.id.in_(sorted(self.only)))
                sent = sent.where(DigestSend.subscription_id.in_(sorted(self.only)))
            subs = session.scalars(wanted.order_by(Subscription.id)).all()
            records = {(r.subscription_id, r.period): r for r in session.scalars(sent)}
        fresh: list[Subscription] = []
        resume: list[tuple[Subscription, DigestSend]] = []
        for sub in subs:
            record = records.get((sub.id, keys.get(sub.frequency, keys["daily"])))
            if record is None:
                fresh.append(sub)
            elif record.status in ("pending", "failed"):
                resume.append((sub, record))
        self.report.due = len(fresh) + len(resume)
        self.report.timings["load"] = time.perf_counter() - started
        for sub, record in resume:
            if self.report.aborted:
                return
            picks = tuple(Pick.from_record(r) for r in record.items)
            intent = Intent(record.id, sub.id, record.period, record.window_end, picks)
            if self._deliver(sub, intent):
                self.report.resumed += 1
        if self.report.aborted or not fresh:
            return
        picks_by_sub = self.select(fresh, keys)
        self.report.nothing_new = len(fresh) - len(picks_by_sub)
        started = time.perf_counter()
        with_picks = [s for s in fresh if s.id in picks_by_sub]
        for start in range(0, len(with_picks), INTENT_CHUNK):
            if self.report.aborted:
                break
            chunk = with_picks[start : start + INTENT_CHUNK]
            intents = self._intents(chunk, picks_by_sub, keys)
            by_sub = {s.id: s for s in chunk}
            for intent in intents:
                if self.report.aborted:
                    break
                self._deliver(by_sub[intent.subscription_id], intent)
        self.report.timings["send"] = time.perf_counter() - started

    def _intents(
        self,
        chunk: Sequence[Subscription],
        picks_by_sub: dict[int, list[Pick]],
        keys: dict[str, str],
    ) -> list[Intent]:
        rows = []
        for sub in chunk:
            period = keys.get(sub.frequency, keys["daily"])
            rows.append(
                (
                    sub.id,
                    period,
                    digest_message_id(self.settings, sub.id, period),
                    self.now,
                    self._since(sub),
                    picks_by_sub[sub.id],
                )
            )
        if self.dry_run:
            return [Intent(0, r[0], r[1], r[3], tuple(r[5])) for r in rows]
        intents = delivery.record_intents(self.engine, rows)
        order = {sub.id: i for i, sub in enumerate(chunk)}
        return sorted(intents, key=lambda it: order[it.subscription_id])

    def _since(self, sub: Subscription) -> dt.datetime:
        if sub.last_digest_at is not None:
            return sub.last_digest_at - WATERMARK_OVERLAP
        return self.now - dt.timedelta(days=self.settings.digest_first_lookback_days)

    def select(self, subs: Sequence[Subscription], keys: dict[str, str]) -> dict[int, list[Pick]]:
        """Every fresh subscriber's picks: candidates, vectors, exclusions, scores."""
        t0 = time.perf_counter()
        since = {sub.id: self._since(sub) for sub in subs}
        day = today(self.now)
        with session_scope(self.engine) as session:
            items = list(
                iter_open_items(
                    session, today=day, changed_after=min(since.values()), changed_until=self.now
                )
            )
        self.report.candidates = len(items)
        self.report.timings["candidates"] = time.perf_counter() - t0
        if not items:
            return {}
        t1 = time.perf_counter()
        source = self.container.vectors
        vectors = item_vectors(source, items)
        reference = self._reference(source, vectors, day)
        excluded = self._exclusions(items, {s.id for s in subs})
        rejected = self._rejected(source, [s.id for s in subs])
        profiles = [
            Profile(
                id=sub.id,
                role=sub.role,
                tracks=tuple(sub.tracks or ()),
                industries=tuple(sub.industries or ()),
                parks=tuple(sub.parks or ()),
                terms=tuple([*(sub.keywords or ()), *(sub.saved_searches or ())]),
                max_items=sub.max_items,
                language=sub.language,
                since=since[sub.id],
                excluded=frozenset(excluded.get(sub.id, ())),
                rejected=rejected[sub.id][1] if sub.id in rejected else None,
                rejected_kinds=rejected[sub.id][0] if sub.id in rejected else (),
            )
            for sub in subs
        ]
        scale = TermScale(source, distinct_terms(profiles), reference)
        self.report.timings["vectors"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        picks = select_for_all(ItemMatrix(items, vectors), scale, profiles)
        self.report.timings["select"] = time.perf_counter() - t2
        return self._with_finance(picks, {sub.id: sub.language for sub in subs})

    def _with_finance(
        self, picks: dict[int, list[Pick]], languages: dict[int, str]
    ) -> dict[int, list[Pick]]:
        """科技金融驿站: a picked need or achievement that a financial product fits gets one more
        reason naming the product (kept with the delivery record, so a re-send says the same)."""
        from matchmaker.finance.match import digest_hints

        wanted = {(p.kind, p.id) for items in picks.values() for p in items}
        with session_scope(self.engine) as session:
            hints = {lang: digest_hints(session, wanted, lang) for lang in set(languages.values())}
        if not any(hints.values()):
            return picks
        return {
            sub_id: [
                replace(p, reasons=(*p.reasons, hint))
                if (hint := hints[languages[sub_id]].get((p.kind, p.id)))
                else p
                for p in items
            ]
            for sub_id, items in picks.items()
        }

    def _reference(self, source: TextVectors, vectors: np.ndarray, day: dt.date) -> np.ndarray:
        """Items to measure each term's similarity scale on: the candidates, topped up with the
        newest open items when the candidates alone are few."""
        if len(vectors) >= REFERENCE_SIZE:
            return vectors[reference_rows(len(vectors))]
        with session_scope(self.engine) as session:
            extra = list(
                iter_open_items(session, today=day, newest_first_limit=REFERENCE_SIZE // 3)
            )
        if not extra:
            return vectors
        return np.vstack([vectors, item_vectors(source, extra)])

    def _exclusions(
        self, items: Sequence[ItemFacts], sub_ids: set[int]
    ) -> dict[int, set[tuple[str, int]]]:
        """Candidate items each subscriber already received or marked not relevant."""
        out: dict[int, set[tuple[str, int]]] = {}
        by_kind: dict[str, list[int]] = {}
        for item in items:
            by_kind.setdefault(item.kind, []).append(item.id)
        with self.engine.connect() as conn:
            for table in (SentItem, NotRelevant):
                for kind, ids in by_kind.items():
                    for start in range(0, len(ids), ID_CHUNK):
                        rows = conn.execute(
                            select(table.subscription_id, table.item_id)
                            .where(table.item_kind == kind)
                            .where(table.item_id.in_(ids[start : start + ID_CHUNK]))
                        )
                        for sub_id, item_id in rows:
                            if sub_id in sub_ids:
                                out.setdefault(sub_id, set()).add((kind, item_id))
        return out

    def _rejected(
        self, source: TextVectors, sub_ids: Sequence[int]
    ) -> dict[int, tuple[tuple[str, ...], np.ndarray]]:
        """Each subscriber's not-relevant items as (kinds, vectors), to keep their re-posts out."""
        marks: dict[int, list[tuple[str, int]]] = {}
        with session_scope(self.engine) as session:
            for start in range(0, len(sub_ids), ID_CHUNK):
                chunk = list(sub_ids[start : start + ID_CHUNK])
                rows = session.execute(
                    select(
                        NotRelevant.subscription_id, NotRelevant.item_kind, NotRelevant.item_id
                    ).where(NotRelevant.subscription_id.in_(chunk))
                )
                for sub_id, kind, item_id in rows:
                    marks.setdefault(sub_id, []).append((kind, item_id))
            texts = item_texts(session, [key for keys in marks.values() for key in keys])
        if not texts:
            return {}
        order = list(texts)
        vectors = source.documents([texts[k] for k in order])
        row_of = {key: row for row, key in enumerate(order)}
        out: dict[int, tuple[tuple[str, ...], np.ndarray]] = {}
        for sub_id, keys in marks.items():
            present = [k for k in keys if k in row_of]
            if present:
                out[sub_id] = (
                    tuple(k for k, _ in present),
                    vectors[[row_of[k] for k in present]],
                )
        return out

    # ---- sending -----------------------------------------------------------------------------
    def _deliver(self, sub: Subscription, intent: Intent) -> bool:
        """Send one digest and record the outcome; True when it was sent."""
        message = digest_message(self.settings, sub, intent.period, intent.window_end, intent.picks)
        try:
            self.transport.send(message, sub.email)
        except TransientFailure as failure:
            if not self.dry_run:
                delivery.mark_failed(self.engine, intent, _attempts(self.transport), str(failure))
            self.report.failed += 1
            self._note("transient", str(failure))
            return False
        except PermanentFailure as failure:
            self.report.bounced += 1
            if not self.dry_run and delivery.mark_bounced(
                self.engine,
                intent,
                _attempts(self.transport),
                str(failure),
                self.settings.digest_bounce_limit,
            ):
                self.report.paused += 1
            self._note("bounced")
            return False
        if isinstance(self.transport, OutboxTransport):
            self.report.written = list(self.transport.written)
        if not self.dry_run:
            delivery.mark_sent(self.engine, intent, _attempts(self.transport))
        self.report.sent += 1
        self.report.items_sent += len(intent.picks)
        self._note("sent")
        return True

    def _note(self, outcome: str, error: str = "") -> None:
        """Count transient failures in a row: several mean the server is down, so stop."""
        if outcome == "transient":
            self.transient_in_a_row += 1
            if self.transient_in_a_row >= MAX_TRANSIENT_IN_A_ROW:
                self.report.aborted = (
                    f"SMTP 连续 {self.transient_in_a_row} 次暂时失败，稍后重跑即可续发 / "
                    f"{self.transient_in_a_row} transient SMTP failures in a row, re-run later "
                    f"to resume: {error}"
                )
        elif outcome in ("sent", "bounced"):
            self.transient_in_a_row = 0


def _attempts(transport: Transport) -> int:
    return int(getattr(transport, "attempts", 1) or 1)


def send_confirmation(
    settings: Settings,
    sub: Subscription,
    transport: Transport,
    now: dt.datetime | None = None,
    *,
    engine: Engine | None = None,
) -> str:
    """Send the confirm-your-address e-mail; with an engine, remember that it went out.
    Returns 'sent', 'transient' or 'bounced'."""
    moment = now or utcnow()
    try:
        transport.send(confirmation_message(settings, sub, moment), sub.email)
    except TransientFailure:
        return "transient"
    except PermanentFailure as failure:
        if engine is not None:
            with session_scope(engine) as session:
                row = session.get(Subscription, sub.id)
                if row is not None:
                    row.confirm_sent_at = utcnow()  # do not keep writing to an address that bounces
                    row.last_error = str(failure)[:2000]
        return "bounced"
    if engine is not None:
        with session_scope(engine) as session:
            row = session.get(Subscription, sub.id)
            if row is not None:
                row.confirm_sent_at = utcnow()
    return "sent"


def run_digest(
    settings: Settings,
    *,
    engine: Engine | None = None,
    now: dt.datetime | None = None,
    transport: Transport | None = None,
    dry_run: bool = False,
    embedder: Embedder | None = None,
    container: Container | None = None,
) -> RunReport:
    """Send every due subscriber their digest (or, dry run, write them to data_dir/outbox/);
    vectors come from `container` (the process's, from the CLI), else one over `settings`."""
    moment = now or utcnow()
    engine = engine or get_engine(settings.resolved_database_url)
    if container is None:
        container = Container(settings, engine=engine, embedder=embedder)
    if transport is None:
        transport = (
            OutboxTransport(settings.data_dir / "outbox") if dry_run else SmtpTransport(settings)
        )
    report = RunReport(now=moment, dry_run=dry_run)
    runner = _Runner(settings, engine, moment, transport, dry_run, container, report)
    started = time.perf_counter()
    lock = contextlib.nullcontext() if dry_run else run_lock(settings.data_dir)
    try:
        with lock:
            runner.send_confirmations()
            if not report.aborted:
                runner.run()
    finally:
        transport.close()
    if isinstance(transport, OutboxTransport):
        report.written = list(transport.written)
    report.timings["total"] = time.perf_counter() - started
    return report


def send_confirmations_only(
    settings: Settings, *, engine: Engine | None = None, now: dt.datetime | None = None
) -> int:
    """Send the pending confirm-your-address e-mails (a queued run does this before planning its
    shards); returns how many went out."""
    moment = now or utcnow()
    engine = engine or get_engine(settings.resolved_database_url)
    transport = SmtpTransport(settings)
    report = RunReport(now=moment, dry_run=False)
    container = Container(settings, engine=engine)
    runner = _Runner(settings, engine, moment, transport, False, container, report)
    try:
        runner.send_confirmations()
    finally:
        transport.close()
    return report.confirmations
