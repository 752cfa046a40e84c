"""The ranking commands as a user runs them: JSON output, feedback that sticks, clear errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from matchmaker.ranking.service import Recommender
from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.embed.cache import CACHE_FILE
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.store.db import make_engine, session_factory, upgrade
from tests.ranking.conftest import populate


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


@pytest.fixture(scope="module")
def data_dir(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, rank_cache_dir: Path
) -> Path:
    """A data directory holding the hand-written world and an embedding cache that knows its texts
    (shared by this module's tests: the error cases change nothing)."""
    directory = tmp_path_factory.mktemp("rank-cli") / "data"
    engine = make_engine(f"sqlite:///{directory / 'matchmaker.db'}")
    upgrade(engine)
    cache = EmbeddingCache(rank_cache_dir)
    with session_factory(engine)() as session:
        world = populate(session)
        index = SearchIndex(embedder, None, cache=cache)
        index.sync(session)
        # one ranking embeds the organisation and park texts too: the cache now knows every text
        Recommender(index, data_dir=directory).recommend(
            session, "scenario", "scenario", world["S-LZ-QC"]
        )
    cache.close()
    engine.dispose()
    (directory / "cache").mkdir(parents=True)
    shutil.copy(rank_cache_dir / CACHE_FILE, directory / "cache" / CACHE_FILE)
    return directory


def test_recommend_feedback_and_errors_from_the_command_line(data_dir: Path) -> None:
    args = ["recommend", "--track", "tech-transfer", "--need", "N-VIS", "-k", "3", "--json"]
    out = run(args, data_dir)
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)["achievement"]
    assert first[0]["target"]["external_id"] == "A-VIS-7"
    assert any(r["text"].startswith("成熟度 TRL7") for r in first[0]["reasons"])

    record = [
        "feedback",
        "record",
        "--track",
        "tech-transfer",
        "--source",
        "need:N-VIS",
        "--target",
        "achievement:A-VIS-7",
        "--action",
        "reject",
        "--reason",
        "too_early",
        "--by",
        "罗工",
    ]
    out = run(record, data_dir)
    assert out.returncode == 0 and "已记录" in out.stdout, out.stderr
    again = json.loads(run(args, data_dir).stdout)["achievement"]
    assert "A-VIS-7" not in [r["target"]["external_id"] for r in again]
    listing = run(["feedback", "list"], data_dir)
    assert (
        "need:N-VIS → achievement:A-VIS-7" in listing.stdout
        and "拒绝（技术太早期）" in listing.stdout
    )

    text = run(["recommend", "--track", "scenario", "--scenario", "S-LZ-QC", "-k", "2"], data_dir)
    assert (
        text.returncode == 0 and "解决方案提供方" in text.stdout and "京华理工大学" in text.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["recommend", "--track", "fast", "--need", "N-VIS"], "未知的赛道"),
        (["recommend", "--track", "scenario", "--need", "N-VIS"], "场景驱动"),
        (["recommend", "--track", "tech-transfer", "--need", "N-NOPE"], "找不到"),
        (["recommend", "--track", "tech-transfer"], "--need"),
        (
            [
                "feedback",
                "record",
                "--track",
                "tech-transfer",
                "--source",
                "need:N-VIS",
                "--target",
                "achievement:A-VIS-7",
                "--action",
                "maybe",
            ],
            "未知的反馈动作",
        ),
    ],
)
def test_user_mistakes_get_a_message_not_a_traceback(
    data_dir: Path, args: list[str], message: str
) -> None:
    out = run(args, data_dir)
    assert out.returncode == 2, out.stdout
    assert message in out.stderr and "Traceback" not in out.stderr
