"""Oversized bodies are refused while they stream in, before anything buffers them: 200 MB sent
chunked (no Content-Length) over a real socket to a real uvicorn server answer 413, and the
server's resident memory (RSS from /proc) stays within 50 MiB of what it was before."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 200 * 1024 * 1024
CHUNK = 1024 * 1024
MAX_GROWTH = 50 * 1024 * 1024
pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


@dataclass
class Server:
    """A uvicorn process serving the app."""

    port: int
    pid: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss(pid: int) -> int:
    """Resident memory of a process in bytes, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app under uvicorn on a free port over an empty data directory."""
    data_dir = tmp_path_factory.mktemp("stream") / "data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        MATCHMAKER_DATA_DIR=str(data_dir), MATCHMAKER_ENV="development", PYTHONPATH=str(ROOT)
    )
    log = tmp_path_factory.mktemp("stream-log") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _chunks() -> Iterator[bytes]:
    """200 MB of JSON-ish bytes in 1 MiB chunks, made as they are sent (never held at once)."""
    piece = b'{"title": "' + b"x" * (CHUNK - 11)
    for _ in range(TOTAL // CHUNK):
        yield piece


@dataclass
class Outcome:
    """What the server answered and how its memory moved."""

    status: int
    body: bytes
    sent: int
    before: int
    peak: int
    after: int


def post_chunked(server: Server, path: str, headers: dict[str, str]) -> Outcome:
    """POST the chunked 200 MB body while a second thread reads the answer and a third samples
    the server's RSS."""
    before = rss(server.pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss(server.pid))
            time.sleep(0.01)

    received = bytearray()

    def read(sock: socket.socket) -> None:
        try:
            while chunk := sock.recv(65536):
                received.extend(chunk)
        except OSError:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    reader = threading.Thread(target=read, args=(sock,), daemon=True)
    reader.start()
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    head += ["Transfer-Encoding: chunked", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    sent = 0
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        for piece in _chunks():
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
        sock.sendall(b"0\r\n\r\n")
    except OSError:  # the server answered and closed while we were still sending
        pass
    reader.join(timeout=60)
    sock.close()
    done.set()
    sampler.join()
    time.sleep(0.2)
    head_end = received.find(b"\r\n\r\n")
    status = int(received[9:12]) if received.startswith(b"HTTP/1.1") else 0
    return Outcome(status, bytes(received[head_end + 4 :]), sent, before, peak[0], rss(server.pid))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/needs", {"X-API-Key": "mm_not-checked-before-the-body"}),
        ("/api/v1/digest/subscribe", {}),  # no key needed at all
    ],
)
def test_a_200_mb_chunked_body_is_refused_while_streaming_and_memory_stays_flat(
    server: Server, path: str, headers: dict[str, str]
) -> None:
    outcome = post_chunked(server, path, headers)
    growth = outcome.peak - outcome.before
    print(
        f"\n{path}: status {outcome.status}, sent {outcome.sent / 2**20:.0f} MiB before the server "
        f"stopped reading; RSS before {outcome.before / 2**20:.1f} MiB, peak "
        f"{outcome.peak / 2**20:.1f} MiB (+{growth / 2**20:.1f}), after {outcome.after / 2**20:.1f} MiB"
    )
    assert outcome.status == 413
    problem = json.loads(outcome.body.split(b"\r\n\r\n")[-1] or b"{}")
    assert problem["status"] == 413 and problem["detail"].startswith("请求体超过 1 MB 上限")
    assert growth < MAX_GROWTH, f"server memory grew by {growth / 2**20:.1f} MiB"
