"""Verdicts given on search results become graded judgements for the evaluation and the calibrator
(`matchmaker calibrate export-feedback`): 有用 2, 不相关 0, disagreement 1, undone ones gone."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from matchmaker.cli.calibrate_cmd import register
from tests.api.conftest import Api
from tests.api.test_search import add_extra


def _mark(api: Api, role: str, q: str, item_id: int, verdict: str) -> int:
    response = api.client.post(
        "/api/v1/search/feedback",
        json={"q": q, "item_id": item_id, "verdict": verdict},
        headers=api.as_(role),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_search_verdicts_are_exported_as_graded_judgements(api: Api, tmp_path: Path) -> None:
    add_extra(api)
    query = "面板亮度不均匀 自动检测"
    found = api.client.get("/api/v1/search", params={"q": query}, headers=api.as_("enterprise"))
    first, second, third = found.json()["items"][:3]
    _mark(api, "enterprise", query, first["id"], "not_relevant")
    _mark(api, "enterprise", query, second["id"], "useful")
    _mark(api, "organiser", query + " ", second["id"], "not_relevant")  # cleaned: same query
    undone = _mark(api, "enterprise", query, third["id"], "useful")
    api.client.delete(f"/api/v1/search/feedback/{undone}", headers=api.as_("enterprise"))

    app = typer.Typer()
    register(app, typer.Typer())

    @app.callback()
    def _root() -> None:
        pass

    out = tmp_path / "judgements.jsonl"
    result = CliRunner().invoke(app, ["calibrate", "export-feedback", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    grades = {row["external_id"]: row["grade"] for row in rows}
    assert grades == {first["external_id"]: 0, second["external_id"]: 1}
    assert all(row["query"] == query and row["kind"] == "achievement" for row in rows)
