"""Browser tests of the organiser's pages: create an event, invite, plan, lock, re-plan, export;
and the phone-width layout of the main pages."""

from __future__ import annotations

import os
import urllib.request
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from pages_helpers import (  # noqa: E402
    accessibility_problems,
    click_and_wait,
    login,
    page_overflow,
    phone,
    shoot,
    wait_css,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

INVITED = 10


@pytest.fixture(scope="module")
def event_url(chrome: Any, live_server: Any) -> str:
    """An event created and filled through the pages by an organiser (once for this module)."""
    browser = chrome
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.delete_all_cookies()
    login(browser, live_server.url, live_server.keys["organiser"], "/events")
    click_and_wait(browser, wait_css(browser, "a[href='/events/new']"))
    wait_css(browser, "#name").send_keys("南宁人工智能园校企对接会")
    Select(browser.find_element(By.ID, "park_id")).select_by_visible_text("南宁高新区")
    browser.find_element(By.CSS_SELECTOR, "input[name=industries][value=ai-hardware]").click()
    tables = browser.find_element(By.ID, "tables")
    tables.clear()
    tables.send_keys("4")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.event-form button[type=submit]")
    )
    assert wait_css(browser, ".flash-ok")
    url = browser.current_url.split("#")[0]
    boxes = browser.find_elements(By.CSS_SELECTOR, "#invite-form input[type=checkbox]")
    assert len(boxes) >= INVITED
    for box in boxes[:INVITED]:
        browser.execute_script("arguments[0].click()", box)
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "#invite-form button[type=submit]")
    )
    assert "已添加" in wait_css(browser, ".flash-ok").text
    rows = browser.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
    assert len(rows) == INVITED
    assert accessibility_problems(browser) == []
    shoot(browser, "event-setup")
    return str(url)


def login_organiser(browser: Any, live_server: Any, path: str) -> None:
    login(browser, live_server.url, live_server.keys["organiser"], path)


def test_generate_and_view_the_schedule(browser: Any, live_server: Any, event_url: str) -> None:
    login_organiser(browser, live_server, event_url.replace(live_server.url, ""))
    click_and_wait(browser, wait_css(browser, "#generate"))
    assert "/schedule" in browser.current_url
    grid = wait_css(browser, "#schedule-grid")
    header = grid.find_elements(By.CSS_SELECTOR, "thead th")
    assert len(header) == 1 + 4, "slot column plus four tables"
    meetings = grid.find_elements(By.CSS_SELECTOR, "td.meeting")
    assert len(meetings) >= INVITED // 2
    assert "第 1 版" in browser.find_element(By.CSS_SELECTOR, ".plan-summary").text
    people = browser.find_elements(By.CSS_SELECTOR, ".people .person")
    assert len(people) == INVITED
    assert browser.find_elements(By.CSS_SELECTOR, ".people .agenda li")
    assert accessibility_problems(browser) == []
    shoot(browser, "schedule-grid")


def test_lock_a_meeting_and_replan_keeps_it(browser: Any, live_server: Any, event_url: str) -> None:
    login_organiser(browser, live_server, event_url.replace(live_server.url, "") + "/schedule")
    if not browser.find_elements(By.CSS_SELECTOR, "#schedule-grid"):
        browser.get(event_url)
        click_and_wait(browser, wait_css(browser, "#generate"))
    cell = wait_css(browser, "#schedule-grid td.meeting:not(.is-locked)")
    slot, table = cell.get_attribute("data-slot"), cell.get_attribute("data-table")
    parties = [p.text for p in cell.find_elements(By.CSS_SELECTOR, ".party")]
    click_and_wait(browser, cell.find_element(By.CSS_SELECTOR, ".lock-form button"))
    place = f"#schedule-grid td[data-slot='{slot}'][data-table='{table}']"
    assert browser.find_element(By.CSS_SELECTOR, place).get_attribute("data-locked") == "true"
    version = browser.find_element(By.CSS_SELECTOR, ".plan-summary").text
    click_and_wait(browser, browser.find_element(By.ID, "replan"))
    assert browser.find_element(By.CSS_SELECTOR, ".plan-summary").text != version
    assert "重新排程" in browser.find_element(By.CSS_SELECTOR, ".plan-summary").text
    kept = browser.find_element(By.CSS_SELECTOR, place)
    assert kept.get_attribute("data-locked") == "true"
    assert [p.text for p in kept.find_elements(By.CSS_SELECTOR, ".party")] == parties
    assert "保留" in browser.find_element(By.CSS_SELECTOR, ".changes").text
    shoot(browser, "schedule-replanned")


