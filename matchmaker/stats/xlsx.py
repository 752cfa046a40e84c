"""Write a park report as an XLSX workbook with tables and charts (openpyxl charts)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from matchmaker.core.export import set_cell
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.messages import label
from matchmaker.core.taxonomy import industry_zh
from matchmaker.ranking.tracks import TRACKS
from matchmaker.stats.funnel import STAGE_ZH, STAGES, Funnel
from matchmaker.stats.periods import CHINA
from matchmaker.stats.report import ParkReport

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
ORG_ZH = {
    "university": "高校",
    "research_institute": "科研院所",
    "enterprise": "企业",
    "park_management": "园区管理机构",
    "investor": "投资/金融机构",
}


def _table(ws: Worksheet, top: int, headers: list[str], rows: list[list[Any]]) -> int:
    """Write a header row and rows from row `top`; returns the last row written."""
    for col, text in enumerate(headers, start=1):
        cell = set_cell(ws, top, col, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, start=top + 1):
        for col, value in enumerate(row, start=1):
            set_cell(ws, r, col, value)
    return top + len(rows)


def _bar(
    ws: Worksheet,
    title: str,
    data_cols: tuple[int, int],
    header_row: int,
    last_row: int,
    anchor: str,
    *,
    horizontal: bool = False,
    stacked: bool = False,
) -> None:
    """A bar chart over a table's columns (categories in column A)."""
    if last_row <= header_row:
        return
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.height, chart.width = 8, 16
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(
        ws, min_col=data_cols[0], max_col=data_cols[1], min_row=header_row, max_row=last_row
    )
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    ws.add_chart(chart, anchor)


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width


def _funnel_rows(items: dict[str, Funnel], name: Any) -> list[list[Any]]:
    return [
        [name(key), *(funnel.counts[s] for s in STAGES), funnel.rate("signed")]
        for key, funnel in sorted(items.items())
    ]


