"""One live server over the demo data and one headless Chromium, shared by every browser test.

The server is uvicorn in a subprocess (its settings and engine are its own) over a temporary data
directory; the embedding cache is a stable folder (MATCHMAKER_TEST_CACHE, default
~/.cache/matchmaker) linked into it, so only the very first run embeds the demo (1–2 min).
Without Chromium the browser tests skip, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "pages"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
START_TIMEOUT = 900.0  # a cold embedding cache embeds the whole demo before the server is ready
SECRET = "pages-test-secret"


@dataclass
class LiveServer:
    """The running app: its address, one API key per role and the ids the tests use."""

    url: str
    keys: dict[str, str]
    ids: dict[str, Any]
    data_dir: Path
    log: Path
    mail: Any = None  # the SMTP server's handler (tests.digest.conftest.Handler): what was sent


def cache_root() -> Path:
    """The embedding cache kept between test runs."""
    configured = os.environ.get("MATCHMAKER_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "matchmaker"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(data_dir: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Load the demo into a fresh SQLite database, add an empty park and a key per role."""
    from sqlalchemy import select

    from matchmaker.demo.loader import load_demo
    from matchmaker.store.auth import create_key
    from matchmaker.store.db import make_engine, session_scope, upgrade
    from matchmaker.store.models import Need, Organisation, Park

    engine = make_engine(f"sqlite:///{data_dir / 'matchmaker.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        empty = Park(
            external_id="P-EMPTY",
            name="测试空园区",
            level="regional",
            city="测试",
            industries=["marine"],
        )
        session.add(empty)
        session.flush()
        need = session.scalars(
            select(Need).where(Need.status == "active").order_by(Need.id)
        ).first()
        assert need is not None
        enterprise = session.get(Organisation, need.enterprise_id)
        assert enterprise is not None
        keys = {
            "admin": create_key(session, name="页面测试管理员", role="admin"),
            "organiser": create_key(session, name="页面测试组织者", role="organiser"),
            "enterprise": create_key(
                session, name="页面测试企业", role="enterprise", organisation_id=enterprise.id
            ),
            "reader": create_key(session, name="页面测试读者", role="reader"),
        }
        liuzhou = session.scalars(select(Park).where(Park.external_id == "P-LZ")).one()
        keys["park_staff"] = create_key(
            session, name="柳州高新区工作人员", role="park_staff", park_id=liuzhou.id
        )
        ids = {
            "empty_park": empty.id,
            "enterprise": enterprise.id,
            "enterprise_name": enterprise.name,
            "need": need.id,
            "need_title": need.title,
            "liuzhou": liuzhou.id,
        }
    engine.dispose()
    return keys, ids


def _get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until /ready says the database answers and the index is loaded."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            status, body = _get(url + "/ready", timeout=2.0)
            if status == 200 and json.loads(body).get("index") == "loaded":
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {START_TIMEOUT:.0f}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app under uvicorn on a free port, over the demo data, index loaded and warmed."""
    data_dir = tmp_path_factory.mktemp("pages") / "data"
    embeddings = cache_root() / "embeddings"
    embeddings.mkdir(parents=True, exist_ok=True)
    (data_dir / "cache").mkdir(parents=True)
    (data_dir / "cache" / "embeddings").symlink_to(embeddings, target_is_directory=True)
    keys, ids = seed(data_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "server.log"
    port = free_port()
    from aiosmtpd.controller import Controller

    from tests.digest.conftest import Handler

    mail = Handler()  # a real SMTP server for the e-mails the server sends (event invitations …)
    smtp_port = free_port()
    smtp = Controller(mail, hostname="127.0.0.1", port=smtp_port, decode_data=False)
    smtp.start()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        MATCHMAKER_DATA_DIR=str(data_dir),
        MATCHMAKER_SECRET_KEY=SECRET,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        MATCHMAKER_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log)
        _get(url + "/?q=" + urllib.parse.quote("划痕检测"), timeout=300)  # load the embedder
        yield LiveServer(url, keys, ids, data_dir, log, mail)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        smtp.stop()


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists() and shutil.which(Path(path).name) is None:
            return f"{path} not found (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def chrome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the session (skipped outside CI when it is not installed)."""
    missing = browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = (
        CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium") or ""
    )
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP reports, console errors
    driver_path = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chrome: Any, live_server: LiveServer) -> Iterator[Any]:
    """The shared browser, logged out, at desktop size, on the live server's origin."""
    chrome.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    chrome.set_window_size(1280, 900)
    chrome.get(live_server.url + "/static/app.css")
    chrome.delete_all_cookies()
    yield chrome
