"""Two real API servers on one PostgreSQL + pgvector database (MATCHMAKER_VECTOR_STORE=pgvector):
an achievement written through server A is found through server B within a second, and once
deleted through A it is gone from B within a second; B never embeds what A wrote."""

from __future__ import annotations

import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import text

from matchmaker.store.auth import create_key
from matchmaker.store.db import make_engine, session_factory, upgrade
from matchmaker.store.models import Achievement, Organisation
from tests.server_process import Server, running_server

BUDGET_S = 1.0
TITLE = "海上风电叶片爬壁除冰机器人"


def _prepare(url: str) -> tuple[str, str, int]:
    """Schema, one university with two achievements, an organiser key and a reader key."""
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        org = Organisation(
            external_id="U1", name="广西某大学", kind="university", province="广西", city="南宁"
        )
        session.add(org)
        session.flush()
        for number, (title, summary) in enumerate(
            [
                ("锂电池热失控预警系统", "多传感器融合提前预警储能电池热失控。"),
                ("甘蔗渣可降解餐具", "以甘蔗渣为原料模压成型的可降解餐盒。"),
            ]
        ):
            item = Achievement(
                external_id=f"A-{number}", title=title, summary=summary, owner_id=org.id
            )
            item.refresh_hash()
            session.add(item)
        organiser = create_key(session, name="t-organiser", role="organiser")
        reader = create_key(session, name="t-reader", role="reader")
        session.commit()
        owner = org.id
    engine.dispose()
    return organiser, reader, owner


def _found(server: Server, key: str, item_id: int) -> bool:
    query = urllib.parse.urlencode({"q": "风电叶片除冰机器人", "kind": "achievement"})
    status, body = server.request("GET", f"/api/v1/search?{query}", headers={"X-API-Key": key})
    assert status == 200, body
    return item_id in {hit["id"] for hit in body["items"]}


def _until(condition: Any, seconds: float) -> float | None:
    """Seconds until `condition()` held (checked back to back), or None when it never did."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_write_on_a_is_searchable_on_b_within_a_second_and_deletes_follow(
    tmp_path: Path, pgvector_db: str
) -> None:
    organiser, reader, owner = _prepare(pgvector_db)
    env = {"DATABASE_URL": pgvector_db, "MATCHMAKER_VECTOR_STORE": "pgvector"}
    with (
        running_server(tmp_path / "a" / "data", **env) as a,
        running_server(tmp_path / "b" / "data", **env) as b,
    ):
        _found(b, reader, 0)  # warm B's query path (the query vector is cached from here on)
        body = json.dumps(
            {
                "external_id": "A-NEW",
                "title": TITLE,
                "summary": "爬壁机器人沿风电叶片巡检并以热风除冰，适用于北部湾海上风电场。",
                "owner_id": owner,
            }
        ).encode()
        status, created = a.request(
            "POST",
            "/api/v1/achievements",
            body,
            {"Content-Type": "application/json", "X-API-Key": organiser},
        )
        assert status == 201, created
        item_id = int(created["id"])
        seen = _until(lambda: _found(b, reader, item_id), 10)
        assert seen is not None, "B never found what A wrote"
        assert seen <= BUDGET_S, f"B found A's write only after {seen:.2f} s"

        status, _ = a.request(
            "DELETE", f"/api/v1/achievements/{item_id}", headers={"X-API-Key": organiser}
        )
        assert status == 204
        gone = _until(lambda: not _found(b, reader, item_id), 10)
        assert gone is not None, "B still finds what A deleted"
        assert gone <= BUDGET_S, f"B dropped A's delete only after {gone:.2f} s"
        print(f"write visible on B after {seen:.2f} s, delete after {gone:.2f} s")

    engine = make_engine(pgvector_db)
    with engine.connect() as conn:
        kinds = conn.execute(
            text("SELECT kind, count(*) FROM item_vectors GROUP BY kind ORDER BY kind")
        ).all()
        left = conn.execute(
            text("SELECT count(*) FROM item_vectors WHERE item_id = :i AND kind = 'achievement'"),
            {"i": item_id},
        ).scalar()
    engine.dispose()
    assert dict(kinds) == {"achievement": 2} and left == 0
    log_b = (tmp_path / "b").glob("server-*.log")
    assert not any("Traceback" in p.read_text() for p in log_b)


def test_pgvector_setting_on_sqlite_refuses_to_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.server_process import child_env

    data_dir = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", "serve", "--port", "1"],
        env=child_env(data_dir, MATCHMAKER_VECTOR_STORE="pgvector"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 4, done.stderr
    assert "MATCHMAKER_VECTOR_STORE=pgvector" in done.stderr
    assert "PostgreSQL" in done.stderr and "需要" in done.stderr
