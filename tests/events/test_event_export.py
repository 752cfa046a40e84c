"""Exports open in the usual tools and show names, times and tables as people will read them."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from matchmaker.events.service.export import (
    agenda_html,
    context_for,
    write_csv,
    write_html,
    write_xlsx,
)
from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.model import EventProblem, Participant, ScoredPair
from matchmaker.events.solver.planner import plan_event

LABELS = ["09:00-09:20", "09:20-09:40", "09:40-10:00"]


def _event() -> EventProblem:
    return EventProblem(
        slots=3,
        tables=2,
        participants=[
            Participant("E1", 2, name="柳州钢铁<集团>"),
            Participant("E2", 2, name="南宁糖业"),
            Participant("U1", 2, name="广西大学"),
            Participant("U2", 2, name="桂林电子科技大学"),
            Participant("U3", 1),
        ],
        scores=[
            ScoredPair("E1", "U1", 9.0),
            ScoredPair("E1", "U2", 7.0),
            ScoredPair("E2", "U1", 5.0),
            ScoredPair("E2", "U2", 4.0),
        ],
    )


def test_csv_and_xlsx_list_every_meeting_with_names_and_times(tmp_path: Path) -> None:
    problem = _event()
    plan = plan_event(problem)
    assert check_plan(problem, plan) == []
    ctx = context_for(problem, LABELS)
    write_csv(tmp_path / "m.csv", plan, ctx)
    write_xlsx(tmp_path / "m.xlsx", plan, ctx)
    with (tmp_path / "m.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + len(plan.meetings) == 5
    flat = " ".join(" ".join(r) for r in rows)
    for name in ("柳州钢铁<集团>", "南宁糖业", "广西大学", "桂林电子科技大学"):
        assert name in flat
    assert "09:00-09:20" in flat
    book = load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames == ["会谈总表", "桌位图"]
    listed = [row for row in book["会谈总表"].iter_rows(min_row=2, values_only=True)]
    assert len(listed) == 4
    grid_text = " ".join(
        str(v) for row in book["桌位图"].iter_rows(values_only=True) for v in row if v
    )
    assert "广西大学" in grid_text and "1 号桌" in grid_text


def test_html_agenda_has_a_page_per_participant_and_escapes_names(tmp_path: Path) -> None:
    problem = _event()
    plan = plan_event(problem)
    assert check_plan(problem, plan) == []
    ctx = context_for(problem, LABELS, title="2025 南宁园校企对接会")
    html = agenda_html(plan, ctx)
    assert html.count('class="agenda"') == 5
    assert "2025 南宁园校企对接会" in html
    assert "柳州钢铁&lt;集团&gt;" in html and "柳州钢铁<集团>" not in html
    assert "U3" in html and "暂无会谈安排" in html  # no partner left for U3
    assert "桌位安排总表" in html
    write_html(tmp_path / "a.html", plan, ctx)
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == html
