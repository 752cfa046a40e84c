"""One entry point for imports, shared by the CLI, the API and the demo loader."""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy.orm import Session

from matchmaker.catalog.fields import KIND_ALIASES
from matchmaker.catalog.importer import EXTRA_KINDS
from matchmaker.catalog.importer.apply import ImportFailed, ImportReport, apply_validation
from matchmaker.catalog.importer.readers import RawRow, ReadError, read_rows
from matchmaker.catalog.importer.validate import validate_rows
from matchmaker.catalog.indexing import ItemIndex, after_item_write
from matchmaker.catalog.kinds import PLURAL_KINDS
from matchmaker.core.errors import NotFound
from matchmaker.core.kinds import ITEM_KINDS


class UnknownKind(ValueError):
    """The import kind is not one of organisations, parks, achievements, needs, scenarios."""


def resolve_kind(kind: str) -> str:
    """Canonical import kind from what the user typed (English or Chinese, singular or plural)."""
    key = kind.strip().lower()
    if key in KIND_ALIASES:
        return KIND_ALIASES[key]
    if key + "s" in KIND_ALIASES:
        return KIND_ALIASES[key + "s"]
    if key in EXTRA_KINDS:
        return EXTRA_KINDS[key][0]
    raise UnknownKind(
        f"未知的数据类型“{kind}”，可选：organisations, parks, achievements, needs, scenarios / unknown kind"
    )


def import_rows(
    session: Session, kind: str, rows: list[RawRow], *, skip_invalid: bool = False
) -> ImportReport:
    """Validate and upsert rows inside the session's transaction (the caller commits or rolls back)."""
    kind = resolve_kind(kind)
    extra = next((target for name, target in EXTRA_KINDS.values() if name == kind), None)
    if extra is not None:
        module, _, function = extra.partition(":")
        importer = getattr(importlib.import_module(module), function)
        return importer(session, rows, skip_invalid=skip_invalid)
    return apply_validation(session, kind, validate_rows(kind, rows), skip_invalid=skip_invalid)


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    data: bytes | None = None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Read a CSV / XLSX / JSONL file and import it; ImportFailed or ReadError leave the session unwritten."""
    return import_rows(session, kind, read_rows(path, data), skip_invalid=skip_invalid)


def read_upload(kind: str, filename: str, data: bytes) -> list[RawRow]:
    """The rows of an uploaded file of one catalogue kind (plural, as in URLs), bounded by the
    import limits; NotFound for an unknown kind, ReadError for an unreadable file."""
    if kind not in PLURAL_KINDS:
        raise NotFound(f"未知的数据类型“{kind}” / unknown kind")
    return read_rows(Path(Path(filename).name), data)


def import_upload_rows(
    session: Session,
    kind: str,
    rows: list[RawRow],
    *,
    skip_invalid: bool = False,
    index: ItemIndex | None = None,
) -> ImportReport:
    """Import the rows of an upload, commit, and make the changed items searchable at once; on
    ImportFailed nothing is written."""
    try:
        report = import_rows(session, kind, rows, skip_invalid=skip_invalid)
        session.commit()
    except ImportFailed:
        session.rollback()
        raise
    if PLURAL_KINDS[kind] in ITEM_KINDS:
        after_item_write(index, session, PLURAL_KINDS[kind], report.changed_ids)
    return report


def import_upload(
    session: Session,
    kind: str,
    filename: str,
    data: bytes,
    *,
    skip_invalid: bool = False,
    index: ItemIndex | None = None,
) -> ImportReport:
    """Import an uploaded file of one catalogue kind (plural, as in URLs), commit, and make the
    changed items searchable at once; on ReadError or ImportFailed nothing is written."""
    rows = read_upload(kind, filename, data)
    return import_upload_rows(session, kind, rows, skip_invalid=skip_invalid, index=index)


__all__ = [
    "ImportFailed",
    "ImportReport",
    "ReadError",
    "UnknownKind",
    "import_file",
    "import_upload",
    "import_upload_rows",
    "read_upload",
    "import_rows",
    "resolve_kind",
]
