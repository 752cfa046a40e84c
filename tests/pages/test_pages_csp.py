"""The pages keep their strict Content-Security-Policy in a real browser: no inline script, style
or handler is refused (Chromium's console reports every violation), as a visitor and as the
organiser who creates an event, plans it and opens the schedule."""

from __future__ import annotations

import os
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from pages_helpers import click_and_wait, csp_violations, login, wait_css  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def _visit(browser: Any, url: str) -> list[str]:
    browser.get(url)
    wait_css(browser, "body")
    return csp_violations(browser)


def test_public_pages_raise_no_csp_violation(browser: Any, live_server: Any) -> None:
    csp_violations(browser)  # forget what came before
    base = live_server.url
    seen: dict[str, list[str]] = {}
    for path in (
        "/",
        "/?q=划痕检测",
        "/parks",
        "/parks/1",
        "/login",
        f"/items/need/{live_server.ids['need']}",
    ):
        seen[path] = _visit(browser, base + path)
    seen["digest link page"] = _visit(browser, base + "/api/v1/digest/confirm?token=bad")
    header = browser.execute_script(
        "return fetch('/').then(r => r.headers.get('content-security-policy'))"
    )
    assert "script-src 'self'" in header and "frame-ancestors 'none'" in header
    assert {p: v for p, v in seen.items() if v} == {}
    # The detector works: an inline script added to the page is refused and reported.
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        "document.body.appendChild(s);"
    )
    assert csp_violations(browser), "the browser reports a refused inline script"
    assert browser.execute_script("return window.x === undefined")


def test_organiser_pages_raise_no_csp_violation(browser: Any, live_server: Any) -> None:
    login(browser, live_server.url, live_server.keys["organiser"], "/events")
    assert csp_violations(browser) == []
    click_and_wait(browser, wait_css(browser, "a[href='/events/new']"))
    wait_css(browser, "#name").send_keys("内容安全策略测试会")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.event-form button[type=submit]")
    )
    boxes = browser.find_elements(By.CSS_SELECTOR, "#invite-form input[type=checkbox]")
    for box in boxes[:4]:
        browser.execute_script("arguments[0].click()", box)
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "#invite-form button[type=submit]")
    )
    click_and_wait(browser, wait_css(browser, "#generate"))
    wait_css(browser, "#schedule-grid")
    assert csp_violations(browser) == [], "event set-up, invitations, planning, schedule"
