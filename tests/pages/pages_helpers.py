"""Browser-test helpers: log in, wait, take full-page screenshots, check labels and layout."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
WAIT = 60.0
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


def wait_css(driver: Any, selector: str, timeout: float = WAIT) -> Any:
    """The first element matching a CSS selector, once it is on the page."""
    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, selector))
    )


def wait_url(driver: Any, part: str, timeout: float = WAIT) -> None:
    """Wait until the address contains `part`."""
    WebDriverWait(driver, timeout).until(ec.url_contains(part))


def click_and_wait(driver: Any, element: Any, timeout: float = WAIT) -> None:
    """Click something that loads a new page (a link, a form button) and wait for that page."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, timeout).until(lambda _: _gone(old))
    wait_css(driver, "footer.site", timeout)


def _gone(element: Any) -> bool:
    """Whether an element's page has been replaced. Chromium reports a node of an unloaded page
    either as stale or, during the swap, as an 'inspector error': both mean the page is gone."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def login(driver: Any, base: str, key: str, next_path: str = "/") -> None:
    """Paste an API key into the login page, as a person would."""
    driver.get(f"{base}/login?next={next_path}")
    driver.find_element(By.CSS_SELECTOR, "details.key-login summary").click()
    field = wait_css(driver, "#api_key")
    field.send_keys(key)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "#key-login button[type=submit]"))
    assert "/login" not in driver.current_url


def shoot(driver: Any, name: str) -> Path:
    """A full-page PNG under test-artifacts/pages (what the page looks like, top to bottom)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    width, height = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollHeight];"
    )
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def image_width(driver: Any, image: Any) -> int:
    """Scroll a (lazy) image into view and return its natural width once loaded (0 if broken)."""
    driver.execute_script("arguments[0].scrollIntoView()", image)
    return int(
        driver.execute_async_script(
            "const [img, done] = arguments;"
            "if (img.complete && img.naturalWidth) { done(img.naturalWidth); return; }"
            "img.onload = () => done(img.naturalWidth); img.onerror = () => done(0);",
            image,
        )
    )


def phone(driver: Any) -> None:
    """Emulate a 390 px wide phone screen."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)


def page_overflow(driver: Any) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing sticks out)."""
    return int(
        driver.execute_script(
            "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);"
        )
    )


AUDIT_JS = """
const problems = [];
const named = (el) => {
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
  if (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) return true;
  return !!el.closest('label');
};
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden') continue;
  if (!named(el)) problems.push('unlabelled ' + el.tagName + ' ' + (el.name || el.id));
}
for (const img of document.querySelectorAll('img')) {
  if (!img.hasAttribute('alt')) problems.push('img without alt ' + img.src);
}
for (const b of document.querySelectorAll('button')) {
  if (!(b.textContent.trim() || b.getAttribute('aria-label'))) problems.push('button without name');
}
const mains = document.querySelectorAll('main').length;
if (mains !== 1) problems.push('main landmarks: ' + mains);
if (!document.querySelector('header')) problems.push('no banner');
if (!document.querySelector('nav')) problems.push('no navigation');
if (!document.querySelector('h1')) problems.push('no h1');
if (!document.documentElement.lang) problems.push('no lang');
return problems;
"""


def accessibility_problems(driver: Any) -> list[str]:
    """Unlabelled form fields, images without alt, missing landmarks, headings or lang."""
    return list(driver.execute_script(AUDIT_JS))


def csp_violations(driver: Any) -> list[str]:
    """Console messages since the last call that report a Content-Security-Policy violation
    (reading the browser log empties it)."""
    messages = [str(entry.get("message", "")) for entry in driver.get_log("browser")]
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
