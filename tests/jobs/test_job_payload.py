"""Parsed import rows survive being stored with their job: numbers, text and dates alike."""

from __future__ import annotations

import datetime as dt

from matchmaker.catalog.importer.readers import RawRow
from matchmaker.jobs.payload import dump_rows, load_rows


def test_rows_round_trip_with_dates_and_chinese_text() -> None:
    rows = [
        RawRow(2, {"成果名称": "甘蔗收割机", "成熟度": 6, "日期": dt.date(2026, 12, 3)}),
        RawRow(3, {"成果名称": "罗汉果", "时间": dt.datetime(2026, 1, 2, 3, 4, 5), "空": None}),
    ]
    assert load_rows(dump_rows(rows)) == rows
