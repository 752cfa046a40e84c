"""Hostile import files made on the fly: a zip bomb, billion laughs inside an xlsx, over-long cells."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import IO

from openpyxl import Workbook

NEED_HEADER = ["需求编号", "需求名称", "需求描述", "需求企业"]
SHEET = "xl/worksheets/sheet1.xml"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_OPEN = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"


def plain_xlsx(rows: list[list[str]]) -> bytes:
    """A small ordinary workbook (openpyxl writes its strings inline in the sheet part)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(ref: str, text: bytes) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>'.encode() + text + b"</t></is></c>"


def _header_row() -> bytes:
    cells = b"".join(
        _cell(f"{col}1", h.encode()) for col, h in zip("ABCD", NEED_HEADER, strict=True)
    )
    return b'<row r="1">' + cells + b"</row>"


def _with_sheet(write: Callable[[IO[bytes]], None]) -> bytes:
    """An ordinary workbook whose first sheet part is written by `write` (streamed, deflated)."""
    source = zipfile.ZipFile(io.BytesIO(plain_xlsx([NEED_HEADER])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.namelist():
            if item != SHEET:
                target.writestr(item, source.read(item))
        with target.open(SHEET, "w", force_zip64=True) as handle:
            write(handle)
    return out.getvalue()


def zip_bomb_xlsx(inflated_mib: int) -> bytes:
    """A workbook whose sheet inflates to `inflated_mib` MiB, one giant description cell (a few
    hundred KB on the wire): it opens as an ordinary xlsx in any zip tool."""
    chunk = b"A" * (1024 * 1024)

    def write(handle: IO[bytes]) -> None:
        handle.write(XML_HEAD + SHEET_OPEN + _header_row())
        handle.write(b'<row r="2">' + _cell("A2", b"N-1") + b'<c r="C2" t="inlineStr"><is><t>')
        for _ in range(inflated_mib):
            handle.write(chunk)
        handle.write(b"</t></is></c></row>" + SHEET_CLOSE)

    return _with_sheet(write)


def billion_laughs_xlsx(levels: int = 10) -> bytes:
    """A workbook whose sheet expands nested entities 10^levels times if a parser lets it."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for level in range(1, levels):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    doctype = ("<!DOCTYPE worksheet [" + "".join(entities) + "]>").encode()

    def write(handle: IO[bytes]) -> None:
        handle.write(XML_HEAD + doctype + SHEET_OPEN + _header_row())
        handle.write(
            b'<row r="2">' + _cell("A2", b"N-1") + _cell("C2", f"&lol{levels - 1};".encode())
        )
        handle.write(b"</row>" + SHEET_CLOSE)

    return _with_sheet(write)


def long_cell_xlsx(chars: int) -> bytes:
    """A workbook with one description cell of `chars` characters (past Excel's own 32,767)."""

    def write(handle: IO[bytes]) -> None:
        handle.write(XML_HEAD + SHEET_OPEN + _header_row())
        handle.write(b'<row r="2">' + _cell("A2", b"N-1") + _cell("C2", ("测" * chars).encode()))
        handle.write(b"</row>" + SHEET_CLOSE)

    return _with_sheet(write)


def long_cell_csv(chars: int) -> bytes:
    """A CSV with one description cell of `chars` characters."""
    return (",".join(NEED_HEADER) + "\n" + f"N-1,标题,{'测' * chars},E1\n").encode("utf-8")


def small_bad_csv() -> bytes:
    """A tiny CSV with one invalid row (the baseline: refused for an ordinary reason)."""
    return (",".join(NEED_HEADER) + "\nN-1,,描述,不存在的企业\n").encode("utf-8")
