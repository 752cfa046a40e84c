"""Keep the search index in step with catalogue writes, so a change is searchable within a second."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

log = logging.getLogger("matchmaker.catalog.indexing")


class ItemIndex(Protocol):
    """What a write needs from the search index (the container's SearchIndex fits)."""

    def upsert_items(self, session: Session, kind: str, ids: Sequence[int]) -> object:
        """Embed and add (or replace) these items."""
        ...

    def delete_items(self, kind: str, ids: Sequence[int]) -> object:
        """Drop these items."""
        ...


def after_item_write(
    index: ItemIndex | None,
    session: Session,
    kind: str,
    ids: Sequence[int],
    *,
    deleted: bool = False,
) -> None:
    """Tell a loaded index about changed or deleted items (no-op without one, or for no items)."""
    if index is None or not ids:
        return
    try:
        if deleted:
            index.delete_items(kind, list(ids))
        else:
            index.upsert_items(session, kind, list(ids))
    except Exception:  # the write itself succeeded; the index repairs itself on the next sync
        log.exception("index update failed for %s %s", kind, list(ids))
