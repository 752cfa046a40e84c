"""The map as people see it: an SVG chain diagram, a PNG of it, and an XLSX with the gap table."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from matchmaker.maps.chains import STAGES
from matchmaker.maps.export import write_xlsx
from matchmaker.maps.park_map import ParkMap, build_park_map
from matchmaker.maps.render import COLOURS, render_png, render_svg
from matchmaker.store.db import session_factory
from tests.maps.map_helpers import load_world, shared_vectors

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def park_map(sqlite_engine: Engine) -> Iterator[ParkMap]:
    with session_factory(sqlite_engine)() as session:
        load_world(session)
        yield build_park_map(session, "T-LZ", vectors=shared_vectors())


def test_svg_is_well_formed_with_one_coloured_box_per_link(park_map: ParkMap) -> None:
    root = ET.fromstring(render_svg(park_map).encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    chain_map = park_map.chains[0]
    groups = root.findall(f".//{SVG}g[@class='link']")
    assert [g.get("data-link") for g in groups] == [
        link.key for stage in STAGES for link in chain_map.chain.stage_links(stage)
    ]
    boxes = root.findall(f".//{SVG}rect[@class='link-box']")
    assert len(boxes) == len(chain_map.chain.links) == len(groups)
    status = {c.link.key: c.status for c in chain_map.links}
    for group in groups:
        box = group.find(f"{SVG}rect[@class='link-box']")
        assert box is not None
        assert group.get("data-status") == status[group.get("data-link") or ""]
        assert box.get("stroke") == COLOURS[status[group.get("data-link") or ""]][1]
    text = "".join(root.itertext())
    assert "线控底盘" in text and "缺失" in text and "已覆盖" in text
    # a gap box names its best candidate
    gap = next(g for g in groups if g.get("data-link") == "icv/by-wire-chassis")
    assert "候选" in "".join(gap.itertext())


def test_png_is_a_picture_of_the_diagram(park_map: ParkMap) -> None:
    picture = render_png(render_svg(park_map), scale=1.0)
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(picture[16:20], "big")
    assert width == 1140


def test_xlsx_has_coverage_gap_and_evidence_sheets(park_map: ParkMap) -> None:
    wb = load_workbook(io.BytesIO(write_xlsx(park_map)))
    assert wb.sheetnames[:3] == ["环节覆盖 Coverage", "缺口与候选 Gaps", "证据 Evidence"]
    coverage = list(wb["环节覆盖 Coverage"].iter_rows(min_row=2, values_only=True))
    assert len(coverage) == len(park_map.chains[0].links)
    gaps = list(wb["缺口与候选 Gaps"].iter_rows(min_row=2, values_only=True))
    by_wire = [row for row in gaps if row[2] == "线控底盘"]
    assert {row[6] for row in by_wire} >= {"上海测试线控科技有限公司", "柳州测试工业大学"}
    assert all(row[3] == "缺失" for row in by_wire)
    assert any("东部研发力量" in str(row[11]) for row in by_wire)
    assert {row[12] for row in by_wire} <= {"高度匹配", "较匹配"}
    evidence = list(wb["证据 Evidence"].iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in evidence} >= {"柳州测试动力电池系统有限公司"}
