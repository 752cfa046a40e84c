"""A participant's personal agenda: its meetings of the current plan with time, table, partner,
why they meet and the topic from both sides' items; as rows for pages and e-mails, as an RFC 5545
calendar (``icalendar``), as CSV/XLSX without scores; and what changed since it was last told.

"Why" and "topic" come from the items the two sides bring: the pair of items sharing the most
rare words (one of each side) is the topic, its shared words and industries the reasons, and the
partner's own words ("what we are looking for", from its answer to the invitation) are quoted.
A meeting both sides asked for (an accepted request) says so.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core import export as sheet_export
from matchmaker.core.config import CHINA
from matchmaker.core.taxonomy import industry_zh
from matchmaker.events.models import Event, EventPlan
from matchmaker.events.participation_models import EventInvitation, EventRequest
from matchmaker.events.service.events import current_plan
from matchmaker.events.service.grid import slot_label, table_label
from matchmaker.events.service.participants import get_participant, participant_names
from matchmaker.events.service.scoring import item_rows
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import utcnow

HEADERS = ["时间 Time", "桌号 Table", "洽谈对象 Partner", "话题 Topic", "为什么见面 Why"]
PRODID = "-//matchmaker//园校企对接活动 Matchmaking events//ZH"


@dataclass
class AgendaRow:
    """One meeting as its participant reads it."""

    slot: int
    time: str
    table: str
    partner_id: int
    partner: str
    topic: str = ""
    why: list[str] = field(default_factory=list)
    locked: bool = False

    def key(self) -> dict[str, Any]:
        """What a change notice compares: partner, slot and table."""
        return {"partner_id": self.partner_id, "slot": self.slot, "table": self.table}


@dataclass
class _Offer:
    titles: list[tuple[str, frozenset[str], tuple[str, ...]]]


def _offer(session: Session, participant: Any) -> _Offer:
    titles: list[tuple[str, frozenset[str], tuple[str, ...]]] = []
    for kind, ids in (
        ("need", participant.need_ids),
        ("achievement", participant.achievement_ids),
        ("scenario", participant.scenario_ids),
    ):
        if ids:
            for row in item_rows(session, kind, list(ids)):
                tokens = frozenset(tokenize(row.embedding_text()))
                titles.append((row.title, tokens, tuple(row.industries or ())))
    return _Offer(titles)


def topic_and_reasons(session: Session, own: Any, other: Any) -> tuple[str, list[str]]:
    """The topic of a meeting (the closest pair of the two sides' items) and why they meet."""
    mine, theirs = _offer(session, own), _offer(session, other)
    best: tuple[int, str, str, list[str], list[str]] | None = None
    for title_a, tokens_a, ind_a in mine.titles:
        for title_b, tokens_b, ind_b in theirs.titles:
            shared = sorted(tokens_a & tokens_b, key=lambda t: (-len(t), t))
            industries = [i for i in ind_a if i in ind_b]
            weight = len(shared) * 2 + len(industries)
            if best is None or weight > best[0]:
                best = (weight, title_a, title_b, shared, industries)
    reasons: list[str] = []
    topic = ""
    if best is not None:
        _, title_a, title_b, shared, industries = best
        topic = f"“{title_a}” ↔ “{title_b}”"
        if shared:
            reasons.append(f"共同关注：{'、'.join(shared[:4])} / shared terms")
        if industries:
            names = "、".join(industry_zh(i) for i in industries)
            reasons.append(f"同属{names} / same industry")
    elif theirs.titles:
        topic = "对方带来：" + "、".join(f"“{t[0]}”" for t in theirs.titles[:2])
    return topic, reasons


def _looking_for(session: Session, participant_id: int) -> str:
    found = session.scalar(
        select(EventInvitation.looking_for).where(EventInvitation.participant_id == participant_id)
    )
    return (found or "").strip()


def _requested(session: Session, event: Event, a: int, b: int) -> bool:
    rows = session.scalars(
        select(EventRequest).where(
            EventRequest.event_id == event.id,
            EventRequest.kind == "request",
            EventRequest.status == "accepted",
            ((EventRequest.from_id == a) & (EventRequest.to_id == b))
            | ((EventRequest.from_id == b) & (EventRequest.to_id == a)),
        )
    )
    return rows.first() is not None


def agenda_rows(
    session: Session, event: Event, participant_id: int, plan: EventPlan | None = None
) -> list[AgendaRow]:
    """A participant's meetings in the current (or given) plan, in time order."""
    chosen = plan or current_plan(session, event)
    if chosen is None:
        return []
    own = get_participant(session, event, participant_id)
    names = participant_names(session, event)
    rows: list[AgendaRow] = []
    for m in chosen.meetings:
        if participant_id not in (m.a_id, m.b_id):
            continue
        partner_id = m.b_id if m.a_id == participant_id else m.a_id
        partner = get_participant(session, event, partner_id)
        topic, why = topic_and_reasons(session, own, partner)
        wanted = _looking_for(session, partner_id)
        if wanted:
            why.append(f"对方希望对接：{wanted[:120]} / what they look for")
        if _requested(session, event, participant_id, partner_id):
            why.insert(0, "双方已约定会谈 / a meeting request both accepted")
        rows.append(
            AgendaRow(
                slot=m.slot,
                time=slot_label(event.slots[m.slot]) if m.slot < len(event.slots) else str(m.slot),
                table=table_label(event, m.table_no),
                partner_id=partner_id,
                partner=names.get(partner_id, str(partner_id)),
                topic=topic,
                why=why,
                locked=m.locked,
            )
        )
    rows.sort(key=lambda r: r.slot)
    return rows


# ---- files -------------------------------------------------------------------------------------
def _moment(event: Event, clock: str) -> dt.datetime:
    hours, minutes = (int(x) for x in clock.split(":"))
    return dt.datetime.combine(event.date, dt.time(hours, minutes), tzinfo=CHINA)


def meeting_uid(event: Event, participant_id: int, partner_id: int, domain: str) -> str:
    """A calendar UID per (event, participant, partner): a moved meeting updates its entry."""
    return f"event{event.id}-p{participant_id}-with{partner_id}@{domain}"


def agenda_ics(
    event: Event,
    participant_id: int,
    name: str,
    rows: list[AgendaRow],
    *,
    version: int,
    cancelled: list[AgendaRow] | None = None,
    domain: str = "matchmaker.local",
) -> bytes:
    """An RFC 5545 calendar of the agenda (Asia/Shanghai times; SEQUENCE = plan version; meetings
    no longer on the agenda as STATUS:CANCELLED so calendars drop them)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{event.name} · {name}")
    stamp = utcnow()
    for row, status in [(r, "CONFIRMED") for r in rows] + [
        (r, "CANCELLED") for r in cancelled or []
    ]:
        slot = event.slots[row.slot]
        item = CalendarEvent()
        item.add("uid", meeting_uid(event, participant_id, row.partner_id, domain))
        item.add("dtstamp", stamp)
        item.add("sequence", version)
        item.add("dtstart", _moment(event, slot["start"]))
        item.add("dtend", _moment(event, slot["end"]))
        item.add("summary", f"洽谈 Meeting：{row.partner}（{row.table} 号桌 table）")
        item.add("location", f"{event.venue} {row.table} 号桌".strip())
        item.add("description", "\n".join([row.topic, *row.why]).strip())
        item.add("status", status)
        cal.add_component(item)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _cells(rows: list[AgendaRow]) -> list[list[Any]]:
    return [[r.time, r.table, r.partner, r.topic, "；".join(r.why)] for r in rows]


def agenda_csv(rows: list[AgendaRow]) -> bytes:
    """The agenda as CSV (UTF-8 with BOM), without scores."""
    return sheet_export.csv_bytes(HEADERS, _cells(rows))


def agenda_xlsx(rows: list[AgendaRow]) -> bytes:
    """The agenda as an XLSX sheet (我的日程), without scores."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "我的日程"
    sheet_export.append_row(sheet, HEADERS)
    for row in _cells(rows):
        sheet_export.append_row(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- what changed ------------------------------------------------------------------------------
@dataclass
class AgendaChange:
    """What changed in one participant's agenda since it was last told."""

    added: list[AgendaRow] = field(default_factory=list)
    moved: list[tuple[dict[str, Any], AgendaRow]] = field(default_factory=list)  # (before, now)
    removed: list[dict[str, Any]] = field(default_factory=list)  # snapshot rows

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.added or self.moved or self.removed)


def snapshot(rows: list[AgendaRow]) -> list[dict[str, Any]]:
    """What is stored of an agenda a participant was told about (partner, slot, table, names)."""
    return [{**r.key(), "partner": r.partner, "time": r.time} for r in rows]


def compare(before: list[dict[str, Any]], rows: list[AgendaRow]) -> AgendaChange:
    """The meetings added, moved (other slot or table) and removed since `before`."""
    old = {int(r["partner_id"]): r for r in before}
    new = {r.partner_id: r for r in rows}
    change = AgendaChange()
    for partner, row in new.items():
        was = old.get(partner)
        if was is None:
            change.added.append(row)
        elif (int(was["slot"]), str(was["table"])) != (row.slot, row.table):
            change.moved.append((was, row))
    change.removed = [r for p, r in old.items() if p not in new]
    return change
