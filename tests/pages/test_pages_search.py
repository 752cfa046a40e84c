"""Browser tests of the enterprise's pages: search, item page, feedback, language, errors."""

from __future__ import annotations

import os
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from pages_helpers import (  # noqa: E402
    accessibility_problems,
    click_and_wait,
    login,
    shoot,
    wait_css,
)
from selenium.webdriver.common.by import By  # noqa: E402

QUERY = "镜面不锈钢锅体划痕检测，反光严重误检多"


def search(browser: Any, base: str, query: str = QUERY) -> list[Any]:
    """Type a problem into the search box and submit it, like a person."""
    browser.get(base + "/")
    box = wait_css(browser, "#q")
    box.clear()
    box.send_keys(query)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".query-box button[type=submit]"))
    return browser.find_elements(By.CSS_SELECTOR, "ol.results > li.result")


def test_search_by_need_shows_reasons_and_highlights(browser: Any, live_server: Any) -> None:
    results = search(browser, live_server.url)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert len(results) == 10
    first = results[0]
    assert "划痕" in first.text or "反光" in first.text
    assert first.find_elements(By.CSS_SELECTOR, "mark"), "shared terms are highlighted"
    reasons = first.find_elements(By.CSS_SELECTOR, ".reasons li")
    assert any("共同关键词" in r.text for r in reasons)
    assert first.find_element(By.CSS_SELECTOR, ".org").text
    assert "TRL" in first.find_element(By.CSS_SELECTOR, ".badge.trl").text
    assert browser.find_element(By.CSS_SELECTOR, "a[rel=next]"), "a second page exists"
    assert accessibility_problems(browser) == []
    shoot(browser, "search-results")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a[rel=next]"))
    assert "page=2" in browser.current_url
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.results > li.result")) == 10


def test_item_page_hides_contact_from_anonymous_and_lists_recommendations(
    browser: Any, live_server: Any
) -> None:
    results = search(browser, live_server.url)
    link = results[0].find_element(By.CSS_SELECTOR, ".card-title a")
    title = link.text
    click_and_wait(browser, link)
    heading = wait_css(browser, "h1#item-h")
    assert heading.text == title
    contact = browser.find_element(By.CSS_SELECTOR, "section.contact").text
    assert "登录后查看联系方式" in contact
    assert "@" not in contact
    sections = browser.find_elements(By.CSS_SELECTOR, ".rec-section")
    assert sections, "at least one track section"
    recs = browser.find_elements(By.CSS_SELECTOR, ".rec-section .result")
    assert recs, "the recommender found matches"
    assert recs[0].find_elements(By.CSS_SELECTOR, ".reasons li")
    assert recs[0].find_element(By.CSS_SELECTOR, ".fb-login").get_attribute("href").count("/login")
    assert accessibility_problems(browser) == []
    shoot(browser, "item-anonymous")


def test_enterprise_marks_a_result_not_relevant_and_it_is_not_shown_again(
    browser: Any, live_server: Any
) -> None:
    login(browser, live_server.url, live_server.keys["enterprise"])
    results = search(browser, live_server.url, live_server.ids["need_title"])
    context = browser.find_element(By.CSS_SELECTOR, "#f-ctx option[selected]").text
    assert live_server.ids["need_title"] in context, "the own need closest to the text is chosen"
    target = results[0]
    target_id = target.get_attribute("id")
    target.find_element(By.CSS_SELECTOR, "details.fb summary").click()
    click_and_wait(browser, target.find_element(By.CSS_SELECTOR, "button[value=wrong_field]"))
    notice = wait_css(browser, "#fb-notice")
    assert "不相关" in notice.text and live_server.ids["need_title"][:6] in notice.text
    assert not browser.find_elements(By.ID, target_id), "gone for this query"
    shoot(browser, "search-feedback")
    browser.refresh()
    wait_css(browser, ".results-count")
    assert not browser.find_elements(By.ID, target_id)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#fb-notice button"))
    assert "已撤销" in wait_css(browser, ".flash").text
    assert browser.find_elements(By.ID, target_id), "back after undo"


def test_contact_details_show_for_an_enterprise(browser: Any, live_server: Any) -> None:
    login(browser, live_server.url, live_server.keys["enterprise"])
    browser.get(f"{live_server.url}/items/need/{live_server.ids['need']}")
    contact = wait_css(browser, "section.contact")
    assert contact.find_elements(By.CSS_SELECTOR, "a[href^='tel:'], a[href^='mailto:']")


