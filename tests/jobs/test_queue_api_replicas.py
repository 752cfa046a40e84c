"""Two API processes and a worker on one PostgreSQL database: an upload through one replica is
answered at once with a job, the other replica reports the same job's progress, and once the
worker is done the other replica finds the new items."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from matchmaker.store.auth import create_key
from matchmaker.store.db import make_engine, session_scope, upgrade
from matchmaker.store.models import Organisation
from tests.jobs.conftest import Database, Workers, queue_env
from tests.server_process import running_server

HEADER = "成果编号,成果名称,成果简介,成熟度,成果单位\n"


def test_an_upload_through_one_replica_is_followed_and_found_through_another(
    tmp_path: Path,
    pg_schema: Database,
    redis_url: str,
    minilm: str,
    workers: Callable[[dict[str, str]], Workers],
) -> None:
    engine = make_engine(pg_schema.url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(
            Organisation(external_id="U1", name="测试大学", kind="university", province="广西")
        )
        key = create_key(session, name="t-organiser", role="organiser")
    engine.dispose()
    settings = {
        "MATCHMAKER_IMPORT_JOB_ROWS": "5",
        "MATCHMAKER_QUEUE_RAW_UPLOAD_BYTES": "0",  # every job upload is queued unread
        "MATCHMAKER_QUEUE_EMBED_CHUNK": "4",
        "MATCHMAKER_INDEX_CATCH_UP_SECONDS": "1",
    }
    env = queue_env(tmp_path / "w", pg_schema, redis_url, minilm, **settings)
    pool = workers(env)
    worker = pool.start("api-w1")
    extra = {k: v for k, v in env.items() if k.startswith(("MATCHMAKER_", "DATABASE_URL", "HF_"))}
    extra.pop("MATCHMAKER_DATA_DIR")
    csv = HEADER + "".join(
        f"R-{i},tidal turbine blade coating {i},anti fouling coating for tidal turbine {i},6,U1\n"
        for i in range(12)
    )
    with (
        running_server(tmp_path / "a" / "data", **extra) as first,
        running_server(tmp_path / "b" / "data", **extra) as second,
    ):
        pool.wait_ready(worker)
        started = time.monotonic()
        status, body = first.upload("/api/v1/imports/achievements", "成果.csv", csv.encode(), key)
        answered = time.monotonic() - started
        assert status == 202, body
        assert answered < 5
        deadline = time.monotonic() + 240
        while True:
            status, job = second.request(
                "GET", body["progress"], headers={"X-API-Key": key}
            )  # the other replica
            assert status == 200, job
            if job["status"] in ("done", "failed"):
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.3)
        assert job["status"] == "done", job
        assert (job["rows"], job["created"], job["embedded"]) == (12, 12, 12)
        query = urllib.parse.urlencode(
            {"q": "tidal turbine blade coating 7", "kind": "achievement"}
        )
        deadline = time.monotonic() + 60
        while True:
            status, found = second.request(
                "GET", f"/api/v1/search?{query}", headers={"X-API-Key": key}
            )
            titles = [item["title"] for item in found.get("items", [])] if status == 200 else []
            if "tidal turbine blade coating 7" in titles:
                break
            assert time.monotonic() < deadline, (status, found)
            time.sleep(0.5)
