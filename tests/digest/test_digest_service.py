"""Subscription use cases on SQLite and PostgreSQL: who may change what, and what a link does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from matchmaker.core.config import get_settings
from matchmaker.core.errors import Conflict, Invalid, NotFound
from matchmaker.digest import service
from matchmaker.digest.subscriptions import SubscriptionData
from matchmaker.digest.tokens import TokenError, TokenExpired, make_token
from matchmaker.store.models import Park, utcnow


def secret() -> str:
    return get_settings().secret_key


def data(email: str = "self@example.cn", **values: object) -> SubscriptionData:
    return SubscriptionData(email=email, **{"keywords": ["稀土"], **values})  # type: ignore[arg-type]


def test_self_subscribe_never_rewrites_a_confirmed_subscription(session: Session) -> None:
    sub = service.subscribe_self(session, data())
    assert sub.status == "pending" and service.needs_confirmation(sub)
    sub.confirm_sent_at = utcnow()
    service.subscribe_self(session, data(keywords=["永磁"]))
    assert sub.keywords == ["永磁"], "a pending subscription takes the newer interests"
    assert not service.needs_confirmation(sub), "the confirmation went out less than an hour ago"
    sub.confirm_sent_at = utcnow() - dt.timedelta(hours=2)
    service.subscribe_self(session, data(keywords=["永磁"]))
    assert service.needs_confirmation(sub), "after an hour the confirmation is due again"
    service.confirm_by_link(session, make_token(secret(), "confirm", sub.id, sub.salt))
    service.subscribe_self(session, data(keywords=["广告"]))
    assert (sub.status, sub.keywords) == ("active", ["永磁"]), "anyone may post an address"


def test_organisers_add_change_and_delete(session: Session) -> None:
    park = Park(external_id="P1", name="南宁高新区", level="national", city="南宁")
    session.add(park)
    session.commit()
    sub = service.add_subscription(session, data("staff@example.cn"), confirmed=False)
    with pytest.raises(Conflict, match="已有订阅"):
        service.add_subscription(session, data("staff@example.cn"), confirmed=True)
    with pytest.raises(Invalid) as unknown_park:
        service.change_subscription(session, sub.id, {"parks": [park.id + 99]})
    assert [f.field for f in unknown_park.value.fields] == ["parks"]
    with pytest.raises(Conflict, match="尚未确认"):
        service.change_subscription(session, sub.id, {"status": "active", "frequency": "weekly"})
    assert (sub.status, sub.frequency) == ("pending", "daily"), "a refused change changes nothing"
    with pytest.raises(Invalid) as no_interest:
        service.change_subscription(session, sub.id, {"keywords": []})
    assert [f.field for f in no_interest.value.fields] == ["keywords"]
    changed = service.change_subscription(
        session, sub.id, {"parks": [park.id], "frequency": "weekly"}
    )
    assert (changed.parks, changed.frequency) == ([park.id], "weekly")
    total, rows = service.list_subscriptions(session, q="STAFF")
    assert total == 1 and rows[0].id == sub.id
    service.delete_subscription(session, sub.id)
    with pytest.raises(NotFound):
        service.get_subscription(session, sub.id)


def test_links_act_once_and_refuse_forgeries(session: Session) -> None:
    sub = service.add_subscription(session, data("a@example.cn"), confirmed=True)
    token = make_token(secret(), "unsubscribe", sub.id, sub.salt)
    assert service.unsubscribe_prompt(session, token).outcome == "ask-unsubscribe"
    assert sub.status == "active", "opening the page changes nothing"
    assert service.unsubscribe_by_link(session, token).outcome == "unsubscribed"
    assert service.unsubscribe_prompt(session, token).outcome == "already-unsubscribed"
    confirm = make_token(secret(), "confirm", sub.id, sub.salt)
    assert service.confirm_by_link(session, confirm).outcome == "cancelled"
    assert sub.status == "unsubscribed", "an old confirmation link does not resubscribe"
    with pytest.raises(TokenError):
        service.unsubscribe_by_link(session, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    old = make_token(
        secret(), "unsubscribe", sub.id, sub.salt, now=utcnow() - dt.timedelta(days=500)
    )
    with pytest.raises(TokenExpired):
        service.unsubscribe_by_link(session, old)
    with pytest.raises(NotFound):
        service.unsubscribe_by_link(session, make_token(secret(), "unsubscribe", sub.id + 50, "x"))
