"""Anonymous self-subscribe cannot be used to mail strangers: per client and per address limits
(429 with Retry-After and a problem document), confirmation e-mails under a daily cap per client,
counted at a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from matchmaker.core.config import Settings, get_settings
from tests.digest.conftest import SmtpServer


def _client(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[TestClient]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as client:
        yield client


def _body(address: str) -> dict[str, object]:
    return {"email": address, "name": "路人", "keywords": ["稀土"], "frequency": "weekly"}


def test_twenty_strangers_addresses_from_one_client_get_five_confirmations(
    digest_env: Settings, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for client in _client(monkeypatch):
        answers = [
            client.post("/api/v1/digest/subscribe", json=_body(f"victim{i}@example.cn"))
            for i in range(20)
        ]
        codes = [a.status_code for a in answers]
        assert codes[:5] == [202] * 5 and set(codes[5:]) == {429}
        refused = answers[-1]
        assert int(refused.headers["retry-after"]) > 0
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["detail"].startswith("订阅请求过于频繁")
    assert len(smtp.handler.received) == 5, "no confirmation e-mail past the limit"


def test_one_address_is_not_mailed_again_and_again(
    digest_env: Settings, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for client in _client(monkeypatch, MATCHMAKER_LIMIT_SUBSCRIBE="100"):
        codes = [
            client.post("/api/v1/digest/subscribe", json=_body("same@example.cn")).status_code
            for _ in range(6)
        ]
        assert codes == [202, 202, 202, 429, 429, 429]
    assert len(smtp.handler.to("same@example.cn")) == 1, "one confirmation an hour at most"


def test_confirmation_e_mails_have_a_daily_cap_per_client(
    digest_env: Settings, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for client in _client(
        monkeypatch,
        MATCHMAKER_LIMIT_SUBSCRIBE="100",
        MATCHMAKER_LIMIT_CONFIRMATIONS_PER_DAY="3",
    ):
        codes = [
            client.post("/api/v1/digest/subscribe", json=_body(f"p{i}@example.cn")).status_code
            for i in range(5)
        ]
        assert codes == [202, 202, 202, 429, 429]
        assert (
            "确认邮件已达上限"
            in client.post("/api/v1/digest/subscribe", json=_body("late@example.cn")).json()[
                "detail"
            ]
        )
    assert len(smtp.handler.received) == 3
