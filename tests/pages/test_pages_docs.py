"""The API documentation renders in a real browser from this server's own assets (issue 14:
/docs was blank offline because Swagger UI came from a public CDN)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pages.pages_helpers import csp_violations, shoot, wait_css


@pytest.fixture(autouse=True)
def _needs_selenium() -> None:
    pytest.importorskip("selenium", reason="selenium not installed")


def test_swagger_ui_lists_the_operations(browser: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(live_server.url + "/docs")
    wait_css(browser, ".opblock-summary-path")
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/v1/search" in {p.replace("\u200b", "") for p in paths}
    assert "Unable to render" not in browser.find_element(By.TAG_NAME, "body").text
    assert csp_violations(browser) == []
    shoot(browser, "api-docs")


def test_redoc_renders_the_api_title(browser: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(live_server.url + "/redoc")
    heading = wait_css(browser, "h1")
    assert "matchmaker" in heading.text
    assert browser.find_elements(By.CSS_SELECTOR, "[data-section-id]")
    # ReDoc's own "powered by" logo points at its CDN; the policy blocking it is the point.
    assert [v for v in csp_violations(browser) if "cdn.redoc.ly/redoc/logo" not in v] == []
