"""`matchmaker import` refuses a zip bomb, billion laughs and over-long cells with exit 2, and its
memory stays within 100 MiB of an ordinary refused import (peak RSS of the child process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalog.importer.hostile_files import (
    billion_laughs_xlsx,
    long_cell_csv,
    long_cell_xlsx,
    small_bad_csv,
    zip_bomb_xlsx,
)
from tests.server_process import MIB, child_env

BUDGET = 100 * MIB


def _import(tmp_path: Path, name: str, data: bytes) -> tuple[int, int, str]:
    """(exit code, peak RSS in bytes, stderr) of `matchmaker import needs FILE` in a child."""
    path = tmp_path / name
    path.write_bytes(data)
    with (tmp_path / f"{name}.err").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "matchmaker", "import", "needs", str(path)],
            env=child_env(tmp_path / "data"),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024, (tmp_path / f"{name}.err").read_text()


@pytest.mark.parametrize(
    ("name", "make", "limit"),
    [
        ("bomb.xlsx", lambda: zip_bomb_xlsx(200), "MATCHMAKER_IMPORT_MAX_ZIP_RATIO"),
        ("laughs.xlsx", billion_laughs_xlsx, "DTD"),
        ("long.xlsx", lambda: long_cell_xlsx(40_000), "MATCHMAKER_IMPORT_MAX_CELL_CHARS"),
        ("long.csv", lambda: long_cell_csv(200_000), "MATCHMAKER_IMPORT_MAX_CELL_CHARS"),
    ],
)
def test_hostile_file_exits_2_within_memory_budget(
    tmp_path: Path, name: str, make: object, limit: str
) -> None:
    base_code, base_peak, _ = _import(tmp_path, "bad.csv", small_bad_csv())
    assert base_code == 2
    code, peak, err = _import(tmp_path, name, make())  # type: ignore[operator]
    assert code == 2, err
    assert limit in err and "Traceback" not in err, err
    assert peak - base_peak < BUDGET, f"{name}: peak {peak / MIB:.0f} MiB vs {base_peak / MIB:.0f}"
    print(f"{name}: peak RSS {peak / MIB:.0f} MiB, baseline {base_peak / MIB:.0f} MiB")
