"""Statistics pages in-process: park staff see their own park, admins every park side by side;
SVG charts with the numbers behind them, the XLSX report, Beijing-time periods, and the JSON API
answering a signed-in browser."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from matchmaker.store.auth import create_key
from tests.stats.stats_helpers import make_world, write_feedback

HTML = {"Accept": "text/html,application/xhtml+xml"}


@dataclass
class World:
    """A client over the statistics test world (two parks, seven pairs with histories)."""

    client: TestClient
    keys: dict[str, str]
    park_a: int
    park_b: int

    def login(self, role: str) -> None:
        """Sign in through the login form."""
        self.client.cookies.clear()
        done = self.client.post(
            "/login", data={"api_key": self.keys[role], "next": "/"}, follow_redirects=False
        )
        assert done.status_code == 303

    def page(self, path: str, status: int = 200) -> str:
        """A page's HTML, checking its status."""
        got = self.client.get(path, headers=HTML, follow_redirects=False)
        assert got.status_code == status, got.text[:400]
        return got.text


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine, session_scope, upgrade

    data_dir: Path = tmp_path_factory.mktemp("pages-stats") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
        mp.setenv("MATCHMAKER_SECRET_KEY", "stats-test-secret")
        mp.delenv("DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            upgrade()
            with session_scope() as s:
                w = make_world(s)
                write_feedback(s, w)
                keys = {
                    "staff_a": create_key(
                        s, name="园区A工作人员", role="park_staff", park_id=w.park_a
                    ),
                    "admin": create_key(s, name="管理员", role="admin"),
                    "enterprise": create_key(
                        s, name="企业", role="enterprise", organisation_id=w.firm_a
                    ),
                }
            from api.main import create_app

            with TestClient(create_app()) as client:
                yield World(client, keys, w.park_a, w.park_b)
        finally:
            get_engine.cache_clear()
            get_settings.cache_clear()


def numbers(html: str, key: str) -> dict[str, list[str]]:
    """The rows of one 'numbers behind the chart' table: first cell → the other cells."""
    table = re.search(rf'<table class="numbers" id="numbers-{key}">(.*?)</table>', html, re.S)
    assert table is not None, key
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_park_staff_see_their_own_park_with_charts_and_numbers(world: World) -> None:
    world.login("staff_a")
    overview = world.client.get("/stats?period=2026Q4", headers=HTML, follow_redirects=False)
    assert overview.status_code == 303
    assert overview.headers["location"] == f"/stats/parks/{world.park_a}?period=2026Q4"
    html = world.page(f"/stats/parks/{world.park_a}?period=2026Q4")
    assert "统计测试园区A" in html and "统计测试园区B" not in html
    funnel = numbers(html, "funnel")
    # park A's Q4 cohort: p1–p5 recommended; p1, p2, p4, p5 answered; p1, p4, p5 contacted
    assert funnel["已推荐"][0] == "5" and funnel["已查看"][0] == "4"
    assert funnel["已联系/引荐"] == ["3", "60.0%"]
    tracks = numbers(html, "by-track")
    assert tracks["技术转移"][0] == "4" and tracks["东部研发—广西转化"][0] == "1"
    assert html.count('<svg class="chart"') >= 5, "every figure is drawn"
    assert "<script" not in html.split("<main", 1)[1], "charts need no script"
    # periods are Beijing calendar days
    assert "2026-10-01 至 2026-12-31（北京时间）" in html
    world.page(f"/stats/parks/{world.park_b}?period=2026Q4", status=403)


def test_a_pair_from_last_quarter_counts_in_last_quarter(world: World) -> None:
    world.login("staff_a")
    html = world.page(f"/stats/parks/{world.park_a}?period=2026Q3")
    assert numbers(html, "funnel")["已推荐"][0] == "1"  # p6, shown on 15 September


def test_a_wrong_period_is_named_and_the_current_quarter_shown(world: World) -> None:
    world.login("staff_a")
    html = world.page(f"/stats/parks/{world.park_a}?period=2026Q5")
    assert "统计期格式无效" in html and "已改为显示本季度" in html


def test_the_xlsx_report_downloads_with_the_same_funnel(world: World) -> None:
    world.login("staff_a")
    got = world.client.get(f"/stats/parks/{world.park_a}/report.xlsx?period=2026Q4")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    book = load_workbook(io.BytesIO(got.content))
    funnel = {row[0]: row[1] for row in book["转化漏斗 Funnel"].iter_rows(values_only=True)}
    assert funnel["已推荐"] == 5 and funnel["已联系"] == 3
    assert world.client.get(f"/stats/parks/{world.park_b}/report.xlsx").status_code == 403


def test_admins_compare_every_park(world: World) -> None:
    world.login("admin")
    html = world.page("/stats?period=2026Q4")
    table = numbers(html, "compare")
    assert table["统计测试园区A"][0] == "5" and table["统计测试园区B"][0] == "1"
    assert 'id="fig-compare-funnel"' in html
    world.page(f"/stats/parks/{world.park_b}?period=2026Q4")


def test_the_stats_api_answers_a_signed_in_browser(world: World) -> None:
    world.client.cookies.clear()
    url = f"/api/v1/stats/parks/{world.park_a}?period=2026Q4"
    assert world.client.get(url).status_code == 401
    world.login("staff_a")
    got = world.client.get(url)
    assert got.status_code == 200, got.text
    assert got.json()["funnel"]["total"]["counts"]["recommended"] == 5
    assert world.client.get(f"/api/v1/stats/parks/{world.park_b}").status_code == 403
    # a session reads; it never writes through the API (writes still need the key)
    assert world.client.post("/api/v1/needs", json={}).status_code == 401


def test_enterprises_and_visitors_get_no_statistics(world: World) -> None:
    world.login("enterprise")
    world.page("/stats", status=403)
    world.page(f"/stats/parks/{world.park_a}", status=403)
    assert "/stats" not in world.page("/").split("<main", 1)[0]
    world.client.cookies.clear()
    login = world.client.get("/stats", headers=HTML, follow_redirects=False)
    assert login.status_code in (302, 303, 401) and "/login" in login.headers.get(
        "location", login.text
    )
