"""Read a CSV, XLSX or JSON Lines file into raw rows, keeping the row numbers a person sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchmaker.catalog.importer.limits import LimitExceeded, ReadLimits, check_xlsx_archive

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".jsonl", ".json", ".ndjson")


class ReadError(Exception):
    """The file as a whole cannot be read (unknown format, undecodable, malformed line)."""


@dataclass
class RawRow:
    """One input row: its number as shown in the file (spreadsheet row or JSONL line) and its cells."""

    number: int
    cells: dict[str, Any]


def decode_csv_bytes(data: bytes) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM) or, failing that, GBK/GB18030 (Chinese Excel exports)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:  # a UTF-8 BOM, then bytes that are not UTF-8
            raise ReadError(
                f"文件以 UTF-8 BOM 开头，但内容不是有效的 UTF-8 / not valid UTF-8 after the BOM: {exc}"
            ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"无法识别文件编码（支持 UTF-8、UTF-8 BOM、GBK）/ cannot decode the file: {exc}"
        ) from exc


def read_rows(
    path: Path, data: bytes | None = None, limits: ReadLimits | None = None
) -> list[RawRow]:
    """Rows of a file by its suffix; `data` lets the API pass an upload without writing it to disk.

    Reads are bounded (`limits`, default from the settings): rows, columns, cell length, file
    size and, for XLSX, unpacked size, compression ratio and XML entities; past any limit the
    whole file is refused with a ReadError naming the limit."""
    limits = limits or ReadLimits.from_settings()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            f"不支持的文件类型 {suffix or '(无后缀)'}，请使用 .csv、.xlsx 或 .jsonl / "
            f"unsupported file type, use .csv, .xlsx or .jsonl"
        )
    try:
        if data is None:
            if not path.exists():
                raise ReadError(f"文件不存在 / file not found: {path}")
            limits.check_file_size(path.stat().st_size)
            data = path.read_bytes()
        limits.check_file_size(len(data))
        if suffix == ".csv":
            return _read_csv(decode_csv_bytes(data), limits)
        if suffix == ".xlsx":
            return _read_xlsx(data, limits)
        return _read_jsonl(data, limits)
    except LimitExceeded as exc:
        raise ReadError(str(exc)) from exc


def _read_csv(text: str, limits: ReadLimits) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text))
    out: list[RawRow] = []
    header: list[str] | None = None
    try:
        for line, values in enumerate(reader, start=1):  # record number = spreadsheet row
            if len(values) > limits.max_columns:
                raise limits.too_many_columns(line)
            if header is None:
                header = [h.strip() for h in values]
                continue
            if not any(v.strip() for v in values):
                continue
            if len(out) >= limits.max_rows:
                raise limits.too_many_rows()
            cells: dict[str, Any] = {}
            for j in range(min(len(header), len(values))):
                if header[j]:
                    limits.check_cell(line, header[j], values[j])
                    cells[header[j]] = values[j]
            out.append(RawRow(line, cells))
    except csv.Error as exc:  # a field over csv's own size limit, a NUL byte…
        if "field larger than field limit" in str(exc):
            raise ReadError(
                f"第 {reader.line_num} 行有单元格超过 {csv.field_size_limit()} 个字符（上限 "
                f"{limits.max_cell_chars}，MATCHMAKER_IMPORT_MAX_CELL_CHARS）/ line "
                f"{reader.line_num}: a cell is over the {limits.max_cell_chars}-character cell "
                "limit (MATCHMAKER_IMPORT_MAX_CELL_CHARS)"
            ) from exc
        raise ReadError(
            f"第 {reader.line_num} 行无法解析 / line {reader.line_num} cannot be read: {exc}"
        ) from exc
    return out


def _read_xlsx(data: bytes, limits: ReadLimits) -> list[RawRow]:
    from openpyxl import load_workbook

    check_xlsx_archive(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise ReadError(f"无法读取 XLSX 文件 / cannot read the XLSX file: {exc}") from exc
    try:
        return _xlsx_rows(wb.worksheets[0], limits)
    except LimitExceeded:
        raise
    except Exception as exc:  # broken sheet XML found while streaming
        raise ReadError(f"无法读取 XLSX 文件 / cannot read the XLSX file: {exc}") from exc
    finally:
        wb.close()


def _xlsx_rows(ws: Any, limits: ReadLimits) -> list[RawRow]:
    """Stream the sheet's rows (read-only mode), at most one column past the limit per row."""
    out: list[RawRow] = []
    header: list[str] | None = None
    width = limits.max_columns + 1  # a declared A1:XFD… dimension pads no row past this
    for i, values in enumerate(ws.iter_rows(max_col=width, values_only=True), start=1):
        if len(values) > limits.max_columns and values[limits.max_columns] is not None:
            raise limits.too_many_columns(i)
        if header is None:
            header = [str(h).strip() if h is not None else "" for h in values]
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(out) >= limits.max_rows:
            raise limits.too_many_rows()
        cells: dict[str, Any] = {}
        for j, v in enumerate(values):
            if j < len(header) and header[j] and v is not None:
                limits.check_cell(i, header[j], v)
                cells[header[j]] = v.date() if isinstance(v, dt.datetime) else v
        out.append(RawRow(i, cells))
    return out


def _read_jsonl(data: bytes, limits: ReadLimits) -> list[RawRow]:
    text = decode_csv_bytes(data)
    out: list[RawRow] = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(out) >= limits.max_rows:
            raise limits.too_many_rows()
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReadError(
                f"第 {i} 行不是合法的 JSON / line {i} is not valid JSON: {exc.msg}"
            ) from exc
        except RecursionError as exc:  # "[[[[…" nested past the parser's depth
            raise ReadError(f"第 {i} 行 JSON 嵌套过深 / line {i}: JSON nested too deeply") from exc
        if not isinstance(obj, dict):
            raise ReadError(f"第 {i} 行应为 JSON 对象 / line {i} must be a JSON object")
        if len(obj) > limits.max_columns:
            raise limits.too_many_columns(i)
        for key, value in obj.items():
            limits.check_cell(i, str(key), value)
        out.append(RawRow(i, obj))
    return out
