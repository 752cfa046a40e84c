"""The red team's findings over the API and the pages, each as a test: security headers, guessing
keys and logins (throttled, logged), forms posted from another site, what is public, body limits
by Content-Length, and production refusing a weak secret key."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matchmaker.core.config import (
    DEFAULT_SECRET,
    InsecureSettings,
    Settings,
    check_settings,
    get_settings,
)
from tests.api.conftest import Api, seed_world

HTML = {"Accept": "text/html"}
STRONG = "x" * 48


def _app_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> TestClient:
    """A fresh app (lifespan not run) with extra settings from the environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    from api.main import create_app

    return TestClient(create_app())


# ---- security headers ------------------------------------------------------------------------
def test_every_response_carries_the_security_headers(api: Api) -> None:
    for path, headers in (
        ("/", HTML),
        ("/parks", HTML),
        ("/login", HTML),
        ("/api/v1/parks", api.as_("reader")),
        ("/api/v1/nothing-here", {}),
        ("/static/app.css", {}),
    ):
        got = api.client.get(path, headers=headers)
        policy = got.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert got.headers["x-frame-options"] == "DENY", path
        assert got.headers["x-content-type-options"] == "nosniff", path
        assert got.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "strict-transport-security" not in got.headers, "plain HTTP: no HSTS"
    docs = api.client.get("/docs")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_hsts_over_https_and_from_trusted_proxies_only(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_world()
    https = TestClient(_app_with(monkeypatch).app, base_url="https://testserver")
    assert "max-age=" in https.get("/health").headers["strict-transport-security"]
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusted = _app_with(monkeypatch)
    assert "strict-transport-security" not in untrusted.get("/health", headers=forwarded).headers
    trusted = _app_with(monkeypatch, MATCHMAKER_TRUSTED_PROXIES="testclient")
    assert (
        "max-age=" in trusted.get("/health", headers=forwarded).headers["strict-transport-security"]
    )


def test_printable_files_get_a_sandboxed_policy_of_their_own() -> None:
    from starlette.datastructures import MutableHeaders

    from api.security.headers import is_document

    svg = MutableHeaders({"content-type": "image/svg+xml"})
    page = MutableHeaders({"content-type": "text/html; charset=utf-8"})
    agenda = MutableHeaders({"content-type": "text/html", "content-disposition": "inline"})
    assert is_document(svg) and is_document(agenda) and not is_document(page)


# ---- guessing keys and logins ----------------------------------------------------------------
def test_wrong_api_keys_are_throttled_with_retry_after_and_logged(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="matchmaker.security")
    answers = [
        api.client.get("/api/v1/parks", headers={"X-API-Key": f"mm_guess{i}"}) for i in range(200)
    ]
    codes = [a.status_code for a in answers]
    assert codes[:20] == [401] * 20
    assert set(codes[20:]) == {429}, "after 20 wrong keys the client is refused"
    last = answers[-1]
    assert int(last.headers["retry-after"]) > 0
    assert last.headers["content-type"].startswith("application/problem+json")
    body = last.json()
    assert body["status"] == 429 and body["detail"].startswith("无效 API 密钥的请求过多")
    assert "try again in" in body["detail"]
    valid = api.client.get("/api/v1/parks", headers=api.as_("reader"))
    assert valid.status_code == 429, "a blocked client is blocked whatever key it sends"
    assert any("throttled apikey" in r.getMessage() for r in caplog.records)


def test_wrong_page_logins_are_throttled_with_a_clear_message(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="matchmaker.security")
    codes = []
    for i in range(200):
        got = api.client.post("/login", data={"api_key": f"mm_wrong{i}", "next": "/"})
        codes.append(got.status_code)
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
    assert "登录失败次数过多" in got.text and int(got.headers["retry-after"]) > 0
    assert got.headers["content-type"].startswith("text/html")
    refused = api.client.post("/login", data={"api_key": api.keys["reader"], "next": "/"})
    assert refused.status_code == 429, "the right key does not reopen a blocked client"
    assert sum("throttled login" in r.getMessage() for r in caplog.records) >= 190


# ---- forms from another site -----------------------------------------------------------------
def _login(api: Api, role: str) -> str:
    """Log in through the page and return the session's CSRF token."""
    api.client.cookies.clear()
    done = api.client.post("/login", data={"api_key": api.keys[role]}, follow_redirects=False)
    assert done.status_code == 303
    page = api.client.get("/events", headers=HTML).text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_form_from_another_origin_is_refused_despite_a_valid_token(api: Api) -> None:
    csrf = _login(api, "organiser")
    for foreign in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ):
        got = api.client.post(
            "/logout", data={"csrf": csrf}, headers={**HTML, **foreign}, follow_redirects=False
        )
        assert got.status_code == 403, foreign
        assert "请求来自其他网站" in got.text
    for ours in ({"Origin": "http://testserver"}, {"Referer": "http://testserver/events"}, {}):
        csrf = _login(api, "organiser")
        got = api.client.post("/logout", data={"csrf": csrf}, headers=ours, follow_redirects=False)
        assert got.status_code == 303, ours
    assert (
        api.client.post(
            "/login",
            data={"api_key": api.keys["reader"]},
            headers={"Origin": "https://evil.example"},
        ).status_code
        == 403
    ), "login forms too (login CSRF)"


