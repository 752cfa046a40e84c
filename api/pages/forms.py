"""Lenient reading of page query strings and forms: bad values are ignored and named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

from matchmaker.core.text import scrub_text


def to_int(value: Any, low: int, high: int) -> int | None:
    """An integer within [low, high], or None for anything else."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def text(params: Mapping[str, Any], name: str, limit: int, *, multiline: bool = False) -> str:
    """A trimmed text field cut to `limit` characters, cleaned by the boundary text rules
    (core.text): control characters, NUL and bidi overrides are removed, not refused."""
    value = params.get(name)
    if value is None:
        return ""
    return scrub_text(str(value)[: limit * 2], multiline=multiline).strip()[:limit]


async def read_form(request: Request) -> FormData:
    """The posted form (URL-encoded or multipart)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]
"""The posted form, read on the event loop before a (sync) page handler runs on a worker
thread: page handlers that write to the database or compute never run on the loop."""


def wants_json(request: Request) -> bool:
    """Whether the caller (the page's JavaScript) asked for JSON instead of a redirect."""
    return "application/json" in request.headers.get("accept", "")