def test_enterprise_sees_only_its_own_meetings(
    browser: Any, live_server: Any, event_url: str
) -> None:
    login(browser, live_server.url, live_server.keys["enterprise"], "/events")
    path = event_url.replace(live_server.url, "")
    attends = browser.find_elements(By.CSS_SELECTOR, f".event-list a[href='{path}']")
    browser.get(event_url + "/schedule")
    heading = wait_css(browser, "h1")
    if not attends:
        assert heading.text == "无权访问"
        return
    assert "仅显示贵单位的洽谈安排" in browser.find_element(By.CSS_SELECTOR, ".plan-box").text
    name = live_server.ids["enterprise_name"]
    cells = browser.find_elements(By.CSS_SELECTOR, "#schedule-grid td.meeting")
    assert cells and all(name in cell.text for cell in cells)
    # No download of the whole plan; its own agenda instead (the .ics has its meetings only).
    assert not browser.find_elements(By.CSS_SELECTOR, ".exports:not(#own-exports)")
    ics = browser.find_element(By.ID, "own-ics").get_attribute("href")
    request = urllib.request.Request(ics.replace("/events/", "/api/v1/events/", 1))
    request.add_header("X-API-Key", live_server.keys["enterprise"])
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.read().decode("utf-8").count("BEGIN:VEVENT") == len(cells)
    assert not browser.find_elements(By.ID, "replan")


def test_exports_download_in_chinese(browser: Any, live_server: Any, event_url: str) -> None:
    login_organiser(browser, live_server, event_url.replace(live_server.url, "") + "/schedule")
    if not browser.find_elements(By.CSS_SELECTOR, "#schedule-grid"):
        browser.get(event_url)
        click_and_wait(browser, wait_css(browser, "#generate"))
    wait_css(browser, "#schedule-grid")
    link = wait_css(browser, "a[href$='/export/csv']").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    for fmt, expected in (("csv", "时段"), ("html", "<html"), ("xlsx", "")):
        request = urllib.request.Request(
            link.replace("/csv", "/" + fmt), headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            body = response.read()
        assert expected.encode("utf-8") in body if expected else body[:2] == b"PK"


def test_phone_width_layout(browser: Any, live_server: Any, event_url: str) -> None:
    login_organiser(browser, live_server, "/")
    phone(browser)
    browser.get(live_server.url + "/?q=" + urllib.parse.quote("动力电池包热失控预警"))
    wait_css(browser, "ol.results > li.result")
    assert browser.execute_script("return window.innerWidth") == 390
    assert page_overflow(browser) == 0
    shoot(browser, "phone-search")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "ol.results .card-title a"))
    assert page_overflow(browser) == 0
    shoot(browser, "phone-item")
    browser.get(event_url + "/schedule")
    wait_css(browser, "h1")
    assert page_overflow(browser) == 0, "the grid scrolls inside its box, not the page"
    shoot(browser, "phone-schedule")
    browser.get(event_url)
    wait_css(browser, "h1")
    assert page_overflow(browser) == 0
    browser.get(live_server.url + "/parks/1")
    wait_css(browser, "#east-h")
    assert browser.find_elements(By.CSS_SELECTOR, "a.link-card"), "the map is drawn"
    assert page_overflow(browser) == 0
    shoot(browser, "phone-park")
