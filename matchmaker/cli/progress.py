"""Progress of long embedding work in the CLI: a live bar in a terminal, and plain lines (at most
one every few seconds, plus the last) when the output goes to a log or a pipe."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import typer

Progress = Callable[[str, int, int], None]  # (kind, done, total)
LOG_EVERY_SECONDS = 5.0


def _to_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def embedding_progress(
    label: str = "嵌入 embedding", *, transient: bool = False, stream: TextIO | None = None
) -> Iterator[Progress]:
    """A progress callback for `SearchIndex.sync`/`load`: a bar where a person watches, dated
    lines where a log records (a bar written to a file prints nothing until the end)."""
    out = stream if stream is not None else sys.stdout
    if _to_terminal(out):
        with _bar(label, transient) as callback:
            yield callback
        return
    yield _lines(label, out)


@contextmanager
def _bar(label: str, transient: bool) -> Iterator[Progress]:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Bar(*columns, transient=transient) as bar:
        tasks: dict[str, Any] = {}

        def progress(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = bar.add_task(f"{label} {kind}", total=max(total, 1))
            bar.update(tasks[kind], completed=done if total else 1, total=max(total, 1))

        yield progress


def _lines(label: str, out: TextIO) -> Progress:
    last: dict[str, float] = {}
    started: dict[str, float] = {}

    def progress(kind: str, done: int, total: int) -> None:
        now = time.monotonic()
        started.setdefault(kind, now)
        finished = done >= total
        if kind in last and not finished and now - last[kind] < LOG_EVERY_SECONDS:
            return
        if finished and last.get(kind) == -1.0:
            return  # the last line of this kind is out already
        last[kind] = -1.0 if finished else now
        elapsed = now - started[kind]
        typer.echo(f"{label} {kind}: {done}/{total}（{elapsed:.0f} 秒 s）", file=out)
        out.flush()

    return progress
