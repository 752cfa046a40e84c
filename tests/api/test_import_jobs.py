"""Uploads over MATCHMAKER_IMPORT_JOB_ROWS answer 202 at once and run as a job with progress;
smaller ones answer with their result as before."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api, seed_world

HEADER = "成果编号,成果名称,成果简介,成熟度,成果单位\n"


def _csv(n: int, *, bad_row: int | None = None) -> bytes:
    lines = [HEADER]
    for i in range(n):
        owner = "不存在单位" if i == bad_row else "U1"
        lines.append(f"A-job{i},光伏组件热斑检测{i},红外成像识别热斑{i}，准确率97%。,6,{owner}\n")
    return "".join(lines).encode()


@pytest.fixture
def jobs_api(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The API with a job threshold of 5 rows."""
    from api.main import create_app

    monkeypatch.setenv("MATCHMAKER_IMPORT_JOB_ROWS", "5")
    from matchmaker.core.config import get_settings

    get_settings.cache_clear()
    keys, ids = seed_world()
    with TestClient(create_app()) as client:
        yield Api(client, keys, ids)


def _wait_job(api: Api, progress: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = api.client.get(progress, headers=api.as_("organiser")).json()
        if job["status"] in ("done", "failed", "interrupted"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job did not finish: {job}")


def test_large_upload_answers_202_and_the_job_makes_items_searchable(jobs_api: Api) -> None:
    h = jobs_api.as_("organiser")
    files = {"file": ("成果.csv", _csv(12), "text/csv")}
    r = jobs_api.client.post("/api/v1/imports/achievements", files=files, headers=h)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["rows"] == 12 and r.headers["location"] == body["progress"]
    job = _wait_job(jobs_api, body["progress"])
    assert job["status"] == "done", job
    assert job["created"] == 12 and job["to_embed"] == 12 and job["embedded"] == 12
    assert jobs_api.client.get("/api/v1/achievements", headers=h).json()["total"] == 13
    found = jobs_api.client.get(
        "/api/v1/search", params={"q": "光伏组件热斑检测7", "kind": "achievement"}, headers=h
    ).json()
    assert any(item["title"] == "光伏组件热斑检测7" for item in found["items"])


def test_invalid_large_upload_fails_as_a_job_listing_rows_and_writes_nothing(
    jobs_api: Api,
) -> None:
    h = jobs_api.as_("admin")
    files = {"file": ("成果.csv", _csv(8, bad_row=3), "text/csv")}
    r = jobs_api.client.post("/api/v1/imports/achievements", files=files, headers=h)
    assert r.status_code == 202
    job = _wait_job(jobs_api, r.json()["progress"])
    assert job["status"] == "failed" and "nothing was imported" in job["message"]
    assert {(p["row"], p["field"]) for p in job["problems"]} == {(5, "成果单位")}
    assert jobs_api.client.get("/api/v1/achievements", headers=h).json()["total"] == 1


def test_small_upload_still_answers_with_its_result_and_jobs_need_an_organiser(
    jobs_api: Api,
) -> None:
    files = {"file": ("成果.csv", _csv(3), "text/csv")}
    r = jobs_api.client.post(
        "/api/v1/imports/achievements", files=files, headers=jobs_api.as_("organiser")
    )
    assert r.status_code == 200 and r.json()["created"] == 3
    big = {"file": ("成果.csv", _csv(9), "text/csv")}
    progress = jobs_api.client.post(
        "/api/v1/imports/achievements", files=big, headers=jobs_api.as_("organiser")
    ).json()["progress"]
    assert jobs_api.client.get(progress, headers=jobs_api.as_("reader")).status_code == 403
    missing = "/api/v1/imports/jobs/" + "0" * 32
    assert jobs_api.client.get(missing, headers=jobs_api.as_("organiser")).status_code == 404
    assert _wait_job(jobs_api, progress)["status"] == "done"
