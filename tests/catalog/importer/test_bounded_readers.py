"""Readers refuse hostile or oversized files with a message naming the limit, and read ordinary ones."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from matchmaker.catalog.importer.limits import ReadLimits
from matchmaker.catalog.importer.readers import ReadError, read_rows
from tests.catalog.importer.hostile_files import (
    NEED_HEADER,
    billion_laughs_xlsx,
    long_cell_csv,
    long_cell_xlsx,
    plain_xlsx,
    zip_bomb_xlsx,
)

SMALL = ReadLimits(max_rows=3, max_columns=5, max_cell_chars=50, max_file_bytes=2 * 1024 * 1024)


def _refused(name: str, data: bytes, limits: ReadLimits, setting: str) -> str:
    with pytest.raises(ReadError) as caught:
        read_rows(Path(name), data, limits)
    message = str(caught.value)
    assert setting in message, message
    return message


def test_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    message = _refused("n.xlsx", zip_bomb_xlsx(20), ReadLimits(), "MATCHMAKER_IMPORT_MAX_ZIP_RATIO")
    assert "sheet1.xml" in message


def test_archive_unpacking_past_the_inflated_limit_is_refused() -> None:
    limits = ReadLimits(max_inflated_bytes=8 * 1024 * 1024, max_zip_ratio=10_000)
    _refused("n.xlsx", zip_bomb_xlsx(20), limits, "MATCHMAKER_IMPORT_MAX_INFLATED_MB")


def test_billion_laughs_entities_are_refused_before_parsing() -> None:
    message = _refused("n.xlsx", billion_laughs_xlsx(), ReadLimits(), "DTD")
    assert "sheet1.xml" in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("n.csv", long_cell_csv(200_000)),  # past csv's own field limit too
        ("n.csv", long_cell_csv(60)),
        ("n.xlsx", long_cell_xlsx(60)),
        ("n.jsonl", json.dumps({"需求编号": "N-1", "需求描述": "测" * 60}).encode()),
    ],
)
def test_over_long_cell_is_refused_naming_row_and_limit(name: str, data: bytes) -> None:
    message = _refused(name, data, SMALL, "MATCHMAKER_IMPORT_MAX_CELL_CHARS")
    assert "2" in message or "1" in message  # the row (line) is named


def test_over_long_xlsx_cell_past_excels_own_limit_is_refused_by_default() -> None:
    _refused("n.xlsx", long_cell_xlsx(40_000), ReadLimits(), "MATCHMAKER_IMPORT_MAX_CELL_CHARS")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_too_many_rows_and_columns_are_refused(suffix: str) -> None:
    rows = [[f"N-{i}", "标题", "描述", "E1"] for i in range(4)]
    wide = [[*NEED_HEADER, "a", "b"], ["N-1", "标题", "描述", "E1", "x", "y"]]
    for body, setting in (
        (rows, "MATCHMAKER_IMPORT_MAX_ROWS"),
        (wide, "MATCHMAKER_IMPORT_MAX_COLUMNS"),
    ):
        table = body if body is wide else [NEED_HEADER, *body]
        _refused(f"n{suffix}", _encode(suffix, table), SMALL, setting)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"x,y\n" * 5_000)
    with pytest.raises(ReadError, match="MATCHMAKER_IMPORT_MAX_FILE_MB"):
        read_rows(path, None, ReadLimits(max_file_bytes=10_000))


def test_deeply_nested_json_is_a_read_error_not_a_crash() -> None:
    with pytest.raises(ReadError, match="嵌套过深"):
        read_rows(Path("n.jsonl"), b"[" * 100_000 + b"]" * 100_000, ReadLimits())


def test_ordinary_two_thousand_row_workbook_passes_the_default_limits() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(NEED_HEADER)
    for i in range(2_000):
        ws.append([f"N-{i:05d}", "废水处理工艺优化", "我们的企业希望降低废水处理成本。" * 5, "E1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    rows = read_rows(Path("n.xlsx"), buffer.getvalue(), ReadLimits())
    assert len(rows) == 2_000 and rows[-1].number == 2_001
    assert rows[0].cells["需求编号"] == "N-00000"


def test_a_declared_sheet_dimension_of_every_column_pads_no_row() -> None:
    source = zipfile.ZipFile(io.BytesIO(plain_xlsx([NEED_HEADER, ["N-1", "标题", "描述", "E1"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', part)
                assert b"XFD1048576" in part
            target.writestr(name, part)
    rows = read_rows(Path("n.xlsx"), out.getvalue(), SMALL)
    assert [r.cells["需求编号"] for r in rows] == ["N-1"]


def _encode(suffix: str, table: list[list[str]]) -> bytes:
    if suffix == ".csv":
        return "\n".join(",".join(row) for row in table).encode()
    if suffix == ".xlsx":
        return plain_xlsx(table)
    header, *rows = table
    return "\n".join(
        json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in rows
    ).encode()
