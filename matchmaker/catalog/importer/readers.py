"""Read a CSV, XLSX or JSON Lines file into raw rows, keeping the row numbers a person sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def read_rows(path: Path, data: bytes | None = None) -> list[RawRow]:
    """Rows of a file by its suffix; `data` lets the API pass an upload without writing it to disk."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            f"不支持的文件类型 {suffix or '(无后缀)'}，请使用 .csv、.xlsx 或 .jsonl / "
            f"unsupported file type, use .csv, .xlsx or .jsonl"
        )
    if data is None:
        if not path.exists():
            raise ReadError(f"文件不存在 / file not found: {path}")
        data = path.read_bytes()
    if suffix == ".csv":
        return _read_csv(decode_csv_bytes(data))
    if suffix == ".xlsx":
        return _read_xlsx(data)
    return _read_jsonl(data)


def _read_csv(text: str) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    out = []
    for i, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        cells = {header[j]: values[j] for j in range(min(len(header), len(values))) if header[j]}
        out.append(RawRow(i, cells))
    return out


def _read_xlsx(data: bytes) -> list[RawRow]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise ReadError(f"无法读取 XLSX 文件 / cannot read the XLSX file: {exc}") from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for i, values in enumerate(rows[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cells: dict[str, Any] = {}
        for j, v in enumerate(values):
            if j < len(header) and header[j] and v is not None:
                cells[header[j]] = v.date() if isinstance(v, dt.datetime) else v
        out.append(RawRow(i, cells))
    return out


def _read_jsonl(data: bytes) -> list[RawRow]:
    text = decode_csv_bytes(data)
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReadError(
                f"第 {i} 行不是合法的 JSON / line {i} is not valid JSON: {exc.msg}"
            ) from exc
        if not isinstance(obj, dict):
            raise ReadError(f"第 {i} 行应为 JSON 对象 / line {i} must be a JSON object")
        out.append(RawRow(i, obj))
    return out
