"""The participant's page reached from the invitation e-mail (in-process, real SMTP): the signed
link answers without an account, shows partners, takes requests and serves the agenda."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from matchmaker.core.config import get_settings
from matchmaker.events import service
from matchmaker.events.service import mail, rsvp
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.store.db import session_scope, upgrade
from tests.digest.conftest import SmtpServer
from tests.events.conftest import PUBLIC_URL
from tests.events.conftest import smtp as smtp  # noqa: F401 - the fixture
from tests.events.event_world import FAST, make_event, seed

HTML = {"Accept": "text/html"}
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/events/rsvp/[A-Za-z0-9_.\-]+)")


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


def link_for(smtp: SmtpServer, address: str) -> str:  # noqa: F811
    [got] = smtp.handler.to(address)
    part = got.message.get_body(("plain",))
    assert part is not None
    found = LINK.search(str(part.get_content()))
    assert found is not None
    return found.group(1)


def test_the_signed_link_answers_requests_and_shows_the_agenda(
    client: TestClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    with session_scope() as s:
        orgs = seed(s)
        event, _ = make_event(
            s, orgs, who=(), slots=4, tables=2, interpreters={0: ["英语"], 1: ["英语"]}
        )
        event_id = event.id
        rows = rsvp.invite_organisations(
            s,
            event_id,
            [
                rsvp.Invitee(orgs["E1"], "e1@example.cn"),
                rsvp.Invitee(orgs["U1"], "u1@example.cn"),
                rsvp.Invitee(orgs["U4"], "u4@example.cn"),
            ],
        )
        settings = get_settings()
        mailer = mail.Mailer.smtp(settings)
        assert mail.send_invitations(s, mailer, event_id).sent == 3
        mailer.transport.close()
        assert len(rows) == 3
    e1, u1, u4 = (link_for(smtp, f"{x}@example.cn") for x in ("e1", "u1", "u4"))

    page = client.get(e1, headers=HTML)
    assert page.status_code == 200
    assert "2026 南宁园校企对接会" in page.text and "尚未回复" in page.text
    assert "推荐洽谈对象" not in page.text, "partners only after accepting"
    # Accept with two slots, a cap and a language; decline on another link.
    done = client.post(
        e1,
        data={
            "csrf": csrf(page.text),
            "accept": "yes",
            "slot": ["1", "2"],
            "max_meetings": "2",
            "languages": "英语",
            "looking_for": "焊点虚焊检测",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(e1, headers=HTML)
    assert "已接受邀请" in page.text and 'value="焊点虚焊检测"' not in page.text
    assert "焊点虚焊检测</textarea>" in page.text
    for link in (u1, u4):
        token = csrf(client.get(link, headers=HTML).text)
        client.post(link, data={"csrf": token, "accept": "yes"}, follow_redirects=False)
    page = client.get(e1, headers=HTML)
    assert "邕江科技大学" in page.text and "八桂信息工程大学" in page.text

    # E1 asks U1 for a meeting; U1 sees it on its page and accepts; it is a must-meet now.
    with session_scope() as s:
        ids = {
            p.organisation.external_id: p.id for p in service.get_event(s, event_id).participants
        }
    sent = client.post(
        f"{e1}/requests",
        data={"csrf": csrf(page.text), "to": str(ids["U1"]), "action": "request"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    u1_page = client.get(u1, headers=HTML).text
    assert "对方向您发出了会谈邀约" in u1_page
    request_id = re.search(r'name="request_id" value="(\d+)"', u1_page)
    assert request_id is not None
    client.post(
        f"{u1}/requests",
        data={"csrf": csrf(u1_page), "request_id": request_id.group(1), "action": "accept"},
        follow_redirects=False,
    )
    assert "对方已接受" in client.get(e1, headers=HTML).text

    with session_scope() as s:
        service.generate_plan(s, event_id, LexicalScorer(), time_limit=FAST)
        plan = service.current_plan(s, service.get_event(s, event_id))
        assert plan is not None
        mine = [m for m in plan.meetings if ids["E1"] in (m.a_id, m.b_id)]
        assert {m.slot for m in mine} <= {0, 1} and len(mine) <= 2
        assert any(ids["U1"] in (m.a_id, m.b_id) for m in mine), (
            plan.unmet,
            [(m.a_id, m.b_id, m.slot) for m in plan.meetings],
            ids,
        )
    page = client.get(e1, headers=HTML).text
    assert page.count('class="card agenda-row"') == len(mine)
    assert "双方已约定会谈" in page
    ics = client.get(f"{e1}/agenda.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(ics.content).walk("VEVENT")) == len(mine)

    # A broken link is a plain error page; a link cannot act for another event.
    broken = client.get(e1[:-3] + "abc", headers=HTML)
    assert broken.status_code == 400 and "链接无效" in broken.text
    refused = client.post(e1, data={"csrf": "wrong", "accept": "no"}, follow_redirects=False)
    assert refused.status_code == 400


def test_a_full_regenerate_asks_first_and_says_how_many_meetings_move(
    client: TestClient,
) -> None:
    from matchmaker.events.service import humane
    from matchmaker.store.auth import create_key

    with session_scope() as s:
        key = create_key(s, name="组织者", role="organiser")  # key 1: the test events' team
        orgs = seed(s)
        event, _ = make_event(s, orgs, slots=6, tables=3, max_meetings=4)
        humane.set_schedule_rules(s, event.id, placement="compact")
        service.generate_plan(s, event.id, LexicalScorer(), time_limit=FAST)
        humane.set_schedule_rules(s, event.id, max_back_to_back=1)
        event_id = event.id
    assert client.post("/login", data={"api_key": key}, follow_redirects=False).status_code == 303
    token = csrf(client.get(f"/events/{event_id}", headers=HTML).text)
    asked = client.post(
        f"/events/{event_id}/plan",
        data={"csrf": token, "mode": "generate"},
        headers=HTML,
        follow_redirects=False,
    )
    assert asked.status_code == 200 and "确认重新生成方案" in asked.text
    moved = re.search(r'data-moved="(\d+)"', asked.text)
    assert moved is not None and int(moved.group(1)) >= 1
    with session_scope() as s:
        assert service.current_plan(s, service.get_event(s, event_id)).version == 1  # type: ignore[union-attr]
    done = client.post(
        f"/events/{event_id}/plan",
        data={"csrf": csrf(asked.text), "mode": "generate", "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("/schedule")
    with session_scope() as s:
        plan = service.current_plan(s, service.get_event(s, event_id))
        assert plan is not None and plan.version == 2
        assert plan.changes["moved"] == int(moved.group(1))


def test_the_organiser_invites_by_fit_on_the_event_page_and_sees_the_answers(
    client: TestClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    from matchmaker.store.auth import create_key

    with session_scope() as s:
        key = create_key(s, name="组织者", role="organiser")  # key 1: the test events' team
        orgs = seed(s)
        event, _ = make_event(s, orgs, who=("E1",))
        event_id = event.id
    client.post("/login", data={"api_key": key}, follow_redirects=False)
    page = client.get(f"/events/{event_id}", headers=HTML).text
    assert "邀请与回复" in page and "共邀请 0 家" in page
    options = re.findall(r'<option value="(\d+)">(\d+) · ', page)
    fits = [int(f) for _, f in options]
    assert len(options) == 6 and fits == sorted(fits, reverse=True)  # E1 is already in
    bad = client.post(
        f"/events/{event_id}/invitations",
        data={"csrf": csrf(page), "organisation_id": options[0][0], "email": "nope"},
        follow_redirects=False,
    )
    assert bad.status_code == 303 and not smtp.handler.received
    done = client.post(
        f"/events/{event_id}/invitations",
        data={"csrf": csrf(page), "organisation_id": options[0][0], "email": "top@example.cn"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and len(smtp.handler.to("top@example.cn")) == 1
    page = client.get(f"/events/{event_id}", headers=HTML).text
    assert "共邀请 1 家：已接受 0，已谢绝 0，待回复 1" in page and "top@example.cn" in page
    left = re.findall(r'<option value="(\d+)">(\d+) · ', page)
    assert len(left) == 5 and options[0] not in left, "invited ones leave the list"
