"""`matchmaker events invite|invitations|remind|notify` against a real SMTP server: each invitee
gets one invitation, reminders go once when due, agendas go once after the plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.cli.common import UserError
from matchmaker.core.config import get_settings
from matchmaker.core.container import reset_container
from matchmaker.events import service
from matchmaker.events.service import rsvp
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.store.db import session_scope, upgrade
from tests.digest.conftest import SmtpServer
from tests.events.conftest import smtp as smtp  # noqa: F401 - the fixture
from tests.events.event_world import FAST, make_event, seed


@pytest.fixture
def mail_env(app_env: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:  # noqa: F811
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    get_settings.cache_clear()
    reset_container()
    yield app_env
    reset_container()


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["events", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_invite_remind_and_notify_from_the_command_line(mail_env: Path, smtp: SmtpServer) -> None:  # noqa: F811
    upgrade()
    with session_scope() as session:
        orgs = seed(session)
        event, _ = make_event(session, orgs, who=())
    out = run(
        "invite",
        "1",
        "--to",
        "E1=e1@example.cn",
        "--to",
        "U1=u1@example.cn",
        "--to",
        "漓江理工学院=u2@example.cn",
        "--deadline",
        "2027-01-20T18:00+08:00",
    )
    assert "已邀请 3 家机构" in out and "发送 3" in out
    assert len(smtp.handler.received) == 3
    bad = CliRunner().invoke(app, ["events", "invite", "1", "--to", "E2"])
    assert isinstance(bad.exception, UserError) and "机构=邮箱" in str(bad.exception)

    with session_scope() as session:
        for row in rsvp.invitations(session, 1)[:2]:
            rsvp.respond(session, row, rsvp.Answer(True))
    listing = run("invitations", "1")
    assert "已接受 2" in listing and "待回复 1" in listing

    assert "发送 1" in run("remind", "--now", "2027-01-19T12:00+08:00")
    assert "发送 0" in run("remind", "--now", "2027-01-19T13:00+08:00")
    with session_scope() as session:
        service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    smtp.handler.received.clear()
    out = run("notify", "1")
    assert "日程与变更 agendas and changes：发送 2" in out
    assert "发送 0" in run("notify", "1").split("日程与变更")[1]
    assert sorted(r.rcpt_tos[0] for r in smtp.handler.received) == [
        "e1@example.cn",
        "u1@example.cn",
    ]
