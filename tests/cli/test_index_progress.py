"""`matchmaker index build` writing to a log (no terminal), as a service manager or `> build.log`
records it: progress lines appear while it embeds, not only when it is done (issue 14)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matchmaker.cli import progress as progress_module
from matchmaker.cli.progress import embedding_progress

ROOT = Path(__file__).resolve().parents[2]
COUNT = 400  # ~20 s of embedding on 2 cores: progress lines come every 5 s


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.pop("DATABASE_URL", None)
    env.update(MATCHMAKER_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return env


def test_a_log_gets_progress_lines_while_the_build_embeds(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("机构名称,机构类型,省份\n北海示范电子有限公司,企业,广西\n", encoding="utf-8")
    needs = tmp_path / "needs.csv"
    rows = [
        f"N-P-{i:03d},第{i}条产线的贴片良率提升,贴片机第{i}号工位虚焊多，想找视觉检测方案。,北海示范电子有限公司"
        for i in range(COUNT)
    ]
    needs.write_text("需求编号,需求名称,需求描述,需求企业\n" + "\n".join(rows) + "\n", "utf-8")
    env = _env(data_dir)
    for kind, path in (("organisations", orgs), ("needs", needs)):
        done = subprocess.run(
            [sys.executable, "-m", "matchmaker", "import", kind, str(path), "--defer-embedding"]
            if kind == "needs"
            else [sys.executable, "-m", "matchmaker", "import", kind, str(path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr

    log = tmp_path / "build.log"
    with log.open("w") as out:
        build = subprocess.Popen(
            [sys.executable, "-m", "matchmaker", "index", "build"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        seen_midway = False
        deadline = time.monotonic() + 600
        while build.poll() is None and time.monotonic() < deadline:
            counts = [int(m) for m in re.findall(rf"need: (\d+)/{COUNT}", log.read_text("utf-8"))]
            if any(0 < c < COUNT for c in counts):
                seen_midway = True
            time.sleep(0.2)
        assert build.wait(timeout=60) == 0, log.read_text("utf-8")
    text = log.read_text("utf-8")
    assert seen_midway, f"no progress line appeared while embedding:\n{text}"
    assert f"need: {COUNT}/{COUNT}" in text
    assert "\x1b[" not in text, "no terminal control codes in a log"


def test_lines_are_spaced_out_and_the_last_one_is_always_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([0.0, 1.0, 2.0, 6.0, 6.5, 7.0])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    with embedding_progress("嵌入 embedding", stream=out) as progress:
        for done in (0, 32, 64, 96, 128, 160):
            progress("need", done, 160)
    lines = out.getvalue().splitlines()
    assert [line.split(": ")[1].split("（")[0] for line in lines] == ["0/160", "96/160", "160/160"]
