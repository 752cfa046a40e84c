"""`matchmaker maps …` and `matchmaker report` as a user runs them: files written, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from openpyxl import load_workbook

from matchmaker.store.db import make_engine, session_factory, upgrade
from tests.maps.map_helpers import database_texts, load_world, prime_cache
from tests.maps.test_map_chains import BAD_CSV, GOOD_CSV


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_maps_import_refuses_a_bad_file_and_keeps_the_good_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    bad.write_text(BAD_CSV, encoding="utf-8")
    out = run(["maps", "import", str(good)], data)
    assert out.returncode == 0, out.stderr
    assert "智能网联汽车（icv）：4 个环节" in out.stdout
    out = run(["maps", "import", str(bad)], data)
    assert out.returncode == 2
    assert "第 3 行" in out.stderr and "环节位置" in out.stderr
    assert "未导入任何产业链" in out.stderr and "Traceback" not in out.stderr
    out = run(["maps", "chains", "--industry", "智能网联汽车"], data)
    assert "已导入 imported" in out.stdout and "车规芯片 [chips]" in out.stdout


def test_maps_show_writes_svg_png_xlsx_and_report_writes_xlsx(tmp_path: Path) -> None:
    data = tmp_path / "data"
    engine = make_engine(f"sqlite:///{data / 'matchmaker.db'}")
    upgrade(engine)
    with session_factory(engine)() as session:
        load_world(session)
        prime_cache(data, database_texts(session))
    engine.dispose()
    svg, png, xlsx = tmp_path / "m.svg", tmp_path / "m.png", tmp_path / "m.xlsx"
    out = run(
        [
            "maps",
            "show",
            "--park",
            "测试柳州高新区",
            "--svg",
            str(svg),
            "--png",
            str(png),
            "--xlsx",
            str(xlsx),
        ],
        data,
    )
    assert out.returncode == 0, out.stderr
    assert "[缺失] 中游 · 线控底盘" in out.stdout
    assert "候选东部企业：上海测试线控科技有限公司" in out.stdout
    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "缺口与候选 Gaps" in load_workbook(xlsx).sheetnames
    report = tmp_path / "r.xlsx"
    out = run(["report", "--park", "T-LZ", "--period", "2026Q4", "--out", str(report)], data)
    assert out.returncode == 0, out.stderr
    assert "测试柳州高新区 · 2026 年第 4 季度" in out.stdout
    assert "转化漏斗 Funnel" in load_workbook(report).sheetnames
    out = run(["report", "--park", "T-LZ", "--period", "2026Q5"], data)
    assert out.returncode == 2 and "统计期格式无效" in out.stderr
    out = run(["maps", "show", "--park", "NOPE"], data)
    assert out.returncode == 2 and "找不到园区" in out.stderr
