"""The catalogue's record kinds: the three item kinds (defined in core.kinds) plus parks and
organisations, their tables, the plural names files and URLs use, and who owns an item."""

from __future__ import annotations

from typing import Any, Literal, get_args

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.store.models import ITEM_MODELS, Organisation, Park

RecordKind = Literal["park", "organisation", "achievement", "need", "scenario"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
RECORD_MODELS: dict[str, type[Any]] = {"park": Park, "organisation": Organisation, **ITEM_MODELS}
# "achievements" -> "achievement": import kinds and URL segments are the plural names.
PLURAL_KINDS: dict[str, str] = {f"{kind}s": kind for kind in RECORD_KINDS}
LABEL_ZH: dict[str, str] = {
    "park": "园区",
    "organisation": "机构",
    "achievement": "成果",
    "need": "需求",
    "scenario": "场景",
}
# The column naming the organisation that owns (speaks for) an item.
OWNER_COLUMN: dict[str, str] = {
    "achievement": "owner_id",
    "need": "enterprise_id",
    "scenario": "owner_id",
}

assert set(ITEM_KINDS) <= set(RECORD_KINDS) and set(OWNER_COLUMN) == set(ITEM_KINDS)


def plural(kind: str) -> str:
    """The plural name of a record kind ('need' → 'needs'), as import kinds and URLs spell it."""
    return f"{kind}s"
