"""20 clients writing and searching at once against a real `matchmaker serve` process (SQLite, and
PostgreSQL when configured): no 5xx, no lost write, and no search hit pointing at an item whose
delete had already been answered. Bounded: MATCHMAKER_CONCURRENCY_SECONDS (default 30) per
database, then every client stops by itself."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from matchmaker.store.auth import create_key
from matchmaker.store.db import session_scope
from tests.api.conftest import seed_world
from tests.conftest import pg_url, require_pg
from tests.digest.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 20
SECONDS = float(os.environ.get("MATCHMAKER_CONCURRENCY_SECONDS", "30"))
START_TIMEOUT = 180.0


@dataclass
class Server:
    """The running server's base URL, one organiser key per client, and the enterprise's id."""

    url: str
    keys: list[str]
    enterprise_id: int


@dataclass
class Ledger:
    """What every client saw, shared between the client threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[int, str] = field(default_factory=dict)  # id -> its unique token
    deleted_at: dict[int, float] = field(default_factory=dict)  # id -> when the 204 arrived
    failures: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        """One more of something (requests by kind, throttled answers)."""
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def fail(self, message: str) -> None:
        """Record a broken promise (kept short: the first ones say enough)."""
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(message)


def _pg_database_url() -> tuple[str, str]:
    """A DATABASE_URL whose connections live in a fresh schema (libpq `options`), and the schema."""
    url = require_pg()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


