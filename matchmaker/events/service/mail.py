"""E-mails to invitees and participants, each sent exactly once: invitations (signed answer link),
reminders before the RSVP deadline, personal agendas (with an .ics calendar) and change notices.

Every message is an ``EventNotice`` row keyed by (invitation, kind, ref), written before SMTP and
marked ``sent`` after the server accepts it; a failed one is marked ``failed`` and tried again by
the next run, a sent one never again. Messages are plain text with an HTML alternative, Chinese
first and English after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from matchmaker.core.config import CHINA, Settings
from matchmaker.digest.transport import DeliveryError, SmtpTransport, SystemFailure, Transport
from matchmaker.events.models import Event, EventParticipant
from matchmaker.events.participation_models import EventInvitation, EventNotice
from matchmaker.events.service import agenda, checkin_link
from matchmaker.events.service.errors import Conflict
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.rsvp import invitation_url, invitations
from matchmaker.store.models import utcnow

REMINDER_DAYS = (3, 1)
STOP_AFTER_FAILURES = 3  # failed deliveries in a row before a run gives up  # reminders go out when the deadline is this many days away (or fewer)


@dataclass
class Mail:
    """One e-mail's content: subject, plain-text and HTML paragraphs, attachments."""

    subject: str
    paragraphs: list[str]
    link: tuple[str, str] | None = None  # (label, url)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, mime, data
    html_extra: str = ""  # pre-escaped HTML (a table of meetings)


@dataclass
class Mailer:
    """Where mail goes (a transport) and the settings it is written with (sender, public URL,
    secret key for signed links)."""

    settings: Settings
    transport: Transport

    @classmethod
    def smtp(cls, settings: Settings) -> Mailer:
        """A mailer on the configured SMTP server."""
        return cls(settings, SmtpTransport(settings))