# ---- what is public --------------------------------------------------------------------------
def test_public_counts_leave_drafts_out(api: Api) -> None:
    from matchmaker.store.db import session_scope
    from matchmaker.store.models import Need

    before = api.client.get("/api/v1/stats").json()
    with session_scope() as session:
        need = session.get(Need, api.ids["other_need"])
        assert need is not None
        need.status = "draft"
    after = api.client.get("/api/v1/stats")
    assert after.status_code == 200, "the counts are public (see docs/api.md)"
    assert after.json()["needs"] == before["needs"] - 1


# ---- body size by Content-Length (streamed bodies: test_body_stream.py) ------------------------
def test_a_declared_oversized_body_is_refused_before_reading(api: Api) -> None:
    got = api.client.post(
        "/api/v1/digest/subscribe",
        content=b"{}",
        headers={"Content-Length": str(5 * 1024 * 1024), "Content-Type": "application/json"},
    )
    assert got.status_code == 413
    assert got.json()["title"].startswith("请求过大")


# ---- the secret key ----------------------------------------------------------------------------
@pytest.mark.parametrize("secret", [DEFAULT_SECRET, "short-secret"])
def test_production_refuses_a_default_or_short_secret(secret: str) -> None:
    weak = Settings(MATCHMAKER_ENV="production", MATCHMAKER_SECRET_KEY=secret)
    with pytest.raises(InsecureSettings, match="MATCHMAKER_SECRET_KEY") as refused:
        check_settings(weak)
    assert "secrets.token_urlsafe" in str(refused.value), "the message says how to set one"
    check_settings(Settings(MATCHMAKER_ENV="development", MATCHMAKER_SECRET_KEY=secret))
    check_settings(Settings(MATCHMAKER_ENV="production", MATCHMAKER_SECRET_KEY=STRONG))


def test_production_is_the_default_and_the_app_will_not_start_with_the_default_secret(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATCHMAKER_ENV")
    monkeypatch.delenv("MATCHMAKER_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    assert get_settings().env == "production"
    from api.main import create_app

    with pytest.raises(InsecureSettings):
        create_app()
    monkeypatch.setenv("MATCHMAKER_SECRET_KEY", STRONG)
    get_settings.cache_clear()
    assert create_app() is not None


def test_serve_refuses_to_start_in_production_with_the_default_secret(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from matchmaker.cli import app as cli_app

    monkeypatch.setenv("MATCHMAKER_ENV", "production")
    monkeypatch.delenv("MATCHMAKER_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2
    assert "拒绝启动" in result.output and "MATCHMAKER_ENV=development" in result.output


def test_two_server_processes_share_their_counts_in_redis(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core.test_ratelimit import REDIS_URL, redis_limiter

    redis_limiter().reset("apikey:testclient")
    seed_world()
    env = {"MATCHMAKER_RATE_LIMIT_REDIS_URL": REDIS_URL, "MATCHMAKER_LIMIT_KEY_FAILURES": "4"}
    first, second = _app_with(monkeypatch, **env), _app_with(monkeypatch, **env)
    wrong = {"X-API-Key": "mm_wrong"}
    codes = [app.get("/api/v1/parks", headers=wrong).status_code for app in (first, second) * 3]
    assert codes == [401, 401, 401, 401, 429, 429], "the second process knows the first's count"
    redis_limiter().reset("apikey:testclient")
