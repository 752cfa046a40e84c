"""Write chains in the import format (CSV, XLSX or JSON), so people edit a file and import it back."""

from __future__ import annotations

import json
from pathlib import Path

from matchmaker.core.export import append_row, csv_bytes
from matchmaker.maps.chains import STAGES, Chain

HEADERS = (
    "产业",
    "产业链名称",
    "产业链简介",
    "环节编号",
    "环节位置",
    "环节名称",
    "英文名称",
    "环节描述",
    "核心技术",
)


def chain_table(chains: list[Chain]) -> list[list[str]]:
    """One row per link, columns as HEADERS (the Chinese headers the importer reads)."""
    return [
        [
            chain.industry,
            chain.name,
            chain.description if index == 0 else "",
            link.code,
            STAGES[link.stage][0],
            link.name,
            link.name_en,
            link.description,
            "、".join(link.core_technologies),
        ]
        for chain in chains
        for index, link in enumerate(chain.links)
    ]


def export_chains(chains: list[Chain], path: Path) -> None:
    """Write chains to .csv (UTF-8 with BOM, opens in Excel), .xlsx or .json (by suffix)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        documents = [chain.as_dict() for chain in chains]
        payload = documents[0] if len(documents) == 1 else documents
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".csv":
        path.write_bytes(csv_bytes(HEADERS, chain_table(chains)))
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "产业链 Chains"
        append_row(ws, HEADERS)
        for row in chain_table(chains):
            append_row(ws, row)
        for column, width in zip("ABCDEFGHI", (16, 24, 40, 22, 8, 24, 36, 80, 60), strict=True):
            ws.column_dimensions[column].width = width
        wb.save(path)
    else:
        raise ValueError(
            f"不支持的导出格式 {suffix or '(无后缀)'}，请使用 .csv、.xlsx 或 .json / "
            "use .csv, .xlsx or .json"
        )
