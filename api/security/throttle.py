"""Abuse limits of the public and cheap-to-call endpoints: which attempts are counted, per what
(client address, e-mail address), how many per window, and the 429 answer (problem+json for API
clients, an HTML page for people, `Retry-After` on both). The counters are a `Limiter`
(`matchmaker.core.ratelimit`): this process's memory, or Redis when configured.

| rule | counted | per | default |
|---|---|---|---|
| login | failed page logins (key or password) | client address | 10 / 15 min |
| login-account | failed password logins | account (e-mail address) | 5 / 15 min |
| signup | account sign-ups | client address | 5 / hour |
| account-mail | verification and reset e-mails asked for | e-mail address | 3 / hour |
| account-mail-client | verification and reset e-mails asked for | client address | 10 / hour |
| apikey | requests with a wrong API key | client address | 20 / 5 min |
| search | searches (API and page) | client address | 120 / min |
| subscribe | self-subscribe requests | client address | 5 / hour |
| subscribe-address | self-subscribe requests | e-mail address | 3 / hour |
| confirmations | confirmation e-mails sent | client address | 20 / day |

A confirmation e-mail also goes to one address at most once an hour (`digest.service`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from matchmaker.core.config import Settings
from matchmaker.core.ratelimit import Limiter, Verdict, make_limiter

log = logging.getLogger("matchmaker.security")
MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True)
class Rule:
    """One limit: its name, how many attempts per window (seconds), and what the refusal says."""

    name: str
    limit: int
    window: int
    zh: str
    en: str

    def message(self, wait: int) -> str:
        """The refusal, Chinese first, with the seconds to wait."""
        return f"{self.zh}，请 {wait} 秒后再试 / {self.en}, try again in {wait} s"


def rules(settings: Settings) -> dict[str, Rule]:
    """Every limit, with the numbers the settings give."""
    found = [
        Rule(
            "login",
            settings.limit_login_failures,
            15 * MINUTE,
            "登录失败次数过多",
            "too many failed logins",
        ),
        Rule(
            "login-account",
            settings.limit_account_login_failures,
            15 * MINUTE,
            "该账号登录失败次数过多，已暂时锁定",
            "too many failed logins for this account, it is locked for a while",
        ),
        Rule(
            "signup", settings.limit_signups_per_hour, HOUR, "注册请求过于频繁", "too many sign-ups"
        ),
        Rule(
            "account-mail",
            3,
            HOUR,
            "发往该邮箱的邮件请求过于频繁",
            "too many e-mails asked for this address",
        ),
        Rule(
            "account-mail-client",
            settings.limit_account_mails_per_hour,
            HOUR,
            "邮件请求过于频繁",
            "too many e-mails asked for",
        ),
        Rule(
            "apikey",
            settings.limit_key_failures,
            5 * MINUTE,
            "无效 API 密钥的请求过多",
            "too many requests with a wrong API key",
        ),
        Rule(
            "search",
            settings.limit_search_per_minute,
            MINUTE,
            "检索请求过于频繁",
            "too many searches",
        ),
        Rule(
            "subscribe",
            settings.limit_subscribe_per_hour,
            HOUR,
            "订阅请求过于频繁",
            "too many subscription requests",
        ),
        Rule(
            "subscribe-address",
            3,
            HOUR,
            "该邮箱的订阅请求过于频繁",
            "too many subscription requests for this address",
        ),
        Rule(
            "confirmations",
            settings.limit_confirmations_per_day,
            DAY,
            "今日发送的确认邮件已达上限",
            "the daily cap of confirmation e-mails is reached",
        ),
    ]
    return {rule.name: rule for rule in found}


class Throttled(Exception):
    """A limit was reached: answered with 429, `Retry-After` and the rule's message."""

    def __init__(self, rule: Rule, verdict: Verdict) -> None:
        super().__init__(rule.message(verdict.retry_after))
        self.rule = rule
        self.retry_after = verdict.retry_after
        self.detail = rule.message(verdict.retry_after)

    @property
    def headers(self) -> dict[str, str]:
        """The Retry-After header of the answer."""
        return {"Retry-After": str(self.retry_after)}


class Throttle:
    """The app's limits over one limiter; every refusal is logged."""

    def __init__(self, limiter: Limiter, settings: Settings) -> None:
        self.limiter = limiter
        self.rules = rules(settings)

    def hit(self, name: str, who: str) -> None:
        """Count an attempt; Throttled when it is over the limit."""
        rule = self.rules[name]
        verdict = self.limiter.hit(f"{name}:{who}", rule.limit, rule.window)
        if not verdict.allowed:
            self._refuse(rule, who, verdict)

    def check(self, name: str, who: str) -> None:
        """Throttled when the limit is already reached (counts nothing: for failures counted later)."""
        rule = self.rules[name]
        verdict = self.limiter.peek(f"{name}:{who}", rule.limit, rule.window)
        if not verdict.allowed:
            self._refuse(rule, who, verdict)

    def failed(self, name: str, who: str) -> None:
        """Count a failure (a wrong key, a wrong login); Throttled when that one was too many."""
        self.hit(name, who)

    def forget(self, name: str, who: str) -> None:
        """Clear a count (a successful login ends the run of failures)."""
        self.limiter.reset(f"{name}:{who}")

    def _refuse(self, rule: Rule, who: str, verdict: Verdict) -> None:
        log.warning(
            "throttled %s for %s: %d attempts (limit %d per %d s), retry after %d s",
            rule.name,
            who,
            verdict.count,
            rule.limit,
            rule.window,
            verdict.retry_after,
        )
        raise Throttled(rule, verdict)


def make_throttle(settings: Settings) -> Throttle:
    """The app's throttle with the limiter the settings ask for."""
    return Throttle(make_limiter(settings), settings)


def throttle_of(request: Request) -> Throttle:
    """The running app's throttle."""
    found: Throttle = request.app.state.throttle
    return found


def client_address(request: Request) -> str:
    """Who is calling, as far as limits go: the peer address (the real client's behind a trusted
    proxy, see MATCHMAKER_TRUSTED_PROXIES)."""
    return request.client.host if request.client is not None else "unknown"


def search_quota(request: Request) -> None:
    """Dependency of the search API and page: count one search for the client (a page without
    a query is no search)."""
    if request.query_params.get("q", "").strip():
        throttle_of(request).hit("search", client_address(request))
