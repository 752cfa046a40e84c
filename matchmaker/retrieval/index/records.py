"""What the index reads from the database and reports back: filter rows, texts, hits, sync reports.

The database side of `SearchIndex` (see `service.py`): one SELECT per kind gives every item's
filterable fields and content hash; texts are read only for items that must be (re-)embedded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, null, select
from sqlalchemy.orm import Session, aliased

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.index.filters import ItemMeta
from matchmaker.store.models import (
    ITEM_MODELS,
    Achievement,
    ItemMixin,
    Need,
    Organisation,
    Park,
    Scenario,
)

ID_CHUNK = 500  # ids per IN (...) query


@dataclass(frozen=True)
class Hit:
    """One search result; the component scores are None when that retriever did not return it."""

    id: int
    kind: str
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass
class KindChanges:
    """What one sync or write did to one kind."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    embedded: int = 0
    unchanged: int = 0


@dataclass
class SyncReport:
    """What a sync did, for logs and the CLI."""

    kinds: dict[str, KindChanges] = field(default_factory=dict)
    rebuilt_reason: str | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether anything in the index changed."""
        return any(c.added or c.updated or c.removed for c in self.kinds.values())

    def summary(self) -> str:
        """One line per kind, Chinese first."""
        lines = []
        if self.rebuilt_reason:
            lines.append(self.rebuilt_reason)
        for kind, c in self.kinds.items():
            lines.append(
                f"{kind}: 新增 {c.added}，更新 {c.updated}，删除 {c.removed}，嵌入 {c.embedded}，"
                f"未变 {c.unchanged} (added {c.added}, updated {c.updated}, removed {c.removed}, "
                f"embedded {c.embedded}, unchanged {c.unchanged})"
            )
        lines.append(f"用时 took {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass(frozen=True)
class Row:
    """One item as the index needs it: filter fields and the hash its text was embedded from."""

    meta: ItemMeta
    content_hash: str


def unknown_kind(kind: str) -> ValueError:
    """The error every index entry point raises for a kind that is not an item kind."""
    return ValueError(
        f"未知的条目类型 {kind!r} / unknown item kind {kind!r}; use one of {ITEM_KINDS}"
    )


def text_hash(text: str) -> str:
    """The content hash `ItemMixin.refresh_hash` would store, for rows saved without one."""
    payload = json.dumps([text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _meta_statement(kind: str) -> Any:
    """SELECT of the filter fields of one kind, with the organisation/park columns joined in."""
    org = aliased(Organisation)
    if kind == "achievement":
        return select(
            Achievement.id,
            Achievement.content_hash,
            Achievement.status,
            Achievement.industries,
            Achievement.trl,
            Achievement.coop_modes,
            org.park_id,
            org.province,
        ).outerjoin(org, Achievement.owner_id == org.id)
    if kind == "need":
        return select(
            Need.id,
            Need.content_hash,
            Need.status,
            Need.industries,
            Need.min_trl,
            Need.coop_modes,
            func.coalesce(Need.park_id, org.park_id),
            org.province,
        ).outerjoin(org, Need.enterprise_id == org.id)
    if kind == "scenario":
        park = aliased(Park)
        return (
            select(
                Scenario.id,
                Scenario.content_hash,
                Scenario.status,
                Scenario.industries,
                null(),
                literal(None),
                Scenario.park_id,
                func.coalesce(park.province, org.province),
            )
            .outerjoin(park, Scenario.park_id == park.id)
            .outerjoin(org, Scenario.owner_id == org.id)
        )
    raise unknown_kind(kind)


def _model(kind: str) -> type[Achievement] | type[Need] | type[Scenario]:
    if kind not in ITEM_MODELS:
        raise unknown_kind(kind)
    return ITEM_MODELS[kind]


def _tags(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):  # JSON stored as text by some drivers
        value = json.loads(value)
    return tuple(str(v) for v in value)


def read_rows(session: Session, kind: str, ids: Sequence[int] | None = None) -> list[Row]:
    """The filter fields and content hash of every item of `kind` (or of the given ids)."""
    statement = _meta_statement(kind)
    model = _model(kind)
    chunks: list[Any] = []
    if ids is None:
        chunks.append(statement)
    else:
        unique = sorted({int(i) for i in ids})
        for start in range(0, len(unique), ID_CHUNK):
            chunks.append(statement.where(model.id.in_(unique[start : start + ID_CHUNK])))
    rows: list[Row] = []
    for chunk in chunks:
        for (
            item_id,
            content_hash,
            status,
            industries,
            trl,
            coop,
            park_id,
            province,
        ) in session.execute(chunk):
            meta = ItemMeta(
                id=int(item_id),
                status=str(status or "active"),
                industries=_tags(industries),
                trl=None if trl is None else int(trl),
                coop_modes=_tags(coop),
                park_id=None if park_id is None else int(park_id),
                province=province,
            )
            rows.append(Row(meta, content_hash or ""))
    return rows


def read_texts(session: Session, kind: str, ids: Sequence[int]) -> dict[int, str]:
    """The embedding text of each given item (the one text both indexes see)."""
    model = _model(kind)
    texts: dict[int, str] = {}
    unique = sorted({int(i) for i in ids})
    for start in range(0, len(unique), ID_CHUNK):
        chunk = unique[start : start + ID_CHUNK]
        items: Iterable[ItemMixin] = session.scalars(select(model).where(model.id.in_(chunk)))
        for item in items:
            texts[item.id] = item.embedding_text()
    return texts
