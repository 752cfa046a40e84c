"""Export a park map to XLSX: link coverage, the gap table with ranked candidates, the evidence."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from matchmaker.core.export import append_row
from matchmaker.core.taxonomy import industry_zh
from matchmaker.maps.chains import STAGES
from matchmaker.maps.coverage import COVERED, GAP, PIECE_ZH, STATUS_ZH, WEAK
from matchmaker.maps.gaps import GROUP_ZH
from matchmaker.maps.park_map import ParkMap

FILLS = {
    COVERED: PatternFill("solid", fgColor="E6F4EA"),
    WEAK: PatternFill("solid", fgColor="FFF4D6"),
    GAP: PatternFill("solid", fgColor="FDE7E7"),
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def _sheet(ws: Worksheet, headers: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        append_row(ws, row)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    ws.freeze_panes = "A2"
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def coverage_rows(park_map: ParkMap) -> list[list[Any]]:
    """One row per link: industry, stage, link, status, firms, evidence, core technologies."""
    rows = []
    for chain_map in park_map.chains:
        for coverage in chain_map.links:
            link = coverage.link
            firms = "；".join(f"{s.firm.name}（{s.best:.2f}）" for s in coverage.firms)
            rows.append(
                [
                    industry_zh(link.industry),
                    STAGES[link.stage][0],
                    link.name,
                    STATUS_ZH[coverage.status],
                    len(coverage.firms),
                    coverage.evidence_count,
                    firms,
                    "、".join(link.core_technologies),
                ]
            )
    return rows


def gap_rows(park_map: ParkMap) -> list[list[Any]]:
    """One row per candidate of each weak or missing link (a row saying none when it has none)."""
    rows: list[list[Any]] = []
    for chain_map in park_map.chains:
        for coverage in chain_map.links:
            if coverage.status == COVERED:
                continue
            link = coverage.link
            head = [
                industry_zh(link.industry),
                STAGES[link.stage][0],
                link.name,
                STATUS_ZH[coverage.status],
            ]
            groups = chain_map.candidates.get(link.code, {})
            listed = False
            for group, items in groups.items():
                for rank, candidate in enumerate(items, start=1):
                    listed = True
                    rows.append(
                        head
                        + [
                            GROUP_ZH[group],
                            rank,
                            candidate.name,
                            candidate.org.name,
                            candidate.org.province,
                            round(candidate.score, 1),
                            round(candidate.match, 3),
                            "；".join(candidate.reasons),
                            candidate.level_zh,
                        ]
                    )
            if not listed:
                rows.append(head + ["—", None, "暂无足够匹配的候选", "", "", None, None, "", ""])
    return rows


def evidence_rows(park_map: ParkMap) -> list[list[Any]]:
    """One row per piece of evidence behind a covered or weak link."""
    rows = []
    for chain_map in park_map.chains:
        for coverage in chain_map.links:
            for support in coverage.firms:
                for match in support.matches:
                    rows.append(
                        [
                            industry_zh(coverage.link.industry),
                            coverage.link.name,
                            support.firm.name,
                            PIECE_ZH[match.piece.kind],
                            match.piece.external_id,
                            match.piece.title,
                            round(match.score, 3),
                            "、".join(match.terms),
                        ]
                    )
    return rows


def write_xlsx(park_map: ParkMap, path: Path | None = None) -> bytes:
    """The map as an XLSX workbook (written to `path` when given); returns the file's bytes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "环节覆盖 Coverage"
    _sheet(
        ws,
        ["产业", "位置", "环节", "状态", "企业数", "证据数", "园区企业（最高匹配分）", "核心技术"],
        coverage_rows(park_map),
        [16, 8, 24, 10, 8, 8, 60, 50],
    )
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            status = {v: k for k, v in STATUS_ZH.items()}.get(str(cell.value))
            if status:
                cell.fill = FILLS[status]
    _sheet(
        wb.create_sheet("缺口与候选 Gaps"),
        [
            "产业",
            "位置",
            "环节",
            "状态",
            "候选类别",
            "排名",
            "候选",
            "所属单位",
            "地区",
            "综合分",
            "匹配分",
            "推荐理由",
            "匹配程度",
        ],
        gap_rows(park_map),
        [16, 8, 24, 8, 14, 6, 40, 28, 8, 8, 8, 80, 10],
    )
    _sheet(
        wb.create_sheet("证据 Evidence"),
        ["产业", "环节", "企业", "类型", "编号", "标题", "匹配分", "提到的核心技术"],
        evidence_rows(park_map),
        [16, 24, 28, 10, 14, 50, 8, 30],
    )
    info = wb.create_sheet("说明 About")
    rule = park_map.rule
    for line in (
        ["园区", park_map.park_name],
        ["企业数", park_map.enterprise_count],
        ["生成时间（北京时间）", park_map.generated_china],
        ["匹配阈值", rule.threshold],
        ["已覆盖", f"至少 {rule.min_firms} 家园区企业有匹配证据"],
        ["薄弱", "1 家园区企业有匹配证据"],
        ["缺失", "没有园区企业有匹配证据"],
    ):
        append_row(info, line)
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