def test_no_results_state_offers_suggestions(browser: Any, live_server: Any) -> None:
    browser.get(f"{live_server.url}/?q=芒果保鲜&park={live_server.ids['empty_park']}")
    empty = wait_css(browser, "section.empty")
    assert "没有找到结果" in empty.text
    links = [a.text for a in empty.find_elements(By.CSS_SELECTOR, ".suggestions a")]
    assert "去掉筛选条件再搜一次" in links
    shoot(browser, "search-empty")
    click_and_wait(browser, empty.find_element(By.LINK_TEXT, "去掉筛选条件再搜一次"))
    assert browser.find_elements(By.CSS_SELECTOR, "ol.results > li.result")


def test_unknown_page_is_a_friendly_404(browser: Any, live_server: Any) -> None:
    browser.get(live_server.url + "/no/such/page")
    heading = wait_css(browser, "h1#err-h")
    assert heading.text == "页面不存在"
    assert browser.find_element(By.LINK_TEXT, "回到首页搜索")
    browser.get(live_server.url + "/items/achievement/999999")
    assert wait_css(browser, "h1#err-h").text == "页面不存在"
    shoot(browser, "not-found")


def test_english_switch_is_remembered(browser: Any, live_server: Any) -> None:
    browser.get(live_server.url + "/")
    click_and_wait(browser, wait_css(browser, "a.lang"))
    assert "lang=en" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Search by need"
    browser.get(live_server.url + "/parks")
    assert wait_css(browser, "h1").text == "High-tech parks"
    shoot(browser, "parks-english")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a.lang"))
    assert "lang=zh" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"


def test_park_page_shows_industries_needs_and_eastern_matches(
    browser: Any, live_server: Any
) -> None:
    browser.get(live_server.url + "/parks")
    click_and_wait(browser, wait_css(browser, ".park-card a"))
    assert browser.find_element(By.ID, "east-h")
    assert browser.find_elements(By.CSS_SELECTOR, "#ind-h + p .tag")
    assert browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=needs-h] li")
    assert browser.find_elements(By.CSS_SELECTOR, ".industry-group .result")
    cards = browser.find_elements(By.CSS_SELECTOR, "section.chain a.link-card")
    assert cards, "the innovation map is drawn as clickable link cards"
    assert accessibility_problems(browser) == []
    shoot(browser, "park")


def test_results_show_calibrated_levels_with_the_number(browser: Any, live_server: Any) -> None:
    results = search(browser, live_server.url, "八角茴香油提纯")
    assert results
    assert not browser.find_elements(By.ID, "no-good-match")
    badge = results[0].find_element(By.CSS_SELECTOR, ".badge.level")
    level, number = badge.text.split()
    assert level == "相关度高" and 0.5 <= float(number) <= 1.0
    assert "概率" in (badge.get_attribute("title") or "")
    levels = [r.find_element(By.CSS_SELECTOR, ".badge.level").text.split()[0] for r in results]
    assert "相关度低" in levels, "a weak tail is marked as such"
    for result in results:
        reasons = result.find_elements(By.CSS_SELECTOR, ".reasons li")
        assert 1 <= len(reasons) <= 3
        snippet = result.find_element(By.CSS_SELECTOR, ".snippet").text
        assert "关键词：" not in snippet
    shoot(browser, "search-levels")


def test_nothing_fitting_says_no_good_match_and_offers_next_steps(
    browser: Any, live_server: Any
) -> None:
    search(browser, live_server.url, "边境口岸货车通关太慢想用AI")
    box = wait_css(browser, "#no-good-match")
    assert "没有找到合适的结果" in box.text
    steps = [li.text for li in box.find_elements(By.CSS_SELECTOR, ".next-steps li")]
    assert any("发布这项需求" in s for s in steps)
    assert any("园区工作人员" in s for s in steps)
    shown = browser.find_elements(By.CSS_SELECTOR, "ol.results > li.result .badge.level")
    assert shown and all(b.text.startswith("相关度低") for b in shown)
    assert accessibility_problems(browser) == []
    shoot(browser, "search-no-good-match")
