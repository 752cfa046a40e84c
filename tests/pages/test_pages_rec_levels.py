"""Browser test: recommendations show a calibrated level (高/中/低 with the number), and a need
nothing in the catalogue fits says "no good match" with next steps, on the page and in the API."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from pages_helpers import login, shoot  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

NONSENSE = {
    "external_id": "N-NOFIT-1",
    "title": "边境口岸货车通关排队太慢想用AI",
    "description": "口岸货车通关排队太长，想用人工智能预约通关、自动核验报关单和车牌，缩短司机等候时间。",
    "industries": [],
}


def _api(url: str, key: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("X-API-Key", key)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read().decode("utf-8"))


def _levels(browser: Any, section: str) -> list[str]:
    cards = browser.find_elements(By.CSS_SELECTOR, f"{section} .badge.level")
    return [c.text for c in cards]


def test_levels_on_recommendations_and_no_good_match_for_a_need_nothing_fits(
    browser: Any, live_server: Any
) -> None:
    base, admin = live_server.url, live_server.keys["admin"]
    # a demo need written together with its good achievements: the best pairs are 高
    good = _api(
        f"{base}/api/v1/recommendations/tech-transfer/need/{live_server.ids['need']}?k=5",
        admin,
    )
    assert good["no_good_match"] is False and good["next_steps"] == []
    assert good["items"][0]["level"] in ("高", "中")
    assert 0 < good["items"][0]["relevance"] <= 1

    login(browser, base, live_server.keys["enterprise"])
    browser.get(f"{base}/items/need/{live_server.ids['need']}")
    levels = _levels(browser, ".recs")
    assert levels, "every recommended pair shows its calibrated level"
    assert re.fullmatch(r"匹配度[高中低] 0\.\d\d|匹配度[高中低] 1\.00", levels[0])
    assert not browser.find_elements(By.CSS_SELECTOR, ".recs .rec-no-match")

    # a need about customs clearance at the border: the catalogue holds nothing for it
    created = _api(
        f"{base}/api/v1/needs",
        admin,
        "POST",
        {**NONSENSE, "enterprise_id": live_server.ids["enterprise"]},
    )
    listed = _api(f"{base}/api/v1/recommendations/tech-transfer/need/{created['id']}?k=5", admin)
    assert listed["items"], "the closest pairs are still listed for reference"
    assert listed["no_good_match"] is True
    assert all(item["level"] == "低" and item["weak"] for item in listed["items"])
    assert any("园区" in step for step in listed["next_steps"])

    browser.get(f"{base}/items/need/{created['id']}")
    shoot(browser, "rec-no-good-match")
    box = browser.find_element(By.CSS_SELECTOR, ".recs .rec-no-match")
    assert "暂时没有合适的配对" in box.text
    assert "我的匹配" in box.text and "园区工作人员" in box.text
    assert box.find_element(By.CSS_SELECTOR, "a[href='/parks']").is_displayed()
    first_section = browser.find_element(By.CSS_SELECTOR, ".recs .rec-section")
    shown = [b.text for b in first_section.find_elements(By.CSS_SELECTOR, ".badge.level")]
    assert shown and all(text.startswith("匹配度低") for text in shown)
