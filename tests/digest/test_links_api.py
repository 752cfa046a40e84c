"""The links in the e-mails, clicked through the real API: unsubscribe, not relevant, confirm;
plus subscription management for organisers. Bad links get a 4xx problem document, never 500."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from matchmaker.core.config import Settings
from matchmaker.digest.job import run_digest
from matchmaker.digest.models import NotRelevant
from matchmaker.digest.tokens import make_token
from matchmaker.store.auth import create_key
from matchmaker.store.db import get_engine, session_scope
from matchmaker.store.models import Need, utcnow
from tests.digest.conftest import (
    PUBLIC_URL,
    SmtpServer,
    build_world,
    subscribe,
    subscription,
    titles,
)


@pytest.fixture
def client(digest_env: Settings) -> Iterator[TestClient]:
    from api.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def engine_(digest_env: Settings, client: TestClient) -> Engine:
    """The app's own database (migrated by the app's start-up)."""
    return get_engine()


def path_of(url: str) -> str:
    """The part of a link the test client requests."""
    assert url.startswith(PUBLIC_URL)
    return url[len(PUBLIC_URL) :]


def links(text: str, action: str) -> list[str]:
    """Every signed link of one action in a plain-text body."""
    return re.findall(rf"{PUBLIC_URL}/api/v1/digest/{action}\?token=\S+", text)


def test_unsubscribe_page_then_one_click_post_and_the_next_run_skips_them(
    client: TestClient, engine_: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(engine_)
    subscribe(engine_, "lidar@example.cn", role="researcher", keywords=["激光雷达"])
    now = utcnow()
    run_digest(digest_env, engine=engine_, now=now)
    mail = smtp.handler.to("lidar@example.cn")[0]
    header_url = mail.message["List-Unsubscribe"].split(">")[0].lstrip("<")
    assert links(titles(mail), "unsubscribe") == [header_url]

    page = client.get(path_of(header_url))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "确认退订" in page.text and 'method="post"' in page.text
    assert subscription(engine_, "lidar@example.cn").status == "active", "GET changes nothing"

    one_click = client.post(path_of(header_url), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "已退订" in one_click.text
    assert subscription(engine_, "lidar@example.cn").status == "unsubscribed"
    assert client.post(path_of(header_url)).status_code == 200, "a second click is harmless"

    with session_scope(engine_) as s:  # something new the next day would have matched
        s.add(_repost(s, "N-new", "园区激光雷达标定服务需求", now + dt.timedelta(hours=1)))
    run_digest(digest_env, engine=engine_, now=now + dt.timedelta(days=1))
    assert len(smtp.handler.to("lidar@example.cn")) == 1, "no e-mail after unsubscribing"


def _repost(
    session: object, external_id: str, title: str, at: dt.datetime, like: str = "N1"
) -> Need:
    """A need written like an existing one (a re-post), stamped at `at`."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    original = session.scalars(select(Need).where(Need.external_id == like)).one()
    need = Need(
        external_id=external_id,
        title=title,
        description=original.description,
        keywords=list(original.keywords),
        industries=list(original.industries),
        enterprise_id=original.enterprise_id,
        park_id=original.park_id,
        created_at=at,
        updated_at=at,
    )
    need.refresh_hash()
    return need


