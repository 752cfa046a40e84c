"""A machine with only the repository: every test and notebook that reads the shared real data
skips with the path it missed, while CI (CI set) fails on it instead of skipping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = [
    "notebooks/02-retrieval-quality.ipynb",
    "tests/retrieval/test_evaluate.py::test_keywords_set_lexical_from_shared_data",
    "tests/retrieval/test_evaluate.py::test_problem_set_hybrid_beats_each_signal_alone",
]


def _pytest(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["MATCHMAKER_SHARED_DATA"] = str(tmp_path / "no-shared-here")
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *READERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_shared_data_readers_skip_with_the_missing_path(tmp_path: Path) -> None:
    run = _pytest(tmp_path, ci=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "3 skipped" in run.stdout, run.stdout[-3000:]
    assert "shared data missing" in run.stdout and "no-shared-here" in run.stdout


def test_in_ci_missing_shared_data_is_a_failure_not_a_skip(tmp_path: Path) -> None:
    run = _pytest(tmp_path, ci=True)
    assert run.returncode != 0, run.stdout[-3000:]
    assert "skipped" not in run.stdout.splitlines()[-1], run.stdout[-3000:]
    assert "CI must have ../shared" in run.stdout, run.stdout[-3000:]
