"""Personal agendas on a real database and a real SMTP server: one agenda e-mail per participant
with an RFC 5545 calendar, then one e-mail per change with only what changed for it."""

from __future__ import annotations

import csv
import io

from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.models import Event, EventPlan
from matchmaker.events.service import agenda, mail, rsvp
from matchmaker.events.service.rsvp import Answer, Invitee
from matchmaker.events.service.scoring import LexicalScorer
from tests.digest.conftest import Received, SmtpServer
from tests.events.event_world import FAST, make_event, seed

WHO = ("E1", "E2", "E3", "U1", "U2", "U3")
ADDRESS = {ext: f"{ext.lower()}@example.cn" for ext in WHO}


def invited_event(session: Session) -> tuple[Event, dict[str, int]]:
    """Six organisations invited by e-mail, all accepted (E1 looks for solder-joint inspection)."""
    orgs = seed(session)
    event, _ = make_event(session, orgs, who=(), slots=4, tables=3, max_meetings=3)
    event.venue = "南宁国际会展中心"
    rows = rsvp.invite_organisations(
        session, event.id, [Invitee(orgs[x], ADDRESS[x], f"{x}联系人") for x in WHO]
    )
    for ext, row in zip(WHO, rows, strict=True):
        wanted = "虚焊自动检测，产线可试点" if ext == "E1" else ""
        rsvp.respond(session, row, Answer(True, looking_for=wanted))
    session.commit()
    return event, {ext: row.participant_id or 0 for ext, row in zip(WHO, rows, strict=True)}


def meetings_of(plan: EventPlan, pid: int) -> dict[int, tuple[int, int]]:
    """partner -> (slot, table) of one participant in a plan."""
    out = {}
    for m in plan.meetings:
        if pid in (m.a_id, m.b_id):
            out[m.b_id if m.a_id == pid else m.a_id] = (m.slot, m.table_no)
    return out


def calendar_of(received: Received) -> Calendar:
    """The .ics attachment of a message, parsed."""
    [part] = [
        p for p in received.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    return Calendar.from_ical(part.get_content())


def body(received: Received) -> str:
    part = received.message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_every_participant_gets_one_agenda_then_one_email_per_change(
    session: Session, smtp: SmtpServer, mailer: mail.Mailer
) -> None:
    event, pid = invited_event(session)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    first = service.current_plan(session, event)
    assert first is not None

    done = mail.send_agendas(session, mailer, event.id)
    again = mail.send_agendas(session, mailer, event.id)
    session.commit()
    assert (done.sent, again.sent) == (6, 0)
    for ext in WHO:
        [got] = smtp.handler.to(ADDRESS[ext])
        own = meetings_of(first, pid[ext])
        cal = calendar_of(got)
        events = [c for c in cal.walk("VEVENT")]
        assert len(events) == len(own)
        for item in events:
            start = item.decoded("dtstart")
            assert str(start.tzinfo) == "Asia/Shanghai" and start.date() == event.date
            slot = (start.hour * 60 + start.minute - 9 * 60) // 20
            partner = int(str(item["uid"]).split("with")[1].split("@")[0])
            assert own[partner][0] == slot
            assert str(item["status"]) == "CONFIRMED" and int(item["sequence"]) == first.version
        assert cal.walk("VTIMEZONE"), "the calendar carries its time zone"
        text = body(got)
        assert text.count("号桌 ·") == len(own)
    # E1's partners read what E1 looks for; the topic names both sides' items.
    partner_of_e1 = next(iter(meetings_of(first, pid["E1"])))
    ext_partner = next(x for x in WHO if pid[x] == partner_of_e1)
    partner_text = body(smtp.handler.to(ADDRESS[ext_partner])[0])
    assert "虚焊自动检测，产线可试点" in partner_text and "↔" in partner_text

    # Cancel one participant: only those whose agenda changed hear of it, with only the change.
    before = {x: meetings_of(first, pid[x]) for x in WHO}
    service.cancel_participant(session, event.id, pid["U3"], LexicalScorer(), time_limit=FAST)
    session.commit()
    second = service.current_plan(session, event)
    assert second is not None and second.version == 2
    after = {x: meetings_of(second, pid[x]) for x in WHO}
    smtp.handler.received.clear()
    changed = mail.send_agendas(session, mailer, event.id)
    assert mail.send_agendas(session, mailer, event.id).sent == 0
    session.commit()
    differs = {x for x in WHO if before[x] != after[x]}
    assert "U3" in differs
    assert changed.sent == len(differs)
    for ext in WHO:
        got = smtp.handler.to(ADDRESS[ext])
        assert len(got) == (1 if ext in differs else 0)
        if not got:
            continue
        text = body(got[0])
        old, new = before[ext], after[ext]
        added = set(new) - set(old)
        removed = set(old) - set(new)
        moved = {p for p in set(old) & set(new) if old[p] != new[p]}
        assert text.count("新增 New") == len(added)
        assert text.count("取消 Cancelled") == len(removed)
        assert text.count("调整 Moved") == len(moved)
        cal = calendar_of(got[0])
        statuses = sorted(str(e["status"]) for e in cal.walk("VEVENT"))
        assert statuses.count("CANCELLED") == len(removed)
        assert len(statuses) == len(added) + len(removed) + len(moved)


def test_agenda_files_have_no_scores(session: Session) -> None:
    event, pid = invited_event(session)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    rows = agenda.agenda_rows(session, event, pid["E1"])
    assert rows and all(r.partner and r.table.startswith("A") for r in rows)
    table = list(csv.reader(io.StringIO(agenda.agenda_csv(rows).decode("utf-8-sig"))))
    assert table[0] == agenda.HEADERS and len(table) == len(rows) + 1
    assert not any("得分" in cell or "Score" in cell for cell in table[0])
    book = load_workbook(io.BytesIO(agenda.agenda_xlsx(rows)))
    assert book.sheetnames == ["我的日程"] and book["我的日程"].max_row == len(rows) + 1
