"""`matchmaker serve` as an operator runs it: one JSON access line per request on stdout (the log
docs/api.md promises), and e-mail links that follow the port the server listens on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from matchmaker.core.config import Settings
from tests.digest.conftest import Handler, free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_public_url_follows_host_and_port_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHMAKER_PUBLIC_URL", raising=False)
    monkeypatch.setenv("MATCHMAKER_HOST", "0.0.0.0")
    monkeypatch.setenv("MATCHMAKER_PORT", "9123")
    assert Settings().public_url == "http://127.0.0.1:9123"
    monkeypatch.setenv("MATCHMAKER_HOST", "::1")
    assert Settings().public_url == "http://[::1]:9123"
    monkeypatch.setenv("MATCHMAKER_PUBLIC_URL", "https://mm.example.cn")
    assert Settings().public_url == "https://mm.example.cn"


def test_serve_logs_json_access_lines_and_links_use_its_port(tmp_path: Path) -> None:
    handler = Handler()
    smtp_port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port, decode_data=False)
    controller.start()
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MATCHMAKER_", "SMTP_")) and k != "DATABASE_URL"
    }
    env.update(
        MATCHMAKER_DATA_DIR=str(tmp_path / "data"),
        MATCHMAKER_SECRET_KEY="serve-test-secret-" + "x" * 40,  # production: a long key
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        PYTHONPATH=str(ROOT),
    )
    out, err = (tmp_path / "stdout.log").open("wb"), (tmp_path / "stderr.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=out,
        stderr=err,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/ready", process)
        request = urllib.request.Request(
            base + "/api/v1/digest/subscribe",
            data=json.dumps({"email": "wang@example.cn", "keywords": ["稀土"]}).encode(),
            headers={"Content-Type": "application/json", "X-Request-ID": "req-serve-1"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202 or response.status == 200
        deadline = time.monotonic() + 30
        while not handler.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
        controller.stop()
        out.close()
        err.close()

    assert handler.received, "the confirmation e-mail arrived"
    text = handler.received[0].message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{base}/api/v1/digest/confirm?token=" in text, "links point where the server listens"

    lines = [
        json.loads(line)
        for line in (tmp_path / "stdout.log").read_text().splitlines()
        if line.startswith("{")
    ]
    access = [line for line in lines if line.get("logger") == "matchmaker.access"]
    ready = [line for line in access if line["path"] == "/ready"]
    assert ready and ready[-1]["status"] == 200 and ready[-1]["method"] == "GET"
    subscribed = next(line for line in access if line["path"] == "/api/v1/digest/subscribe")
    assert subscribed["request_id"] == "req-serve-1" and subscribed["ms"] >= 0
    assert {"time", "level", "client"} <= set(subscribed)
