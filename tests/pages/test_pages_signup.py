"""Browser test (headless Chromium) of the two-sided platform, as people do it: sign up → click
the e-mailed link → log in → request an organisation → staff approve → draft a need → submit →
staff publish → a visitor finds it by searching → another firm's member asks for an
introduction → the owner accepts → the contacts show to both sides and to no one else."""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from pages_helpers import (  # noqa: E402
    accessibility_problems,
    click_and_wait,
    csp_violations,
    login,
    shoot,
    wait_css,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

EMAIL = "chen@lzwind.example.cn"
PASSWORD = "柳江风电-导管架-2026"
ORG = "柳州测试海工装备有限公司"
TITLE = "海上风电导管架焊缝水下检测"
PHONE = "0772-5556789"
ASKER = "lin@shocean.example.cn"
DESCRIPTION = (
    "导管架水下焊缝靠潜水员目视检查，效率低且有安全风险，希望用水下机器人和超声相控阵自动检测裂纹。"
)


def mails_to(server: Any, address: str, count: int = 1, timeout: float = 30.0) -> list[Any]:
    """The e-mails the live server sent to an address, once there are `count` (it sends after
    answering the request)."""
    deadline = time.monotonic() + timeout
    while len(found := server.mail.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return [r.message for r in found]


def mailed_link(server: Any, address: str, path: str) -> str:
    """The last link to `path` mailed to an address."""
    messages = mails_to(server, address)
    assert messages, f"no e-mail to {address}"
    body = messages[-1].get_body(("plain",)).get_content()
    found = re.findall(rf"https?://\S+{re.escape(path)}\?token=\S+", body)
    assert found, f"no {path} link in the e-mail to {address}"
    return str(found[-1])


def fill(driver: Any, selector: str, value: str) -> None:
    """Type into a field like a person (after clearing it)."""
    field = wait_css(driver, selector)
    field.clear()
    field.send_keys(value)


def submit(driver: Any, selector: str) -> None:
    """Click a form's button and wait for the next page."""
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, selector))


def password_login(driver: Any, base: str, email: str = EMAIL) -> None:
    """Log in with e-mail and password."""
    driver.delete_all_cookies()
    driver.get(base + "/login")
    fill(driver, "#email", email)
    fill(driver, "#password", PASSWORD)
    submit(driver, "#password-login button[type=submit]")


def sign_up_with_organisation(driver: Any, server: Any, email: str, name: str, org: str) -> None:
    """Sign up, verify, log in and request an organisation (left for staff to approve)."""
    driver.delete_all_cookies()
    driver.get(server.url + "/signup")
    fill(driver, "#email", email)
    fill(driver, "#name", name)
    fill(driver, "#password", PASSWORD)
    fill(driver, "#password2", PASSWORD)
    submit(driver, "#signup-form button[type=submit]")
    driver.get(mailed_link(server, email, "/account/verify"))
    assert "邮箱已验证" in wait_css(driver, "h1").text
    password_login(driver, server.url, email)
    fill(driver, "#org-name", org)
    Select(driver.find_element(By.ID, "org-kind")).select_by_value("university")
    fill(driver, "#org-province", "上海")
    submit(driver, "#org-request-form button[type=submit]")


def approve_all(driver: Any, server: Any) -> None:
    """An admin approves every organisation waiting on the review page."""
    driver.delete_all_cookies()
    login(driver, server.url, server.keys["admin"], "/review")
    while driver.find_elements(By.CSS_SELECTOR, "#org-requests li button[value=approve]"):
        submit(driver, "#org-requests li button[value=approve]")


