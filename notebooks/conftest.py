"""Notebooks run as tests (nbmake); one that reads the shared real data lists it in its metadata
(`"matchmaker": {"shared_data": ["csl-dev/keywords/corpus.jsonl"]}`) and is skipped with the
missing path on a machine that has only the repository — but fails in CI (tests/shared_data.py)."""

from __future__ import annotations

import json

import pytest

from tests.shared_data import require_shared


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a notebook runs, check the shared data it declares."""
    path = getattr(item, "path", None)
    if path is None or path.suffix != ".ipynb":
        return
    metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    for relative in metadata.get("matchmaker", {}).get("shared_data", []):
        require_shared(relative)
