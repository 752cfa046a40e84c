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