def write_report_xlsx(report: ParkReport, path: Path | None = None) -> bytes:
    """The report as XLSX (written to `path` when given); returns the file's bytes."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "概览 Summary"
    park = report.park["name"] if report.park else "全平台 All parks"
    total = report.funnel.total
    inv = report.inventory.items
    lines: list[list[Any]] = [
        ["园区 Park", park],
        ["统计期 Period", f"{report.period.label_zh}（{report.period.label}）"],
        [
            "截至（北京时间）As of (Beijing time)",
            report.as_of.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        ],
        [
            "统计期 Dates (Beijing calendar)",
            f"{report.period.first.isoformat()} — "
            f"{(report.period.after - dt.timedelta(days=1)).isoformat()}",
        ],
        *[
            [f"{label('kind', k)}（有效/总数）", f"{inv[k].active} / {inv[k].total}"]
            for k in ITEM_KINDS
        ],
        *[[f"漏斗：{STAGE_ZH[s]}", total.counts[s]] for s in STAGES],
        ["签约转化率", total.rate("signed")],
        [
            "对接活动（计划/已举办）",
            f"{report.events.events_planned} / {report.events.events_held}",
        ],
        [
            "会谈（计划/已举办）",
            f"{report.events.meetings_planned} / {report.events.meetings_held}",
        ],
        ["推送送达率", report.digest.delivery_rate],
        ["退订率", report.digest.unsubscribe_rate],
    ]
    _table(summary, 1, ["指标 Figure", "数值 Value"], lines)
    _widths(summary, [28, 40])

    ws = wb.create_sheet("转化漏斗 Funnel")
    rows = [
        [STAGE_ZH[s], total.counts[s], total.rate(s) if s != "recommended" else 1.0] for s in STAGES
    ]
    last = _table(ws, 1, ["阶段 Stage", "配对数 Pairs", "占推荐比例 Share"], rows)
    _bar(ws, "推荐转化漏斗 Funnel", (2, 2), 1, last, "E2", horizontal=True)
    actions = sorted(report.funnel.actions.items())
    _table(ws, last + 3, ["本期反馈动作 Action", "次数 Count"], [[a, n] for a, n in actions])
    _widths(ws, [22, 14, 16])

    headers = ["", *(STAGE_ZH[s] for s in STAGES), "签约率"]
    ws = wb.create_sheet("分赛道 By track")
    track_rows = _funnel_rows(report.funnel.by_track, lambda k: TRACKS[k].zh if k in TRACKS else k)
    last = _table(ws, 1, ["赛道 Track", *headers[1:]], track_rows)
    _bar(ws, "各赛道转化 By track", (2, 6), 1, last, "I2")
    _widths(ws, [22, 10, 10, 10, 10, 10, 10])

    ws = wb.create_sheet("分产业 By industry")
    industry_rows = _funnel_rows(report.funnel.by_industry, industry_zh)
    last = _table(ws, 1, ["产业 Industry", *headers[1:]], industry_rows)
    _bar(ws, "各产业转化 By industry", (2, 6), 1, last, "I2")
    _widths(ws, [26, 10, 10, 10, 10, 10, 10])

    ws = wb.create_sheet("条目与新鲜度 Items")
    item_rows = [
        [
            label("kind", kind),
            stock.total,
            stock.active,
            stock.new_in_period,
            stock.updated_in_period,
            stock.fresh,
            stock.fresh_share,
            stock.median_age_days,
        ]
        for kind, stock in inv.items()
    ]
    last = _table(
        ws,
        1,
        [
            "类型 Kind",
            "总数",
            "有效",
            "本期新增",
            "本期更新",
            f"{report.inventory.fresh_days}天内更新",
            "新鲜占比",
            "中位更新间隔(天)",
        ],
        item_rows,
    )
    _bar(ws, "条目数量 Items", (2, 4), 1, last, "K2")
    org_top = last + 3
    org_last = _table(
        ws,
        org_top,
        ["机构类型 Organisations", "数量"],
        [[ORG_ZH.get(k, k), n] for k, n in report.inventory.organisations.items()],
    )
    ind_top = org_last + 3
    ind_rows = [
        [industry_zh(code), counts["achievement"], counts["need"], counts["scenario"]]
        for code, counts in report.inventory.by_industry.items()
    ]
    ind_last = _table(ws, ind_top, ["产业 Industry", "科技成果", "企业需求", "应用场景"], ind_rows)
    _bar(
        ws,
        "各产业有效条目 Active items by industry",
        (2, 4),
        ind_top,
        ind_last,
        "K20",
        stacked=True,
    )
    _widths(ws, [26, 10, 10, 10, 10, 12, 10, 16])

    ws = wb.create_sheet("活动与推送 Events & digest")
    ev = report.events
    ev_rows: list[list[Any]] = [
        ["对接活动（计划）", ev.events_planned],
        ["对接活动（已举办）", ev.events_held],
        ["会谈（计划）", ev.meetings_planned],
        ["会谈（已举办）", ev.meetings_held],
        ["会谈结果：已会谈", ev.outcomes_met],
        ["会谈结果：将跟进", ev.outcomes_follow_up],
        ["会谈结果：无价值", ev.outcomes_not_useful],
        ["参会机构", ev.participants],
        ["取消参会", ev.cancelled_participants],
    ]
    last = _table(ws, 1, ["活动 Events", "数值"], ev_rows)
    _bar(ws, "对接活动与会谈 Events and meetings", (2, 2), 1, last, "E2")
    dg = report.digest
    dg_rows: list[list[Any]] = [
        ["订阅者（期末有效）", dg.subscribers],
        ["新增订阅", dg.new_subscribers],
        ["退订", dg.unsubscribed],
        ["退订率", dg.unsubscribe_rate],
        ["推送（已尝试）", dg.sends_attempted],
        ["推送（已送达）", dg.sends_delivered],
        ["退信", dg.sends_bounced],
        ["送达率", dg.delivery_rate],
        ["推送条目", dg.items_sent],
        ["标记不相关", dg.not_relevant_marks],
    ]
    top = last + 3
    _table(ws, top, ["推送 Digest", "数值"], dg_rows)
    notes = [n for n in (ev.note, dg.note) if n]
    if notes:
        set_cell(ws, top + len(dg_rows) + 2, 1, "说明：" + "；".join(notes))
    _widths(ws, [24, 12])

    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
