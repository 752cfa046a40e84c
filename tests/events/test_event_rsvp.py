"""Invitations on a real database and a real SMTP server: ranked by fit to the event's theme,
one e-mail per invitee with a signed link, answers that become participants, reminders once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.models import Event, EventParticipant
from matchmaker.events.participation_models import EventInvitation, EventNotice
from matchmaker.events.service import fit, mail, rsvp
from matchmaker.events.service.errors import Conflict, Invalid
from matchmaker.events.service.rsvp import Answer, Invitee, LinkError
from matchmaker.store.models import Achievement, Organisation
from tests.digest.conftest import SmtpServer
from tests.events.conftest import PUBLIC_URL, SECRET
from tests.events.event_world import TEAM, seed

LINK = re.compile(re.escape(PUBLIC_URL) + r"/events/rsvp/([A-Za-z0-9_.\-]+)")


def themed_event(session: Session) -> Event:
    """An electronic-information event about visual inspection (no participants yet)."""
    return service.create_event(
        session,
        service.EventSpec(
            name="2026 机器视觉检测对接会",
            date=dt.date(2026, 12, 20),
            venue="南宁国际会展中心",
            description="围绕焊点、表面缺陷和面板的视觉检测，组织企业与高校一对一洽谈。",
            slots=service.session_slots("上午场", "09:00", "10:20", 20),
            tables=["A1", "A2"],
            industries=["electronic-info"],
            tracks=["tech-transfer"],
        ),
        organiser=TEAM,
    )


def off_theme(session: Session) -> tuple[int, int]:
    """An organisation with an item outside the theme, and one with no items at all."""
    farm = Organisation(
        external_id="F1", name="百色芒果种植合作社", kind="enterprise", province="广西"
    )
    idle = Organisation(
        external_id="I1", name="空白测试有限公司", kind="enterprise", province="广西"
    )
    session.add_all([farm, idle])
    session.flush()
    item = Achievement(
        external_id="A-F1",
        title="芒果采后保鲜技术",
        summary="芒果采后保鲜与冷链储运。",
        trl=5,
        owner_id=farm.id,
        industries=["agri-processing"],
    )
    item.refresh_hash()
    session.add(item)
    session.flush()
    return farm.id, idle.id


def token_in(smtp: SmtpServer, address: str) -> str:
    """The signed token in the one message an address received."""
    [received] = smtp.handler.to(address)
    body = received.message.get_body(("plain",))
    assert body is not None
    found = LINK.search(str(body.get_content()))
    assert found, "no answer link in the invitation"
    return found.group(1)


def test_candidates_are_ranked_by_fit_to_the_theme_with_reasons(session: Session) -> None:
    orgs = seed(session)
    farm, idle = off_theme(session)
    event = themed_event(session)

    total, ranked = fit.ranked_candidates(session, event)
    order = [c.organisation_id for c in ranked]
    themed = {orgs[x] for x in orgs}
    assert total == 9
    # Every organisation with an item in the theme comes before the off-theme and empty ones.
    assert set(order[:7]) == themed and order[7:] == sorted(order[7:], key=order.index)
    assert {order[7], order[8]} == {farm, idle}
    top = ranked[0]
    assert top.fit > 50 and any("活动行业内" in r for r in top.reasons)
    assert any("共同的词" in r for c in ranked[:7] for r in c.reasons)
    assert ranked[-1].fit == 0 or ranked[-1].organisation_id in (farm, idle)
    # Search and filters narrow the list; the fit stays the same.
    total, found = fit.ranked_candidates(session, event, query="漓江")
    assert total == 1 and found[0].organisation_id == orgs["U2"]
    total, found = fit.ranked_candidates(session, event, kind="university", themed_only=True)
    assert {c.organisation_id for c in found} == {orgs["U1"], orgs["U2"], orgs["U4"]}
    total, _ = fit.ranked_candidates(session, event, themed_only=True)
    assert total == 7


def test_each_invitee_gets_one_email_whose_link_answers_without_an_account(
    session: Session, smtp: SmtpServer, mailer: mail.Mailer
) -> None:
    orgs = seed(session)
    event = themed_event(session)
    session.commit()
    with pytest.raises(Invalid) as bad:
        rsvp.invite_organisations(
            session,
            event.id,
            [Invitee(orgs["E1"], "li@e1.example.cn"), Invitee(orgs["U1"], "not-an-address")],
        )
    assert bad.value.field == "invitations[1].email"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(EventInvitation)) == 0

    rows = rsvp.invite_organisations(
        session,
        event.id,
        [
            Invitee(orgs["E1"], "Li@E1.example.cn", "李经理"),
            Invitee(orgs["U1"], "wang@u1.example.cn"),
            Invitee(orgs["U3"], "zhao@u3.example.cn"),
        ],
        invited_by=TEAM,
    )
    assert [r.email for r in rows][0] == "li@e1.example.cn"
    with pytest.raises(Conflict):
        rsvp.invite_organisations(session, event.id, [Invitee(orgs["E1"], "x@e1.example.cn")])
    first = mail.send_invitations(session, mailer, event.id)
    again = mail.send_invitations(session, mailer, event.id)
    session.commit()
    assert (first.sent, again.sent, again.skipped) == (3, 0, 3)
    assert len(smtp.handler.received) == 3
    message = smtp.handler.to("li@e1.example.cn")[0].message
    assert "2026 机器视觉检测对接会" in str(message["Subject"])
    text = str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert text.index("诚邀") < text.index("You are invited")  # Chinese first

    token = token_in(smtp, "li@e1.example.cn")
    found = rsvp.invitation_by_token(session, SECRET, token)
    assert found.organisation_id == orgs["E1"]
    for broken in (token[:-2] + "xx", token + "a", "abc"):
        with pytest.raises(LinkError):
            rsvp.invitation_by_token(session, SECRET, broken)
    with pytest.raises(LinkError):
        rsvp.invitation_by_token(session, "another-secret-key-of-some-length", token)

    rsvp.respond(
        session,
        found,
        Answer(True, [0, 1], max_meetings=2, languages=["中文", "英语"], looking_for="焊点检测"),
    )
    other = rsvp.invitation_by_token(session, SECRET, token_in(smtp, "wang@u1.example.cn"))
    rsvp.respond(session, other, Answer(False))
    session.commit()
    row = session.scalars(
        select(EventParticipant).where(EventParticipant.organisation_id == orgs["E1"])
    ).one()
    assert (row.unavailable_slots, row.max_meetings, row.language) == ([2, 3], 2, "英语")
    assert row.status == "active" and found.participant_id == row.id
    assert rsvp.rsvp_summary(session, event.id) == {
        "pending": 1,
        "accepted": 1,
        "declined": 1,
        "total": 3,
    }
    view = rsvp.invitation_view(session, found)
    assert view["emails_sent"] == {"invitation": 1} and view["looking_for"] == "焊点检测"

    with pytest.raises(Invalid) as bad:
        rsvp.respond(session, found, Answer(True, [0, 9]))
    assert bad.value.field == "available_slots" and "10" in bad.value.message
    with pytest.raises(Invalid):
        rsvp.respond(session, found, Answer(True, [], max_meetings=2))

    # A new link replaces the old one.
    rsvp.reissue(session, event.id, found.id)
    with pytest.raises(LinkError):
        rsvp.invitation_by_token(session, SECRET, token)


def test_reminders_go_once_to_those_who_have_not_answered(
    session: Session, smtp: SmtpServer, mailer: mail.Mailer
) -> None:
    orgs = seed(session)
    event = themed_event(session)
    deadline = dt.datetime(2026, 12, 10, 10, 0, tzinfo=dt.UTC)
    rsvp.set_rsvp_deadline(session, event.id, deadline)
    rows = rsvp.invite_organisations(
        session,
        event.id,
        [Invitee(orgs["E1"], "e1@example.cn"), Invitee(orgs["U1"], "u1@example.cn")],
    )
    mail.send_invitations(session, mailer, event.id)
    rsvp.respond(session, rows[1], Answer(True), now=deadline - dt.timedelta(days=5))

    assert mail.send_reminders(session, mailer, deadline - dt.timedelta(days=4)).sent == 0
    assert mail.send_reminders(session, mailer, deadline - dt.timedelta(days=2)).sent == 1
    assert mail.send_reminders(session, mailer, deadline - dt.timedelta(days=1, hours=2)).sent == 0
    assert mail.send_reminders(session, mailer, deadline - dt.timedelta(hours=12)).sent == 1
    assert mail.send_reminders(session, mailer, deadline + dt.timedelta(hours=1)).sent == 0
    session.commit()
    assert len(smtp.handler.to("e1@example.cn")) == 3  # invitation + two reminders
    assert len(smtp.handler.to("u1@example.cn")) == 1  # answered: invitation only
    subjects = [str(r.message["Subject"]) for r in smtp.handler.to("e1@example.cn")]
    assert sum("提醒" in s for s in subjects) == 2
    kinds = session.scalars(select(EventNotice.ref).where(EventNotice.kind == "reminder")).all()
    assert sorted(kinds) == ["1d", "3d"]
    # After the deadline an answer is refused, naming why.
    with pytest.raises(Conflict) as late:
        rsvp.respond(session, rows[0], Answer(True), now=deadline + dt.timedelta(minutes=1))
    assert "截止" in late.value.message


def test_a_mail_server_that_is_down_stops_the_run_and_the_next_run_sends_everything(
    session: Session, smtp: SmtpServer, mailer: mail.Mailer
) -> None:
    from matchmaker.digest.transport import SmtpTransport
    from tests.digest.conftest import free_port
    from tests.events.conftest import mail_settings

    orgs = seed(session)
    event = themed_event(session)
    rsvp.invite_organisations(
        session, event.id, [Invitee(orgs[x], f"{x.lower()}@example.cn") for x in orgs]
    )
    down = mail_settings(free_port()).model_copy(update={"digest_smtp_retries": 0})
    dead = mail.Mailer(down, SmtpTransport(down, sleep=lambda _: None))
    first = mail.send_invitations(session, dead, event.id)
    assert (first.sent, first.failed, first.skipped) == (0, mail.STOP_AFTER_FAILURES, 7 - 3)
    later = mail.send_invitations(session, mailer, event.id)
    session.commit()
    assert (later.sent, later.failed) == (7, 0)
    assert len(smtp.handler.received) == 7
    assert {r.rcpt_tos[0] for r in smtp.handler.received} == {
        f"{x.lower()}@example.cn" for x in orgs
    }
