"""Browser tests of the park staff's pages: statistics (own park; admins compare parks), the
innovation map from a gap to its candidates to an introduction request, and a phone's width."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from pages_helpers import (  # noqa: E402
    accessibility_problems,
    click_and_wait,
    csp_violations,
    login,
    page_overflow,
    shoot,
    wait_css,
)
from selenium.webdriver.common.by import By  # noqa: E402

NARROW = {"width": 340, "height": 740, "deviceScaleFactor": 2, "mobile": True}


def table(browser: Any, table_id: str) -> dict[str, list[str]]:
    """A 'numbers behind the chart' table: first cell of each body row → the other cells."""
    rows = browser.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")
    out = {}
    for row in rows:
        cells = [c.text.strip() for c in row.find_elements(By.CSS_SELECTOR, "th, td")]
        out[cells[0]] = cells[1:]
    return out


def test_admin_compares_parks_and_opens_one_park_statistics(browser: Any, live_server: Any) -> None:
    login(browser, live_server.url, live_server.keys["admin"], "/stats")
    wait_css(browser, "#numbers-compare")
    compare = table(browser, "numbers-compare")
    assert "柳州高新区" in compare and "南宁高新区" in compare
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 2 and all(c.size["width"] > 200 for c in charts)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "柳州高新区"))
    assert "/stats/parks/" in browser.current_url
    assert len(browser.find_elements(By.CSS_SELECTOR, "section.stats-figure svg.chart")) >= 5
    funnel = table(browser, "numbers-funnel")
    assert list(funnel) == ["已推荐", "已查看", "已联系/引荐", "已洽谈", "已签约"]
    assert "北京时间" in browser.find_element(By.ID, "period-range").text
    href = browser.find_element(By.ID, "download-xlsx").get_attribute("href")
    assert "/report.xlsx?period=" in href
    assert accessibility_problems(browser) == [] and csp_violations(browser) == []
    shoot(browser, "stats-park")


def test_park_staff_see_their_park_and_the_api_answers_their_session(
    browser: Any, live_server: Any
) -> None:
    login(browser, live_server.url, live_server.keys["park_staff"], "/stats")
    wait_css(browser, "#numbers-funnel")
    assert browser.current_url.split("?")[0].endswith(f"/stats/parks/{live_server.ids['liuzhou']}")
    assert "柳州高新区" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(f"{live_server.url}/api/v1/stats/parks/{live_server.ids['liuzhou']}")
    body = json.loads(browser.find_element(By.TAG_NAME, "body").text)
    assert body["park"]["name"] == "柳州高新区" and "funnel" in body
    browser.get(f"{live_server.url}/stats/parks/{live_server.ids['empty_park']}")
    assert "只能查看本园区" in browser.find_element(By.TAG_NAME, "main").text


def test_a_map_gap_leads_to_candidates_and_an_introduction_request(
    browser: Any, live_server: Any
) -> None:
    login(
        browser,
        live_server.url,
        live_server.keys["park_staff"],
        f"/parks/{live_server.ids['liuzhou']}",
    )
    wait_css(browser, "#map-h")
    drawn = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "section.chain h3")]
    assert len(drawn) == 3, "柳州 has three leading industries, each with its chain"
    assert not browser.find_elements(By.ID, "map-missing")
    gap = browser.find_element(By.CSS_SELECTOR, 'a.link-card[data-link="icv/v2x-infrastructure"]')
    assert gap.get_attribute("data-status") == "gap" and "最佳候选" in gap.text
    click_and_wait(browser, gap)
    assert browser.find_element(By.ID, "link-status").text == "缺失"
    candidates = browser.find_elements(By.CSS_SELECTOR, "li.candidate")
    assert len(candidates) >= 2, "several candidates for the gap"
    levels = {b.text for b in browser.find_elements(By.CSS_SELECTOR, "li.candidate .badge.level")}
    assert levels <= {"高度匹配", "较匹配"} and levels
    for card in candidates:
        assert card.find_elements(By.CSS_SELECTOR, "ul.reasons li"), "every candidate has reasons"
    first = candidates[0]
    name = first.find_element(By.CSS_SELECTOR, ".card-title").text
    click_and_wait(browser, first.find_element(By.CSS_SELECTOR, ".intro-form button"))
    flash = browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert "已记录引荐请求" in flash, flash
    assert accessibility_problems(browser) == [] and csp_violations(browser) == []
    browser.get(f"{live_server.url}/stats/parks/{live_server.ids['liuzhou']}")
    tracks = table(browser, "numbers-by-track")
    east = tracks["东部研发—广西转化"]
    assert int(east[2]) >= 1, f"the introduction to {name} counts as contacted"


def test_the_map_and_statistics_fit_a_340_pixel_phone(browser: Any, live_server: Any) -> None:
    login(
        browser,
        live_server.url,
        live_server.keys["park_staff"],
        f"/parks/{live_server.ids['liuzhou']}",
    )
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", NARROW)
    browser.get(f"{live_server.url}/parks/{live_server.ids['liuzhou']}")
    wait_css(browser, "a.link-card")
    assert page_overflow(browser) == 0
    widths = [c.size["width"] for c in browser.find_elements(By.CSS_SELECTOR, "a.link-card")]
    assert widths and max(widths) <= 340
    shoot(browser, "park-map-340")
    browser.get(
        f"{live_server.url}/parks/{live_server.ids['liuzhou']}/links/icv/v2x-infrastructure"
    )
    wait_css(browser, "li.candidate")
    assert page_overflow(browser) == 0, "the candidate list fits the phone too"
    shoot(browser, "park-link-340")
    browser.get(f"{live_server.url}/stats/parks/{live_server.ids['liuzhou']}")
    wait_css(browser, "svg.chart")
    assert page_overflow(browser) == 0
    assert all(c.size["width"] <= 340 for c in browser.find_elements(By.CSS_SELECTOR, "svg.chart"))
    shoot(browser, "stats-340")


def _import_rd_status(live_server: Any) -> list[str]:
    """An organiser uploads the park office's list of regulated firms with their R&D status
    (three of 柳州's enterprises: two without R&D activity, one with both)."""
    import httpx

    headers = {"X-API-Key": live_server.keys["organiser"]}
    park = live_server.ids["liuzhou"]
    listed = httpx.get(
        f"{live_server.url}/api/v1/organisations",
        params={"park_id": park, "kind": "enterprise", "limit": 3},
        headers=headers,
        timeout=60,
    ).json()["items"]
    assert len(listed) == 3
    status = [("是", "无", "无"), ("是", "有", "无"), ("是", "有", "有")]
    lines = ["机构编号,机构名称,机构类型,省份,所在园区,规上工业企业,研发机构,研发活动"]
    for org, (reg, inst, act) in zip(listed, status, strict=True):
        lines.append(f"{org['external_id']},{org['name']},企业,广西,P-LZ,{reg},{inst},{act}")
    done = httpx.post(
        f"{live_server.url}/api/v1/imports/organisations",
        files={"file": ("规上企业.csv", ("\n".join(lines) + "\n").encode("utf-8"), "text/csv")},
        headers=headers,
        timeout=120,
    )
    assert done.status_code == 200, done.text
    return [org["name"] for org in listed]


def test_the_rd_zero_list_shows_firms_partners_and_progress(browser: Any, live_server: Any) -> None:
    names = _import_rd_status(live_server)
    park = live_server.ids["liuzhou"]
    login(browser, live_server.url, live_server.keys["park_staff"], f"/stats/parks/{park}")
    click_and_wait(browser, wait_css(browser, "#rd-zero-link"))
    summary = table(browser, "numbers-rd")
    assert summary["规上工业企业"] == ["3"] and summary["无研发活动"] == ["2"]
    assert summary["已清零（两者皆有）"] == ["1"]
    firms = browser.find_elements(By.CSS_SELECTOR, "li.rd-firm")
    shown = {f.find_element(By.CSS_SELECTOR, ".card-title").text for f in firms}
    assert shown == set(names[:2]), "the firm with both R&D items is not listed"
    assert names[2] not in browser.find_element(By.TAG_NAME, "main").text
    with_partners = [f for f in firms if f.find_elements(By.CSS_SELECTOR, "li.partner")]
    assert with_partners, "a firm without R&D gets university or institute achievements"
    firm_id = with_partners[0].get_attribute("data-firm")
    button = with_partners[0].find_element(By.CSS_SELECTOR, "li.partner .intro-form button")
    click_and_wait(browser, button)
    assert "已记录引荐请求" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    progress = browser.find_element(
        By.CSS_SELECTOR, f'li.rd-firm[data-firm="{firm_id}"] .rd-progress'
    ).text
    assert "已联系/引荐" in progress and "已引荐 1 次" in progress
    assert accessibility_problems(browser) == [] and csp_violations(browser) == []
    shoot(browser, "rd-zero")