def test_not_relevant_is_recorded_and_the_next_digest_leaves_out_its_repost(
    client: TestClient, engine_: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    world = build_world(engine_)
    subscribe(engine_, "a@example.cn", role="researcher", keywords=["激光雷达"])
    subscribe(engine_, "b@example.cn", role="researcher", keywords=["激光雷达"])
    now = utcnow()
    run_digest(digest_env, engine=engine_, now=now)
    text = titles(smtp.handler.to("a@example.cn")[0])
    url = next(u for u in links(text, "not-relevant") if f".n.{world.ids['N-lidar']}." in u)
    answer = client.get(path_of(url))
    assert (
        answer.status_code == 200
        and "不相关" in answer.text
        and "无人配送车雨天误检急停" in answer.text
    )
    assert client.get(path_of(url)).status_code == 200, "clicking twice is harmless"
    with session_scope(engine_) as s:
        marks = s.scalars(select(NotRelevant.item_id)).all()
        assert marks == [world.ids["N-lidar"]]
        s.add(
            _repost(
                s, "N1-again", "无人配送车雨天误检急停（重新发布）", now + dt.timedelta(hours=1)
            )
        )
    run_digest(digest_env, engine=engine_, now=now + dt.timedelta(days=1))
    assert len(smtp.handler.to("a@example.cn")) == 1, (
        "the re-post of what A rejected is not sent to A"
    )
    assert "（重新发布）" in titles(smtp.handler.to("b@example.cn")[1]), (
        "B, who did not reject it, gets it"
    )


def test_self_subscribe_confirm_by_link_then_digests_start(
    client: TestClient, engine_: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(engine_)
    body = {"email": "Self@Example.cn", "name": "赵工", "keywords": ["稀土"], "frequency": "weekly"}
    answer = client.post("/api/v1/digest/subscribe", json=body)
    assert answer.status_code == 202
    assert subscription(engine_, "self@example.cn").status == "pending"
    run_digest(digest_env, engine=engine_)
    assert [m.message["Subject"] for m in smtp.handler.to("self@example.cn")] == [
        "请确认订阅园校企对接推送 / please confirm your subscription"
    ], "before confirming: only the confirmation, no digest"

    confirm = links(titles(smtp.handler.to("self@example.cn")[0]), "confirm")[0]
    page = client.get(path_of(confirm))
    assert page.status_code == 200 and "订阅已确认" in page.text
    assert subscription(engine_, "self@example.cn").status == "active"
    run_digest(digest_env, engine=engine_)
    digest = smtp.handler.to("self@example.cn")[-1]
    assert "周" in digest.message["Subject"] and "钕铁硼磁体晶界扩散重稀土减量技术" in titles(
        digest
    )

    again = client.post("/api/v1/digest/subscribe", json={**body, "keywords": ["锂电池"]})
    assert again.status_code == 202
    assert subscription(engine_, "self@example.cn").keywords == ["稀土"], (
        "an anonymous request cannot change an active subscription"
    )


def test_bad_links_answer_4xx_problem_json(
    client: TestClient, engine_: Engine, digest_env: Settings
) -> None:
    sub_id = subscribe(engine_, "t@example.cn", keywords=["稀土"])
    salt = subscription(engine_, "t@example.cn").salt
    good = make_token(digest_env.secret_key, "unsubscribe", sub_id, salt)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_id = make_token(digest_env.secret_key, "unsubscribe", sub_id, salt).replace(
        f"u.{sub_id}.", "u.999."
    )
    expired = make_token(
        digest_env.secret_key, "unsubscribe", sub_id, salt, now=utcnow() - dt.timedelta(days=500)
    )
    cases = [
        ("/api/v1/digest/unsubscribe", tampered, 400),
        ("/api/v1/digest/unsubscribe", "garbage", 400),
        ("/api/v1/digest/unsubscribe", expired, 410),
        ("/api/v1/digest/unsubscribe", other_id, 404),
        ("/api/v1/digest/confirm", good, 400),  # an unsubscribe token cannot confirm
        ("/api/v1/digest/not-relevant", good, 400),
    ]
    for path, token, status in cases:
        for method in ("GET", "POST") if path.endswith("unsubscribe") else ("GET",):
            answer = client.request(method, path, params={"token": token})
            assert answer.status_code == status, (method, path, token, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["status"] == status
    forged = make_token("another-secret", "unsubscribe", sub_id, salt)
    assert client.post("/api/v1/digest/unsubscribe", params={"token": forged}).status_code == 400
    assert subscription(engine_, "t@example.cn").status == "active"


def test_organisers_manage_subscriptions(
    client: TestClient, engine_: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    with session_scope(engine_) as s:
        organiser = {"X-API-Key": create_key(s, name="o", role="organiser")}
        reader = {"X-API-Key": create_key(s, name="r", role="reader")}
    body = {
        "email": "park.staff@example.cn",
        "name": "园区小陈",
        "role": "park",
        "industries": ["智能网联汽车"],
        "keywords": ["激光雷达"],
        "max_items": 5,
    }
    assert client.post("/api/v1/subscriptions", json=body, headers=reader).status_code == 403
    created = client.post("/api/v1/subscriptions", json=body, headers=organiser)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["status"] == "pending" and sub["industries"] == ["icv"]
    assert len(smtp.handler.to("park.staff@example.cn")) == 1, "the confirmation went out"
    assert client.post("/api/v1/subscriptions", json=body, headers=organiser).status_code == 409
    no_interest = {"email": "x@example.cn"}
    assert (
        client.post("/api/v1/subscriptions", json=no_interest, headers=organiser).status_code == 422
    )
    unknown_park = {**body, "email": "y@example.cn", "parks": [424242]}
    assert (
        client.post("/api/v1/subscriptions", json=unknown_park, headers=organiser).status_code
        == 422
    )

    url = f"/api/v1/subscriptions/{sub['id']}"
    assert client.patch(url, json={"status": "active"}, headers=organiser).status_code == 409, (
        "an unconfirmed address cannot be switched on by hand"
    )
    changed = client.patch(
        url, json={"frequency": "weekly", "keywords": ["毫米波雷达"]}, headers=organiser
    )
    assert changed.status_code == 200 and changed.json()["frequency"] == "weekly"
    listed = client.get("/api/v1/subscriptions", params={"status": "pending"}, headers=organiser)
    assert listed.json()["total"] == 1 and listed.json()["items"][0]["keywords"] == ["毫米波雷达"]
    consented = client.post(
        "/api/v1/subscriptions",
        headers=organiser,
        json={**body, "email": "z@example.cn", "confirmed": True},
    )
    assert consented.json()["status"] == "active"
    assert client.delete(url, headers=organiser).status_code == 204
    assert client.get(url, headers=organiser).status_code == 404
