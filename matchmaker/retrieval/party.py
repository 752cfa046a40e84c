"""Who is asking: the searcher's own open item a search is made for, whose rejected pairs it hides.

An enterprise searching achievements searches for one of its needs (and the other way round); a
pair it marked "not relevant" for that item is not shown again. The item is the one the searcher
picked, else their item closest to the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import TECH_TRANSFER
from matchmaker.store.models import ITEM_MODELS, Achievement, Need

# For an item kind searched: the track and source kind a "not relevant" verdict is stored on.
FEEDBACK_ROUTES: dict[str, tuple[str, str]] = {
    "achievement": (TECH_TRANSFER, "need"),
    "need": (TECH_TRANSFER, "achievement"),
}
CONTEXT_DEPTH = 100  # hits searched for the searcher's own item closest to the query


@dataclass(frozen=True)
class AskingParty:
    """The searcher's item a search is for, and the other open items they could pick instead."""

    track: str
    kind: str
    item: Any  # the chosen ORM item
    options: list[Any]
    auto: bool  # chosen as closest to the query, not picked by the searcher

    @property
    def key(self) -> tuple[str, int]:
        """(kind, id) of the chosen item: the party whose rejections are excluded."""
        return self.kind, int(self.item.id)


def route_for(kind: str) -> tuple[str, str] | None:
    """(track, source kind) feedback on results of `kind` is recorded on; None when there is none."""
    return FEEDBACK_ROUTES.get(kind)


def own_open_items(session: Session, organisation_id: int, source_kind: str) -> list[Any]:
    """An organisation's active items of one kind, most recently changed first."""
    model: Any = ITEM_MODELS[source_kind]
    owner = Need.enterprise_id if source_kind == "need" else Achievement.owner_id
    return list(
        session.scalars(
            select(model)
            .where(owner == organisation_id, model.status == "active")
            .order_by(model.updated_at.desc(), model.id.desc())
        )
    )
