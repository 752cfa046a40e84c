"""Where the shared real data lives and the one rule for every test and notebook that reads it.

The data sits in `../shared/data` beside the checkout (CI lays it there) or wherever
MATCHMAKER_SHARED_DATA points. On a machine that has only the repository such a test skips with
the path it looked for; in CI (CI set) a missing file is a failure, never a silent skip.
Notebooks declare what they read in their metadata (`"matchmaker": {"shared_data": [...]}`),
checked by `notebooks/conftest.py` before the notebook runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_ENV = "MATCHMAKER_SHARED_DATA"


def shared_data_dir() -> Path:
    """The shared data folder: $MATCHMAKER_SHARED_DATA, else ../shared/data beside the checkout."""
    configured = os.environ.get(SHARED_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def require_shared(relative: str) -> Path:
    """The path of a shared data file or folder, or skip (outside CI) / fail (in CI) saying
    which path is missing."""
    path = shared_data_dir() / relative
    if path.exists():
        return path
    why = f"共享数据缺失 / shared data missing: {path}"
    if os.environ.get("CI"):
        pytest.fail(f"{why} — CI must have ../shared beside the checkout")
    pytest.skip(f"{why} (only the repository is here; CI runs this)")
