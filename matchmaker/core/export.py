"""Spreadsheet output, defined once: every CSV and XLSX the product writes goes through here, so a
cell can never run as a formula when someone opens the file (OWASP "CSV injection").

A text cell starting with = + - @, tab or CR is written with a leading apostrophe, and XLSX text
cells are stored as strings explicitly (never as formulas). Characters a worksheet cannot hold
(C0 controls other than tab/newline) are dropped, so old stored text never breaks an export.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What openpyxl refuses in a worksheet (and XML 1.0 cannot carry).
SHEET_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
UTF8_BOM = b"\xef\xbb\xbf"


def safe_cell(value: Any) -> Any:
    """A cell value that opens as plain text: formula-like text gets a leading apostrophe and
    characters a worksheet cannot hold are dropped; numbers, dates and None pass unchanged."""
    if not isinstance(value, str):
        return value
    text = SHEET_ILLEGAL.sub("", value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of a row made safe (see safe_cell)."""
    return [safe_cell(value) for value in row]


def csv_text(headers: Sequence[Any] | None, rows: Iterable[Iterable[Any]]) -> str:
    """CSV with every cell quoted and neutralised (the text, without a byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    if headers is not None:
        writer.writerow(safe_row(headers))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[Any] | None, rows: Iterable[Iterable[Any]]) -> bytes:
    """CSV as UTF-8 with a byte-order mark, so Excel shows the Chinese correctly."""
    return UTF8_BOM + csv_text(headers, rows).encode("utf-8")


def write_csv(path: Path, headers: Sequence[Any] | None, rows: Iterable[Iterable[Any]]) -> None:
    """Save a neutralised CSV (UTF-8 with BOM)."""
    Path(path).write_bytes(csv_bytes(headers, rows))


def set_cell(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one worksheet cell safely: text is neutralised and typed as a string, never a formula."""
    cell = ws.cell(row=row, column=column)
    _store(cell, value)
    return cell


def append_row(ws: Worksheet, row: Iterable[Any]) -> None:
    """Append a row under the sheet's last one, every cell written as set_cell writes it."""
    ws.append(safe_row(row))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _store(cell: Any, value: Any) -> None:
    value = safe_cell(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