def test_sign_up_verify_log_in_and_publish_a_need(browser: Any, live_server: Any) -> None:
    base = live_server.url
    browser.get(base + "/")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a.signup-link"))
    fill(browser, "#email", EMAIL)
    fill(browser, "#name", "陈工")
    fill(browser, "#password", PASSWORD)
    fill(browser, "#password2", PASSWORD)
    submit(browser, "#signup-form button[type=submit]")
    assert "请查收验证邮件" in browser.find_element(By.TAG_NAME, "h1").text
    shoot(browser, "signup-sent")

    browser.get(mailed_link(live_server, EMAIL, "/account/verify"))
    assert "邮箱已验证" in wait_css(browser, "h1").text
    password_login(browser, base)
    assert "/account" in browser.current_url
    assert "尚未加入机构" in wait_css(browser, "#account-org").text

    fill(browser, "#org-name", ORG)
    Select(browser.find_element(By.ID, "org-kind")).select_by_value("enterprise")
    fill(browser, "#org-city", "柳州")
    Select(browser.find_element(By.ID, "org-park")).select_by_index(1)
    submit(browser, "#org-request-form button[type=submit]")
    assert "等待园区工作人员审批" in wait_css(browser, "#account-org").text
    shoot(browser, "account-requested")

    browser.delete_all_cookies()
    login(browser, base, live_server.keys["admin"], "/review")
    card = wait_css(browser, "#org-requests li")
    assert ORG in card.text and EMAIL in card.text
    submit(browser, "#org-requests li button[value=approve]")
    assert ORG not in browser.find_element(By.ID, "main").text.replace("已批准机构“" + ORG, "")

    password_login(browser, base)
    assert "机构管理员" in wait_css(browser, "#account-role").text
    submit(browser, "#to-my-items")
    submit(browser, "#new-need")
    fill(browser, "#f-description", DESCRIPTION)
    fill(browser, "#f-min_trl", "十")
    submit(browser, "#save-draft")
    problems = wait_css(browser, "#form-error").text
    assert "需求名称：必填字段为空" in problems and "最低成熟度" in problems
    assert browser.find_element(By.ID, "f-description").get_attribute("value") == DESCRIPTION
    fill(browser, "#f-title", TITLE)
    fill(browser, "#f-min_trl", "5")
    fill(browser, "#f-keywords", "导管架、水下焊缝、相控阵")
    fill(browser, "#f-contact_phone", PHONE)
    submit(browser, "#save-draft")
    row = wait_css(browser, "#my-items tbody tr")
    assert TITLE in row.text and "草稿" in row.text
    submit(browser, "#my-items tbody tr button")
    assert "待审核" in wait_css(browser, "#my-items tbody tr").text
    shoot(browser, "my-items-pending")
    assert not accessibility_problems(browser)

    browser.delete_all_cookies()
    login(browser, base, live_server.keys["admin"], "/review")
    item = wait_css(browser, "#review-items li")
    assert TITLE in item.text
    click_and_wait(browser, item.find_element(By.CSS_SELECTOR, "button[value=publish]"))
    assert "现在可以被检索和推荐" in wait_css(browser, ".flash").text

    browser.delete_all_cookies()
    browser.get(base + "/?kind=need&q=" + urllib.parse.quote("导管架水下焊缝裂纹检测"))
    first = wait_css(browser, "ol.results > li.result")
    assert "导管架" in first.text and ORG in first.text
    shoot(browser, "published-need-found")
    assert not csp_violations(browser)
    need_url = first.find_element(By.CSS_SELECTOR, "a[href^='/items/need/']").get_attribute("href")
    assert PHONE not in browser.page_source

    sign_up_with_organisation(browser, live_server, ASKER, "林博士", "沪上测试海洋大学")
    approve_all(browser, live_server)
    password_login(browser, base, ASKER)
    browser.get(need_url)
    assert PHONE not in browser.page_source
    fill(browser, "#intro-message", "我们有水下机器人相控阵检测成果，希望交流。")
    submit(browser, "#ask-intro button[type=submit]")
    assert "对接请求已发出" in wait_css(browser, ".flash").text
    assert "新的对接请求" in str(mails_to(live_server, EMAIL, 3)[-1]["Subject"])

    password_login(browser, base, EMAIL)
    browser.get(base + "/my/introductions")
    request = wait_css(browser, "#intros-in li")
    assert "沪上测试海洋大学" in request.text and "相控阵检测成果" in request.text
    submit(browser, "#intros-in li button.primary")
    assert ASKER in wait_css(browser, "#intros-in li").text  # the owner sees who asked
    shoot(browser, "introduction-accepted-owner")

    password_login(browser, base, ASKER)
    browser.get(base + "/my/introductions")
    assert PHONE in wait_css(browser, "#intros-out li").text  # the asker sees the contact
    browser.get(need_url)
    assert PHONE not in browser.page_source  # only on the introductions page, for the two sides
    browser.delete_all_cookies()
    browser.get(need_url)
    assert PHONE not in browser.page_source
    assert not csp_violations(browser)
