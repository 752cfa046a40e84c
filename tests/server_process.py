"""A real `matchmaker serve` in a child process over a fresh data directory, as an operator runs it,
with the child's memory readable from /proc (resident now and peak)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from matchmaker.store.auth import create_key
from matchmaker.store.db import make_engine, session_factory, upgrade

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child CLI or server: this one without matchmaker settings, plus
    the data directory, development mode and the checkout on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MATCHMAKER_", "SMTP_")) and k != "DATABASE_URL"
    }
    env.update(
        MATCHMAKER_DATA_DIR=str(data_dir),
        MATCHMAKER_ENV="development",
        MATCHMAKER_RATE_LIMITS="false",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def data_engine(data_dir: Path) -> Engine:
    """An engine on the SQLite database of a data directory, schema migrated."""
    engine = make_engine(f"sqlite:///{(data_dir / 'matchmaker.db').resolve()}")
    upgrade(engine)
    return engine


def organiser_key(data_dir: Path) -> str:
    """A new organiser API key in the data directory's database."""
    engine = data_engine(data_dir)
    with session_factory(engine)() as session:
        key = create_key(session, name="t-organiser", role="organiser")
        session.commit()
    engine.dispose()
    return key


@dataclass
class Server:
    """A running server: its base URL and process."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def _status_kib(self, field: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise AssertionError(f"{field} not in /proc/{self.process.pid}/status")

    def rss(self) -> int:
        """Resident memory now, in bytes."""
        return self._status_kib("VmRSS") * 1024

    def peak_rss(self) -> int:
        """Highest resident memory so far, in bytes."""
        return self._status_kib("VmHWM") * 1024

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> tuple[int, Any]:
        """(status, JSON body or text) of one request."""
        request = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def upload(self, path: str, filename: str, data: bytes, key: str) -> tuple[int, Any]:
        """POST one file as multipart/form-data."""
        boundary = "----matchmaker-test-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST",
            path,
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-API-Key": key},
        )


def wait_for(server: Server, path: str, seconds: float = 180) -> None:
    """Wait until `path` answers 200 (the server must stay alive meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError("the server exited:\n" + server.log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(server.base + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{path} did not answer 200 within {seconds} s")


@contextmanager
def running_server(data_dir: Path, ready: str = "/ready", **env: str) -> Iterator[Server]:
    """`matchmaker serve` on a free loopback port over `data_dir`, stopped afterwards."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "matchmaker", "serve", "--port", str(port)],
            cwd=data_dir.parent,
            env=child_env(data_dir, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_for(server, ready)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
