"""Helpers every CLI module shares: user-facing errors and printing."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer


class UserError(Exception):
    """A mistake the user can fix (bad file, unknown id, wrong option): printed without a traceback."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error in red to stderr and exit non-zero."""
    typer.secho(f"错误 Error: {message}", fg=typer.colors.RED, err=True)
    sys.exit(code)


def ok(message: str) -> None:
    """Print a success line."""
    typer.secho(message, fg=typer.colors.GREEN)


def benchmarks_on_path() -> None:
    """Make the top-level `benchmarks` folder importable: benchmarks live beside the package in a
    source checkout, not inside it, so `matchmaker bench …` works only from such a checkout."""
    import importlib.util
    from pathlib import Path

    if importlib.util.find_spec("benchmarks") is not None:
        return
    root = Path(__file__).resolve().parents[2]
    if not (root / "benchmarks" / "__init__.py").is_file():
        raise UserError(
            "基准测试只在源码检出中可用（找不到 benchmarks/ 目录）/ benchmarks run only from a "
            f"source checkout: no benchmarks/ folder beside {root / 'matchmaker'}"
        )
    sys.path.insert(0, str(root))
