"""Parsed import rows as a compact JSON payload (gzip), kept in the database until written."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Sequence
from typing import Any

from matchmaker.catalog.importer.readers import RawRow


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, dt.time):
        return {"__time__": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__} in an import payload")


def _decode(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        if "__datetime__" in value:
            return dt.datetime.fromisoformat(value["__datetime__"])
        if "__date__" in value:
            return dt.date.fromisoformat(value["__date__"])
        if "__time__" in value:
            return dt.time.fromisoformat(value["__time__"])
    return value


def dump_rows(rows: Sequence[RawRow]) -> bytes:
    """Rows (numbers and cells, dates kept as dates) as gzip-compressed JSON."""
    body = [[row.number, row.cells] for row in rows]
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_encode)
    return gzip.compress(text.encode("utf-8"), compresslevel=1)


def load_rows(blob: bytes) -> list[RawRow]:
    """The rows `dump_rows` stored, in their order."""
    body = json.loads(gzip.decompress(blob).decode("utf-8"), object_hook=_decode)
    return [RawRow(int(number), dict(cells)) for number, cells in body]
