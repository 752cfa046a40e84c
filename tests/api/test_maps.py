"""The park page's API: the map as JSON, SVG, PNG and XLSX, the chains, and park statistics."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook

from matchmaker.maps.chains import shipped_chains
from matchmaker.ranking.feedback import PairKey, add_feedback
from matchmaker.store.db import session_scope
from tests.api.conftest import Api
from tests.maps.map_helpers import database_texts, prime_cache
from tests.stats.stats_helpers import at, show


@pytest.fixture
def primed(api: Api, app_env: Path) -> Api:
    """The API with every map text's vector already in its data directory's cache."""
    with session_scope() as session:
        prime_cache(app_env, database_texts(session))
    return api


def test_map_json_lists_every_link_of_the_parks_chains(primed: Api) -> None:
    park = primed.ids["park"]
    response = primed.client.get(f"/api/v1/parks/{park}/map", headers=primed.as_("reader"))
    assert response.status_code == 200
    body = response.json()
    assert body["park"]["name"] == "南宁高新区"
    chains = {c["industry"]: c for c in body["chains"]}
    assert set(chains) == {"electronic-info", "ai-hardware"}
    shipped = shipped_chains()
    for code, chain in chains.items():
        assert [link["code"] for link in chain["links"]] == [
            link.code for link in shipped[code].links
        ]
        assert sum(chain["counts"].values()) == len(shipped[code].links)
        for link in chain["links"]:
            assert link["status"] in ("covered", "weak", "gap")
            assert link["status_zh"] in ("已覆盖", "薄弱", "缺失")
    only = primed.client.get(
        f"/api/v1/parks/{park}/map",
        params={"industry": "智能网联汽车", "candidates": "false"},
        headers=primed.as_("reader"),
    ).json()
    assert [c["industry"] for c in only["chains"]] == ["icv"]
    assert all(link["candidates"] == {} for link in only["chains"][0]["links"])


def test_map_pictures_and_workbook(primed: Api) -> None:
    park = primed.ids["park"]
    svg = primed.client.get(
        f"/api/v1/parks/{park}/map.svg", params={"industry": "icv"}, headers=primed.as_("reader")
    )
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)
    boxes = root.findall(".//{http://www.w3.org/2000/svg}rect[@class='link-box']")
    assert len(boxes) == len(shipped_chains()["icv"].links)
    png = primed.client.get(f"/api/v1/parks/{park}/map.png", headers=primed.as_("reader"))
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    xlsx = primed.client.get(f"/api/v1/parks/{park}/map.xlsx", headers=primed.as_("reader"))
    assert xlsx.status_code == 200
    assert "缺口与候选 Gaps" in load_workbook(io.BytesIO(xlsx.content)).sheetnames


def test_map_errors_are_problem_documents(primed: Api) -> None:
    park = primed.ids["park"]
    missing = primed.client.get("/api/v1/parks/999999/map", headers=primed.as_("reader"))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    # every industry of the taxonomy has a chain now; an unknown industry is a 422 naming it
    marine = primed.client.get(
        f"/api/v1/parks/{park}/map", params={"industry": "marine"}, headers=primed.as_("reader")
    )
    assert marine.status_code == 200 and marine.json()["chains"][0]["industry"] == "marine"
    unknown = primed.client.get(
        f"/api/v1/parks/{park}/map", params={"industry": "海洋渔业"}, headers=primed.as_("reader")
    )
    assert unknown.status_code == 422 and "是否指" in unknown.json()["detail"]
    assert primed.client.get(f"/api/v1/parks/{park}/map").status_code == 401


def test_chains_are_listed(api: Api) -> None:
    listed = api.client.get("/api/v1/chains", headers=api.as_("reader")).json()
    assert {c["industry"] for c in listed} >= {"icv", "metals-biomass", "agri-processing"}
    one = api.client.get("/api/v1/chains/智能网联汽车", headers=api.as_("reader"))
    assert one.status_code == 200 and one.json()["links"][0]["name"] == "车规级芯片与传感器"
    assert api.client.get("/api/v1/chains/marine", headers=api.as_("reader")).status_code == 200
    assert api.client.get("/api/v1/chains/炼金术", headers=api.as_("reader")).status_code == 404


def test_park_statistics_count_the_feedback_written(api: Api) -> None:
    park = api.ids["park"]
    pair = PairKey("tech-transfer", "need", api.ids["own_need"], "achievement", api.ids["ach"])
    other = PairKey("tech-transfer", "need", api.ids["other_need"], "achievement", api.ids["ach"])
    with session_scope() as session:
        show(session, pair, at(11, 2))
        show(session, other, at(11, 2))
        add_feedback(session, pair, "accept", at=at(11, 3))
        add_feedback(session, pair, "met", at=at(11, 20))
    response = api.client.get(
        f"/api/v1/stats/parks/{park}", params={"period": "2026Q4"}, headers=api.as_("organiser")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["period"]["label"] == "2026Q4"
    assert body["funnel"]["total"]["counts"] == {
        "recommended": 1,
        "viewed": 1,
        "contacted": 1,
        "met": 1,
        "signed": 0,
    }
    assert body["inventory"]["items"]["need"]["total"] == 1
    assert body["digest"]["available"] is True and body["digest"]["delivery_rate"] is None
    month = api.client.get(
        f"/api/v1/stats/parks/{park}", params={"period": "2026-12"}, headers=api.as_("reader")
    ).json()
    assert month["funnel"]["total"]["counts"]["recommended"] == 0
    current = api.client.get(f"/api/v1/stats/parks/{park}", headers=api.as_("reader"))
    assert current.status_code == 200 and "Q" in current.json()["period"]["label"]
    workbook = api.client.get(
        f"/api/v1/stats/parks/{park}/report.xlsx",
        params={"period": "2026Q4"},
        headers=api.as_("admin"),
    )
    assert workbook.status_code == 200
    assert "转化漏斗 Funnel" in load_workbook(io.BytesIO(workbook.content)).sheetnames


def test_statistics_refuse_bad_periods_unknown_parks_and_enterprise_keys(api: Api) -> None:
    park = api.ids["park"]
    bad = api.client.get(
        f"/api/v1/stats/parks/{park}", params={"period": "2026Q5"}, headers=api.as_("admin")
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    missing = api.client.get("/api/v1/stats/parks/999999", headers=api.as_("admin"))
    assert missing.status_code == 404
    forbidden = api.client.get(f"/api/v1/stats/parks/{park}", headers=api.as_("enterprise"))
    assert forbidden.status_code == 403