@pytest.fixture(params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    """`matchmaker serve` on a free port over a seeded database, one organiser key per client."""
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine

    data_dir = tmp_path / "data"
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
    schema = None
    if request.param == "postgres":
        database_url, schema = _pg_database_url()
        monkeypatch.setenv("DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    _, ids = seed_world()
    with session_scope() as session:
        keys = [create_key(session, name=f"c{i}", role="organiser") for i in range(CLIENTS)]
    get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MATCHMAKER_PUBLIC_URL"}
    # Abuse limits are tested on their own (tests/api/test_security.py); here 20 clients share one
    # address and must not be throttled.
    env.update(
        MATCHMAKER_SECRET_KEY="concurrency-test-secret",
        MATCHMAKER_RATE_LIMITS="false",
        PYTHONPATH=str(ROOT),
    )
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,  # one JSON access line per request: not needed here
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, tmp_path / "server.log")
        yield Server(url, keys, ids["ent"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()
        if schema is not None:
            admin = create_engine(pg_url() or "")
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not ready:\n{log.read_text()[-4000:]}")


def _client(number: int, server: Server, ledger: Ledger, stop: float) -> None:
    """One client: create, read, update, delete its own needs and search for any token."""
    rng = random.Random(number)
    mine: list[tuple[int, str]] = []
    headers = {"X-API-Key": server.keys[number]}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        serial = 0
        while time.monotonic() < stop:
            roll = rng.random()
            try:
                if roll < 0.35 or not mine:
                    serial += 1
                    _create(http, server, ledger, mine, f"zq{number:02d}x{serial:04d}")
                elif roll < 0.45:
                    _delete(http, ledger, mine.pop(rng.randrange(len(mine))))
                elif roll < 0.55:
                    _update(http, ledger, rng.choice(mine))
                else:
                    _search(http, ledger, rng, mine)
            except httpx.HTTPError as exc:
                ledger.fail(f"client {number}: {type(exc).__name__}: {exc}")


def _answered(ledger: Ledger, what: str, response: httpx.Response) -> bool:
    """Count the answer; a 5xx is a failure, 429 (throttled) is a polite 'later'."""
    ledger.count(what)
    if response.status_code >= 500:
        ledger.fail(f"{what}: {response.status_code} {response.text[:200]}")
        return False
    if response.status_code == 429:
        ledger.count("throttled")
        time.sleep(0.2)
        return False
    return True


def _create(
    http: httpx.Client, server: Server, ledger: Ledger, mine: list[tuple[int, str]], token: str
) -> None:
    body = {
        "external_id": f"N-{token}",
        "title": f"压测需求 {token}",
        "description": f"并发写入与检索测试 {token}：贴片元件虚焊检测。",
        "enterprise_id": server.enterprise_id,
    }
    response = http.post("/api/v1/needs", json=body)
    if not _answered(ledger, "create", response):
        return
    if response.status_code != 201:
        ledger.fail(f"create {token}: {response.status_code} {response.text[:200]}")
        return
    item = response.json()["id"]
    with ledger.lock:
        ledger.created[item] = token
    mine.append((item, token))
    read = http.get(f"/api/v1/needs/{item}")
    if _answered(ledger, "read", read) and read.status_code != 200:
        ledger.fail(f"read-your-write {item}: {read.status_code}")


def _delete(http: httpx.Client, ledger: Ledger, chosen: tuple[int, str]) -> None:
    response = http.delete(f"/api/v1/needs/{chosen[0]}")
    if not _answered(ledger, "delete", response):
        return
    if response.status_code != 204:
        ledger.fail(f"delete {chosen[0]}: {response.status_code} {response.text[:200]}")
        return
    with ledger.lock:
        ledger.deleted_at[chosen[0]] = time.monotonic()


def _update(http: httpx.Client, ledger: Ledger, chosen: tuple[int, str]) -> None:
    body = {"description": f"并发写入与检索测试 {chosen[1]}：更新于 {time.time():.3f}"}
    response = http.patch(f"/api/v1/needs/{chosen[0]}", json=body)
    if _answered(ledger, "update", response) and response.status_code != 200:
        ledger.fail(f"update {chosen[0]}: {response.status_code} {response.text[:200]}")


def _search(
    http: httpx.Client, ledger: Ledger, rng: random.Random, mine: list[tuple[int, str]]
) -> None:
    own = rng.choice(mine) if mine and rng.random() < 0.7 else None
    with ledger.lock:
        others = list(ledger.created.items())
    query = own[1] if own else (rng.choice(others)[1] if others else "虚焊检测")
    sent = time.monotonic()
    response = http.get("/api/v1/search", params={"q": query, "kind": "need", "limit": 20})
    if not _answered(ledger, "search", response) or response.status_code != 200:
        if response.status_code not in (200, 429):
            ledger.fail(f"search {query}: {response.status_code} {response.text[:200]}")
        return
    found = [hit["id"] for hit in response.json()["items"]]
    with ledger.lock:
        gone = {i for i in found if ledger.deleted_at.get(i, float("inf")) < sent}
    if gone:
        ledger.fail(f"search {query}: hits {sorted(gone)} were deleted before it was sent")
    if own is not None and own[0] not in found:
        ledger.fail(f"search {query}: own live item {own[0]} not found")


@pytest.mark.slow
def test_twenty_clients_write_and_search_without_errors_or_lost_writes(server: Server) -> None:
    ledger = Ledger()
    stop = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=_client, args=(n, server, ledger, stop), daemon=True)
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    assert not any(t.is_alive() for t in threads), "every client stopped by itself"
    assert ledger.failures == [], "\n".join(ledger.failures)
    assert ledger.counts.get("create", 0) >= CLIENTS, ledger.counts
    assert ledger.counts.get("search", 0) >= CLIENTS, ledger.counts

    live = {i: t for i, t in ledger.created.items() if i not in ledger.deleted_at}
    headers = {"X-API-Key": server.keys[0]}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        for item, token in ledger.created.items():
            got = http.get(f"/api/v1/needs/{item}")
            expected = 404 if item in ledger.deleted_at else 200
            assert got.status_code == expected, f"{item} ({token}): {got.status_code}"
        listed = http.get("/api/v1/needs", params={"q": "压测需求", "limit": 1}).json()
        assert listed["total"] == len(live), "every create that was answered 201 is stored"
        for item, token in list(live.items())[:40]:
            hits = http.get("/api/v1/search", params={"q": token, "kind": "need"}).json()
            assert item in [h["id"] for h in hits["items"]], f"{token} is searchable"
        for item, token in list(ledger.deleted_at.items())[:40]:
            hits = http.get("/api/v1/search", params={"q": ledger.created[item], "kind": "need"})
            assert item not in [h["id"] for h in hits.json()["items"]], f"{token}: deleted"
