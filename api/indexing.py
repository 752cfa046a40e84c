"""Keep the search index in step with writes, so a change is searchable within a second."""

from __future__ import annotations

import logging

from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import loaded_index

log = logging.getLogger("matchmaker.api.indexing")


def after_item_write(
    request: Request, session: Session, kind: str, ids: list[int], *, deleted: bool = False
) -> None:
    """Tell the loaded search index about changed or deleted items (no-op when none is loaded)."""
    index = loaded_index(request)
    if index is None:
        return
    try:
        if deleted:
            index.delete_items(kind, ids)
        else:
            index.upsert_items(session, kind, ids)
    except Exception:  # the write itself succeeded; the index repairs itself on the next sync
        log.exception("index update failed for %s %s", kind, ids)
