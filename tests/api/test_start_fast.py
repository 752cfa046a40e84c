"""After a crash left 1,000 un-indexed needs, `matchmaker serve` opens its port at once: /health
answers, /ready says "starting" with the backlog, and a need still waiting for its embedding is
found by its words; /ready turns "ready" once the index has caught up."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path
from typing import Any

from matchmaker.store.auth import create_key
from matchmaker.store.db import session_factory
from matchmaker.store.models import Need, Organisation
from tests.server_process import data_engine, running_server

BACKLOG = 1_000
HEALTH_BUDGET_S = 20.0  # before: the port stayed closed until every item was embedded


def _left_over_needs(data_dir: Path) -> tuple[str, str]:
    """A reader key and the title of the last need, written without any index."""
    engine = data_engine(data_dir)
    with session_factory(engine)() as session:
        org = Organisation(
            external_id="E1", name="测试企业", kind="enterprise", province="广西", city="南宁"
        )
        session.add(org)
        session.flush()
        for i in range(BACKLOG):
            need = Need(
                external_id=f"N-{i:05d}",
                title=f"需求{i:05d}号冷链温控改造",
                description=f"第{i}号企业希望改造冷库温控系统。",
                enterprise_id=org.id,
            )
            need.refresh_hash()
            session.add(need)
        key = create_key(session, name="t-reader", role="reader")
        session.commit()
    engine.dispose()
    return key, f"需求{BACKLOG - 1:05d}号冷链温控改造"


def test_server_opens_at_once_and_finds_backlog_items_by_their_words(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key, last_title = _left_over_needs(data_dir)
    started = time.monotonic()
    with running_server(data_dir, ready="/health") as server:
        opened = time.monotonic() - started
        assert opened < HEALTH_BUDGET_S, f"/health answered only after {opened:.1f} s"
        ready: dict[str, Any] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, ready = server.request("GET", "/ready")
            assert status in (200, 503), ready
            if status == 503 and ready.get("backlog"):
                break
            time.sleep(0.05)
        assert ready["status"] == "starting" and ready["index"] == "catching-up", ready
        assert 0 < ready["backlog"] <= BACKLOG
        query = urllib.parse.urlencode({"q": last_title, "kind": "need"})
        status, found = server.request("GET", f"/api/v1/search?{query}", headers={"X-API-Key": key})
        assert status == 200, found
        assert found["items"] and found["items"][0]["title"] == last_title, found["items"][:3]
        status, still = server.request("GET", "/ready")
        assert status == 503 and still["backlog"] > 0, still  # it was found before its vector
        print(
            f"/health after {opened:.1f} s; backlog {ready['backlog']} -> {still['backlog']} "
            "while the last need was found by its words"
        )