@dataclass
class Sent:
    """What one run of a mailing did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    in_a_row: int = 0  # failures since the last success

    @property
    def server_down(self) -> bool:
        """Several failures in a row: stop this run (the rest stay unsent for the next one)."""
        return self.in_a_row >= STOP_AFTER_FAILURES


def _domain(settings: Settings) -> str:
    return parseaddr(settings.smtp_sender)[1].rpartition("@")[2] or "matchmaker.local"


def build_message(settings: Settings, to: str, mail: Mail, message_id: str) -> EmailMessage:
    """The MIME message: text and HTML alternatives plus attachments."""
    msg = EmailMessage()
    name, addr = parseaddr(settings.smtp_sender)
    msg["From"] = formataddr(
        (name or "园校企对接活动 Matchmaking events", addr or "matchmaker@localhost")
    )
    msg["To"] = to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = message_id
    msg["Date"] = utcnow().astimezone(CHINA)
    text = "\n\n".join(mail.paragraphs)
    if mail.link:
        text += f"\n\n{mail.link[0]}:\n{mail.link[1]}"
    msg.set_content(text + "\n")
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in mail.paragraphs)
    if mail.html_extra:
        body += mail.html_extra
    if mail.link:
        body += f'<p><a href="{html.escape(mail.link[1])}">{html.escape(mail.link[0])}</a></p>'
    msg.add_alternative(f'<!DOCTYPE html><html lang="zh-CN"><body>{body}</body></html>', "html")
    for filename, mime, data in mail.attachments:
        main, _, sub = mime.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub.split(";")[0], filename=filename)
    return msg


def deliver(
    session: Session,
    mailer: Mailer,
    invitation: EventInvitation,
    kind: str,
    ref: str,
    compose: Callable[[], Mail],
    snapshot: Sequence[object] = (),
    outcome: Sent | None = None,
) -> bool:
    """Send one notice unless it was already sent; True when it went out now."""
    done = outcome if outcome is not None else Sent()
    row = session.scalars(
        select(EventNotice).where(
            EventNotice.invitation_id == invitation.id,
            EventNotice.kind == kind,
            EventNotice.ref == ref,
        )
    ).first()
    if row is not None and row.status == "sent":
        done.skipped += 1
        return False
    if row is None:
        row = EventNotice(
            event_id=invitation.event_id,
            invitation_id=invitation.id,
            kind=kind,
            ref=ref,
            recipient=invitation.email,
            message_id=make_msgid(f"event{invitation.event_id}.{kind}", _domain(mailer.settings)),
            status="pending",
            error="",
            snapshot=list(snapshot),
        )
        session.add(row)
        session.flush()
    row.snapshot = list(snapshot)
    message = build_message(mailer.settings, invitation.email, compose(), row.message_id)
    if done.server_down:
        done.skipped += 1
        return False
    try:
        mailer.transport.send(message, invitation.email)
    except SystemFailure as exc:  # our side is wrong (login, sender): no use trying the others
        row.status, row.error = "failed", str(exc)[:500]
        session.flush()
        raise Conflict(f"邮件服务器拒绝发送 / the mail server refused: {exc}") from exc
    except DeliveryError as exc:
        row.status, row.error = "failed", str(exc)[:500]
        done.failed += 1
        done.in_a_row += 1
        done.errors.append(f"{invitation.email}: {exc}")
        session.flush()
        return False
    row.status, row.error, row.sent_at = "sent", "", utcnow()
    done.sent += 1
    done.in_a_row = 0
    session.flush()
    return True


def _when(event: Event) -> str:
    first = event.slots[0]["start"] if event.slots else ""
    last = event.slots[-1]["end"] if event.slots else ""
    return f"{event.date:%Y年%m月%d日} {first}–{last}"


def _deadline(event: Event) -> str:
    if event.rsvp_deadline is None:
        return ""
    return f"{event.rsvp_deadline.astimezone(CHINA):%Y年%m月%d日 %H:%M}（北京时间）"


def invitation_mail(
    mailer: Mailer, event: Event, invitation: EventInvitation, reminder: bool
) -> Mail:
    """The invitation (or its reminder): what, when, where, the deadline and the answer link."""
    org = invitation.organisation.name
    greeting = f"{invitation.contact_name or org}，您好："
    lines = [
        greeting,
        f"诚邀{org}参加“{event.name}”（{_when(event)}，{event.venue or '地点待定'}）的一对一洽谈。",
    ]
    if event.description:
        lines.append(event.description)
    if invitation.reasons:
        lines.append("推荐理由：" + "；".join(r.split(" / ")[0] for r in invitation.reasons))
    deadline = _deadline(event)
    lines.append(
        "请点击下方链接接受或谢绝邀请，并填写可参会时段、最多会谈场数、需要的语言和希望对接的内容"
        + (f"，截止时间 {deadline}。" if deadline else "。")
        + "无需注册账号。"
    )
    lines.append(
        f"You are invited to one-to-one meetings at “{event.name}” ({event.date:%Y-%m-%d}). "
        "Please accept or decline with the link below and tell us your free time slots, how many "
        "meetings you can take, the languages you need and what you are looking for"
        + (f" by {event.rsvp_deadline:%Y-%m-%d %H:%M} UTC" if event.rsvp_deadline else "")
        + ". No account needed."
    )
    url = invitation_url(mailer.settings.public_url, mailer.settings.secret_key, invitation)
    prefix = "【提醒 Reminder】" if reminder else ""
    return Mail(
        subject=f"{prefix}邀请函 Invitation：{event.name}",
        paragraphs=lines,
        link=("接受或谢绝 Accept or decline", url),
    )


def send_invitations(session: Session, mailer: Mailer, event_id: int) -> Sent:
    """Send every invitation of the event that has not gone out yet (failed ones again)."""
    event = get_event(session, event_id)
    done = Sent()
    for row in invitations(session, event.id):
        deliver(
            session,
            mailer,
            row,
            "invitation",
            "",
            lambda row=row: invitation_mail(mailer, event, row, reminder=False),  # type: ignore[misc]
            outcome=done,
        )
    return done


def reminder_ref(event: Event, now: dt.datetime, days: Sequence[int] = REMINDER_DAYS) -> str | None:
    """Which reminder is due ("3d", "1d") for an event at this moment (None: none is)."""
    if event.rsvp_deadline is None or now > event.rsvp_deadline:
        return None
    left = event.rsvp_deadline - now
    due = [d for d in days if left <= dt.timedelta(days=d)]
    return f"{min(due)}d" if due else None


def send_reminders(
    session: Session, mailer: Mailer, now: dt.datetime | None = None, event_id: int | None = None
) -> Sent:
    """Remind invitees who have not answered once a reminder is due (3 days, then 1 day before
    the deadline); each reminder goes once, and only to those whose invitation went out."""
    moment = now or utcnow()
    done = Sent()
    stmt = select(Event).where(Event.rsvp_deadline.is_not(None))
    if event_id is not None:
        stmt = stmt.where(Event.id == event_id)
    for event in session.scalars(stmt):
        ref = reminder_ref(event, moment)
        if ref is None:
            continue
        invited = set(
            session.scalars(
                select(EventNotice.invitation_id).where(
                    EventNotice.event_id == event.id,
                    EventNotice.kind == "invitation",
                    EventNotice.status == "sent",
                )
            )
        )
        for row in invitations(session, event.id):
            if row.status != "pending" or row.id not in invited:
                continue
            deliver(
                session,
                mailer,
                row,
                "reminder",
                ref,
                lambda row=row, event=event: invitation_mail(mailer, event, row, reminder=True),  # type: ignore[misc]
                outcome=done,
            )
    return done


# ---- agendas and change notices ----------------------------------------------------------------
def _last_told(session: Session, invitation: EventInvitation) -> EventNotice | None:
    """The newest agenda or change notice that reached the participant."""
    return session.scalars(
        select(EventNotice)
        .where(
            EventNotice.invitation_id == invitation.id,
            EventNotice.kind.in_(("agenda", "change")),
            EventNotice.status == "sent",
        )
        .order_by(EventNotice.sent_at.desc(), EventNotice.id.desc())
    ).first()


def _row_text(row: agenda.AgendaRow) -> str:
    why = "；".join(w.split(" / ")[0] for w in row.why)
    return (
        f"{row.time} {row.table} 号桌 · {row.partner}"
        + (f" · {row.topic}" if row.topic else "")
        + (f"（{why}）" if why else "")
    )


def _rows_html(rows: Sequence[agenda.AgendaRow]) -> str:
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(v)}</td>"
            for v in (
                r.time,
                r.table,
                r.partner,
                r.topic,
                "；".join(w.split(" / ")[0] for w in r.why),
            )
        )
        + "</tr>"
        for r in rows
    )
    head = "".join(f"<th>{html.escape(h)}</th>" for h in agenda.HEADERS)
    return f"<table border='1' cellpadding='4'><tr>{head}</tr>{cells}</table>"


def agenda_mail(
    mailer: Mailer,
    event: Event,
    invitation: EventInvitation,
    rows: list[agenda.AgendaRow],
    version: int,
) -> Mail:
    """The personal agenda: every meeting with time, table, partner, topic and why; .ics attached."""
    org = invitation.organisation.name
    lines = [
        f"{invitation.contact_name or org}，您好：",
        f"“{event.name}”（{_when(event)}，{event.venue}）您的洽谈日程如下：",
    ]
    lines += [_row_text(r) for r in rows] or ["本次暂未为您安排会谈。"]
    lines.append(
        f"Your agenda for “{event.name}” ({event.date:%Y-%m-%d}): {len(rows)} meeting(s), listed "
        "above and in the attached calendar file (.ics). Any change will be e-mailed to you."
    )
    ics = agenda.agenda_ics(
        event,
        invitation.participant_id or 0,
        org,
        rows,
        version=version,
        domain=_domain(mailer.settings),
    )
    url = invitation_url(mailer.settings.public_url, mailer.settings.secret_key, invitation)
    attachments = [(f"event-{event.id}-agenda.ics", "text/calendar", ics)]
    extra = _rows_html(rows)
    holder = object_session(invitation)
    participant = (
        holder.get(EventParticipant, invitation.participant_id)
        if holder is not None and invitation.participant_id is not None
        else None
    )
    if participant is not None:
        checkin = checkin_link.checkin_url(
            mailer.settings.public_url, mailer.settings.secret_key, participant
        )
        lines.append(
            f"到场签到：在签到处出示附件中的二维码，或用手机打开 {checkin} 。 / Check in at the "
            "venue: show the attached QR code, or open the link above on your phone."
        )
        attachments.append(("checkin-qr.png", "image/png", checkin_link.qr_png(checkin)))
        extra += f"<p>到场签到 Check-in</p>{checkin_link.qr_svg(checkin)}"
    return Mail(
        subject=f"您的洽谈日程 Your agenda：{event.name}",
        paragraphs=lines,
        link=("查看我的日程 Open my agenda", url),
        attachments=attachments,
        html_extra=extra,
    )


def change_mail(
    mailer: Mailer,
    event: Event,
    invitation: EventInvitation,
    change: agenda.AgendaChange,
    version: int,
) -> Mail:
    """Only what changed in the agenda: new, moved and cancelled meetings (and their .ics)."""
    org = invitation.organisation.name
    lines = [f"{invitation.contact_name or org}，您好：", f"“{event.name}”您的洽谈日程有以下变化："]
    lines += [f"新增 New：{_row_text(r)}" for r in change.added]
    lines += [
        f"调整 Moved：{r.partner} 由 {was['time']} {was['table']} 号桌 改为 {r.time} {r.table} 号桌"
        for was, r in change.moved
    ]
    lines += [
        f"取消 Cancelled：{was['time']} {was['table']} 号桌 · {was['partner']}"
        for was in change.removed
    ]
    lines.append(
        f"Changes to your agenda for “{event.name}”: {len(change.added)} new, {len(change.moved)} "
        f"moved, {len(change.removed)} cancelled. Other meetings stay as they were."
    )
    cancelled = [
        agenda.AgendaRow(
            int(w["slot"]), str(w["time"]), str(w["table"]), int(w["partner_id"]), str(w["partner"])
        )
        for w in change.removed
    ]
    changed = change.added + [r for _, r in change.moved]
    ics = agenda.agenda_ics(
        event,
        invitation.participant_id or 0,
        org,
        changed,
        version=version,
        cancelled=cancelled,
        domain=_domain(mailer.settings),
    )
    url = invitation_url(mailer.settings.public_url, mailer.settings.secret_key, invitation)
    return Mail(
        subject=f"日程变更 Agenda changed：{event.name}",
        paragraphs=lines,
        link=("查看我的日程 Open my agenda", url),
        attachments=[(f"event-{event.id}-changes.ics", "text/calendar", ics)],
    )


def _change_ref(version: int, now: Sequence[object]) -> str:
    """A change notice's reference: the plan version and the agenda it announces (an edit in
    place keeps the version but changes the agenda)."""
    digest = hashlib.sha256(json.dumps(now, sort_keys=True).encode()).hexdigest()[:10]
    return f"v{version}.{digest}"


def send_agendas(session: Session, mailer: Mailer, event_id: int) -> Sent:
    """Each accepted invitee gets its agenda once; afterwards, after every new plan version, an
    e-mail with only what changed for it (none when nothing did)."""
    event = get_event(session, event_id)
    plan = current_plan(session, event)
    done = Sent()
    if plan is None:
        return done
    for row in invitations(session, event.id):
        if row.participant_id is None:
            continue
        told = _last_told(session, row)
        if told is None and row.status != "accepted":
            continue
        rows = agenda.agenda_rows(session, event, row.participant_id, plan)
        now = agenda.snapshot(rows)
        if told is None:
            deliver(
                session,
                mailer,
                row,
                "agenda",
                "",
                lambda row=row, rows=rows: agenda_mail(mailer, event, row, rows, plan.version),  # type: ignore[misc]
                snapshot=now,
                outcome=done,
            )
            continue
        change = agenda.compare(list(told.snapshot or []), rows)
        if change.empty:
            continue
        deliver(
            session,
            mailer,
            row,
            "change",
            _change_ref(plan.version, now),
            lambda row=row, change=change: change_mail(mailer, event, row, change, plan.version),  # type: ignore[misc]
            snapshot=now,
            outcome=done,
        )
    return done
