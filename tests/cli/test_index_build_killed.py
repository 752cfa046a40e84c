"""kill -9 in the middle of indexing (the embedding after an import, and `matchmaker index build
--rebuild`), then run `matchmaker index build` again, as an operator would after a crash: the
index loads, holds exactly the database's items and finds each by its own title (issue 14)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from matchmaker.core.config import embedding_cache_dir

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ["锂电池", "果蔬分选", "稀土永磁", "桑蚕丝", "北斗定位", "糖蜜发酵", "铝合金压铸"]
ASKS = ["低温续航", "在线检测", "降本增效", "废料回收", "工艺优化", "自动化改造"]
COUNT = 120  # ~10 s of embedding on 2 cores: time to be killed in the middle


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.pop("DATABASE_URL", None)
    env.update(MATCHMAKER_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return env


def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        capture_output=True,
        text=True,
        env=_env(data_dir),
        timeout=900,
    )


def _titles() -> list[str]:
    return [f"{FIELDS[i % len(FIELDS)]}{ASKS[i % len(ASKS)]}需求第{i}号" for i in range(COUNT)]


def _write_files(folder: Path) -> tuple[Path, Path]:
    orgs = folder / "orgs.csv"
    orgs.write_text("机构名称,机构类型,省份\n柳州示范制造有限公司,企业,广西\n", encoding="utf-8")
    needs = folder / "needs.csv"
    rows = [
        f"N-K-{i:03d},{title},我们厂想解决{title}的问题，现有产线第{i}段返工多、能耗高。,柳州示范制造有限公司"
        for i, title in enumerate(_titles())
    ]
    needs.write_text("需求编号,需求名称,需求描述,需求企业\n" + "\n".join(rows) + "\n", "utf-8")
    return orgs, needs


def _kill_midway(args: list[str], data_dir: Path, started: Callable[[], bool]) -> None:
    """Start a command, wait until `started()` says it is at work, then SIGKILL it 1 s later."""
    process = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(data_dir),
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None and not started():
        time.sleep(0.05)
    time.sleep(1.0)
    assert process.poll() is None, "the command ended before it could be killed midway"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def _stored_count(data_dir: Path) -> int:
    try:
        with sqlite3.connect(data_dir / "matchmaker.db", timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM needs").fetchone()[0])
    except sqlite3.Error:
        return 0


def _database_needs(data_dir: Path) -> dict[int, str]:
    with sqlite3.connect(data_dir / "matchmaker.db") as db:
        return dict(db.execute("SELECT id, title FROM needs").fetchall())


def _index_answers(data_dir: Path) -> tuple[set[int], dict[str, int]]:
    """The need ids the saved index holds and, per title, the first hit of a search for it."""
    script = (  # the saved index as the files hold it, without the sync a server would run
        "import json, sys\n"
        "from matchmaker.core.container import get_container\n"
        "from matchmaker.retrieval.index.persist import read_saved\n"
        "from matchmaker.retrieval.index.service import SearchIndex\n"
        "c = get_container()\n"
        "index = SearchIndex(c.embedder, c.settings.index_dir, cache=c.embedding_cache)\n"
        "assert read_saved(index) is None, 'the saved index does not load'\n"
        "ids, _ = index.vectors('need')\n"
        "firsts = {t: index.search(t, 'need', k=1)[0].id for t in json.loads(sys.argv[1])}\n"
        "print(json.dumps({'ids': [int(i) for i in ids], 'firsts': firsts}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(_titles(), ensure_ascii=False)],
        capture_output=True,
        text=True,
        env=_env(data_dir),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return set(found["ids"]), found["firsts"]


def test_a_killed_indexing_is_finished_by_the_next_build(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    orgs, needs = _write_files(tmp_path)
    assert _cli(["import", "organisations", str(orgs)], data_dir).returncode == 0

    # the import commits the rows, then embeds them: killed while it embeds
    _kill_midway(["import", "needs", str(needs)], data_dir, lambda: _stored_count(data_dir) > 0)
    stored = _database_needs(data_dir)
    assert len(stored) == COUNT, "the import commits before it embeds"

    built = _cli(["index", "build"], data_dir)
    assert built.returncode == 0, built.stderr
    ids, firsts = _index_answers(data_dir)
    assert ids == set(stored), "the index holds exactly the database's needs"
    by_title = {title: item_id for item_id, title in stored.items()}
    assert all(firsts[title] == by_title[title] for title in _titles())

    shutil.rmtree(embedding_cache_dir(data_dir))  # so the rebuild has to embed everything again
    _kill_midway(["index", "build", "--rebuild"], data_dir, lambda: True)
    rebuilt = _cli(["index", "build"], data_dir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    ids, firsts = _index_answers(data_dir)
    assert ids == set(stored)
    assert all(firsts[title] == by_title[title] for title in _titles())
