"""Exports of a plan for organisers and participants: CSV, XLSX and a printable Chinese HTML agenda."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from matchmaker.core import export as sheet_export
from matchmaker.events.solver.model import EventProblem, Meeting, ParticipantId, Plan

HEADERS = [
    "时段 Slot",
    "时间 Time",
    "桌号 Table",
    "参会方A Party A",
    "参会方B Party B",
    "得分 Score",
]


@dataclass
class ExportContext:
    """Names and labels used to print a plan for people (tables are printed from 1)."""

    names: dict[ParticipantId, str]
    slot_labels: list[str]
    tables: int
    title: str = "园校企对接活动 Matchmaking event"

    def name(self, who: ParticipantId) -> str:
        """Display name of a participant (its id when no name is known)."""
        return self.names.get(who) or str(who)

    def slot(self, slot: int) -> str:
        """Time label of a slot, e.g. 09:00-09:20."""
        if 0 <= slot < len(self.slot_labels):
            return self.slot_labels[slot]
        return f"第 {slot + 1} 时段"

    @staticmethod
    def table(table: int) -> str:
        """Printed table number (tables are numbered from 0 in the plan, from 1 on paper)."""
        return str(table + 1)


def context_for(
    problem: EventProblem, slot_labels: list[str] | None = None, title: str | None = None
) -> ExportContext:
    """Build the export context from the event: participant names and slot times."""
    names = {p.id: p.name or str(p.id) for p in problem.participants}
    labels = slot_labels or problem.slot_labels or []
    context = ExportContext(names=names, slot_labels=list(labels), tables=problem.tables)
    if title:
        context.title = title
    return context


def meeting_rows(plan: Plan, ctx: ExportContext) -> list[list[str | int | float]]:
    """One row per meeting, in slot then table order."""
    rows: list[list[str | int | float]] = []
    for m in sorted(plan.meetings, key=lambda m: (m.slot, m.table)):
        rows.append(
            [
                m.slot + 1,
                ctx.slot(m.slot),
                ctx.table(m.table),
                ctx.name(m.a),
                ctx.name(m.b),
                m.score,
            ]
        )
    return rows


def write_csv(path: Path, plan: Plan, ctx: ExportContext) -> None:
    """Full meeting list as CSV (UTF-8 with BOM so Excel shows the Chinese correctly)."""
    sheet_export.write_csv(path, HEADERS, meeting_rows(plan, ctx))


def write_xlsx(path: Path, plan: Plan, ctx: ExportContext) -> None:
    """Workbook with the meeting list and a slot × table grid for the venue staff."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "会谈总表"
    sheet_export.append_row(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in meeting_rows(plan, ctx):
        sheet_export.append_row(sheet, row)
    for column, width in zip("ABCDEF", (8, 16, 8, 30, 30, 8), strict=True):
        sheet.column_dimensions[column].width = width
    grid = book.create_sheet("桌位图")
    sheet_export.append_row(
        grid, ["时间 Time"] + [f"{ctx.table(t)} 号桌" for t in range(ctx.tables)]
    )
    by_cell = {(m.slot, m.table): m for m in plan.meetings}
    slots = max((m.slot for m in plan.meetings), default=-1) + 1
    for s in range(max(slots, len(ctx.slot_labels))):
        row = [ctx.slot(s)]
        for t in range(ctx.tables):
            m = by_cell.get((s, t))
            row.append(f"{ctx.name(m.a)}\n{ctx.name(m.b)}" if m else "")
        sheet_export.append_row(grid, row)
    for row_cells in grid.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; }
section { page-break-after: always; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #888; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eee; }
.free { color: #999; }
@media print { body { margin: 0; } }
</style></head><body>
{% for person in agendas %}
<section class="agenda">
<h1>{{ title }}</h1>
<h2>{{ person.name }} 的会谈日程</h2>
<table><thead><tr><th>时间</th><th>桌号</th><th>会谈对象</th></tr></thead><tbody>
{% for row in person.rows %}<tr><td>{{ row.time }}</td><td>{{ row.table }}</td><td>{{ row.partner }}</td></tr>
{% else %}<tr><td colspan="3" class="free">暂无会谈安排</td></tr>
{% endfor %}</tbody></table>
<p>共 {{ person.rows|length }} 场会谈。请提前 5 分钟到达对应桌位。</p>
</section>
{% endfor %}
<section class="table-plan">
<h1>{{ title }}</h1>
<h2>桌位安排总表</h2>
<table><thead><tr><th>时间</th>{% for t in tables %}<th>{{ t }} 号桌</th>{% endfor %}</tr></thead><tbody>
{% for row in grid %}<tr><td>{{ row.time }}</td>{% for cell in row.cells %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
</section>
</body></html>
"""


def agenda_html(plan: Plan, ctx: ExportContext) -> str:
    """Printable HTML: one page per participant with their meetings, then the whole table plan."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_TEMPLATE)
    per_person: dict[ParticipantId, list[Meeting]] = defaultdict(list)
    for m in plan.meetings:
        per_person[m.a].append(m)
        per_person[m.b].append(m)
    agendas = []
    for who in sorted(ctx.names, key=lambda w: ctx.name(w)):
        rows = [
            {
                "time": ctx.slot(m.slot),
                "table": ctx.table(m.table),
                "partner": ctx.name(m.b if m.a == who else m.a),
            }
            for m in sorted(per_person.get(who, []), key=lambda m: m.slot)
        ]
        agendas.append({"name": ctx.name(who), "rows": rows})
    by_cell = {(m.slot, m.table): m for m in plan.meetings}
    used_tables = sorted({m.table for m in plan.meetings})
    slots = sorted({m.slot for m in plan.meetings})
    grid = [
        {
            "time": ctx.slot(s),
            "cells": [
                f"{ctx.name(by_cell[(s, t)].a)} × {ctx.name(by_cell[(s, t)].b)}"
                if (s, t) in by_cell
                else ""
                for t in used_tables
            ],
        }
        for s in slots
    ]
    return template.render(
        title=ctx.title,
        agendas=agendas,
        tables=[ctx.table(t) for t in used_tables],
        grid=grid,
    )


def write_html(path: Path, plan: Plan, ctx: ExportContext) -> None:
    """Save the printable agenda."""
    path.write_text(agenda_html(plan, ctx), encoding="utf-8")
