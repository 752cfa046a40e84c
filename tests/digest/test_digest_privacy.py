"""Digests never carry contact details: a subscriber hears of a need with its title, reasons and
link, but the need's contact name, phone and e-mail stay on the platform (shown only to roles that
may see them, or to the two sides of an accepted introduction)."""

from __future__ import annotations

from sqlalchemy import Engine

from matchmaker.core.config import Settings
from matchmaker.digest.job import run_digest
from matchmaker.store.db import session_scope
from matchmaker.store.models import Need
from tests.digest.conftest import SmtpServer, build_world, subscribe, titles

PHONE = "0772-5550321"
EMAIL = "secret.contact@lidar-need.example.cn"


def test_a_digest_names_the_need_but_never_its_contact(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    world = build_world(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        need = s.get(Need, world.ids["N-lidar"])
        assert need is not None
        need.contact_name, need.contact_phone, need.contact_email = "赵工", PHONE, EMAIL
    subscribe(sqlite_engine, "lidar@example.cn", role="researcher", keywords=["激光雷达"])
    report = run_digest(digest_env, engine=sqlite_engine)
    assert report.sent == 1
    received = smtp.handler.to("lidar@example.cn")[0]
    assert "无人配送车雨天误检急停" in titles(received)  # the need is in the digest
    whole = received.message.as_string() + titles(received)
    html = received.message.get_body(("html",))
    assert html is not None
    whole += str(html.get_content())
    for secret in (PHONE, EMAIL, "赵工"):
        assert secret not in whole, secret
