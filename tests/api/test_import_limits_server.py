"""A running server refuses hostile uploads with 4xx and keeps its memory within 100 MiB (the
red-team's 3 MB zip bomb once drove it to 23.8 GB until the kernel killed it)."""

from __future__ import annotations

from pathlib import Path

from tests.catalog.importer.hostile_files import (
    NEED_HEADER,
    billion_laughs_xlsx,
    long_cell_csv,
    long_cell_xlsx,
    plain_xlsx,
    zip_bomb_xlsx,
)
from tests.server_process import MIB, organiser_key, running_server

BUDGET = 100 * MIB


def test_hostile_uploads_are_refused_within_memory_budget(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key = organiser_key(data_dir)
    hostile = [
        ("bomb.xlsx", zip_bomb_xlsx(200), "MATCHMAKER_IMPORT_MAX_ZIP_RATIO"),
        ("laughs.xlsx", billion_laughs_xlsx(), "DTD"),
        ("long.xlsx", long_cell_xlsx(40_000), "MATCHMAKER_IMPORT_MAX_CELL_CHARS"),
        ("long.csv", long_cell_csv(200_000), "MATCHMAKER_IMPORT_MAX_CELL_CHARS"),
    ]
    with running_server(data_dir) as server:
        # warm up: the xlsx reader and the import path are loaded by an ordinary refused upload
        warm = plain_xlsx([NEED_HEADER, ["N-1", "", "描述", "不存在的企业"]])
        status, _ = server.upload("/api/v1/imports/needs", "warm.xlsx", warm, key)
        assert status == 422
        start = server.peak_rss()
        for name, data, limit in hostile:
            status, body = server.upload("/api/v1/imports/needs", name, data, key)
            assert status in (413, 422), (name, status, body)
            assert limit in body["detail"], (name, body)
        grown = server.peak_rss() - start
        assert server.process.poll() is None
        status, _ = server.request("GET", "/health")
        assert status == 200
    print(f"server peak RSS grew {grown / MIB:.1f} MiB over {start / MIB:.0f} MiB")
    assert grown < BUDGET, f"peak RSS grew {grown / MIB:.0f} MiB"
