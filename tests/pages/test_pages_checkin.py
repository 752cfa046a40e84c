"""QR check-in (in-process app, real SMTP): the agenda e-mail and page carry a QR code of a
signed check-in link; opening it shows who checks in, one tap checks in; a tampered link or one
used after the event is a plain error page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matchmaker.core.config import CHINA, get_settings
from matchmaker.events import service
from matchmaker.events.service import mail, rsvp
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.store.db import session_scope, upgrade
from tests.digest.conftest import SmtpServer
from tests.events.conftest import PUBLIC_URL
from tests.events.conftest import smtp as smtp  # noqa: F401 - the fixture
from tests.events.event_world import FAST, make_event, seed

HTML = {"Accept": "text/html"}
CHECKIN = re.compile(re.escape(PUBLIC_URL) + r"(/events/checkin/[A-Za-z0-9_.\-]+)")
RSVP = re.compile(re.escape(PUBLIC_URL) + r"(/events/rsvp/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def client(
    app_env: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:  # noqa: F811
    """The app with mail aimed at the test SMTP server."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("MATCHMAKER_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    from api.main import create_app

    upgrade()
    with TestClient(create_app()) as c:
        yield c


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_agenda_qr_code_checks_the_participant_in(
    client: TestClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    today = dt.datetime.now(CHINA).date()
    with session_scope() as s:
        orgs = seed(s)
        event, _ = make_event(s, orgs, who=(), slots=4, tables=2)
        event.date = today
        event_id = event.id
        invited = rsvp.invite_organisations(
            s,
            event_id,
            [rsvp.Invitee(orgs["E1"], "e1@example.cn"), rsvp.Invitee(orgs["U1"], "u1@example.cn")],
        )
        for row in invited:
            rsvp.respond(s, row, rsvp.Answer(accept=True))
        service.generate_plan(s, event_id, LexicalScorer(), time_limit=FAST)
        mailer = mail.Mailer.smtp(get_settings())
        assert mail.send_agendas(s, mailer, event_id).sent == 2
        mailer.transport.close()
        e1_id = next(r.participant_id for r in invited if r.email == "e1@example.cn")
    [agenda] = smtp.handler.to("e1@example.cn")
    names = [part.get_filename() for part in agenda.message.iter_attachments()]
    assert "checkin-qr.png" in names
    png = next(p for p in agenda.message.iter_attachments() if p.get_filename() == "checkin-qr.png")
    assert png.get_content().startswith(b"\x89PNG")
    text = str(agenda.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    found = CHECKIN.search(text)
    assert found is not None
    link = found.group(1)
    portal = RSVP.search(text)
    assert portal is not None
    page = client.get(portal.group(1), headers=HTML).text
    assert 'id="checkin-qr"' in page and "<svg" in page  # the QR code on the agenda page

    shown = client.get(link, headers=HTML)
    assert shown.status_code == 200 and "确认签到" in shown.text
    with session_scope() as s:  # opening the link alone changes nothing
        assert (
            service.get_participant(s, service.get_event(s, event_id), e1_id).checked_in_at is None
        )
    done = client.post(link, data={"csrf": csrf(shown.text)}, headers=HTML)
    assert done.status_code == 200 and "签到成功" in done.text
    with session_scope() as s:
        row = service.get_participant(s, service.get_event(s, event_id), e1_id)
        assert row.checked_in_at is not None
    again = client.get(link, headers=HTML)
    assert "已签到" in again.text and "确认签到" not in again.text

    tampered = client.get(link[:-2] + ("xy" if not link.endswith("xy") else "zz"), headers=HTML)
    assert tampered.status_code == 400 and "签到链接无效" in tampered.text
    with session_scope() as s:
        service.get_event(s, event_id).date = today - dt.timedelta(days=3)
    expired = client.get(link, headers=HTML)
    assert expired.status_code == 410 and "签到链接已过期" in expired.text
