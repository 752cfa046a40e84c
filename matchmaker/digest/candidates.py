"""The items a digest may offer: open, not expired, changed inside a time window; with their vectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from matchmaker.digest.vocab import KINDS
from matchmaker.retrieval.embed import EmbeddingCache
from matchmaker.retrieval.vectors import TextVectors
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Organisation, Park, Scenario

STREAM_CHUNK = 1000  # rows fetched at a time
EMBED_CHUNK = 2000  # texts looked up in (or added to) the embedding cache at a time
REFERENCE_SIZE = 2000  # items the similarity scale of each interest is measured on


@dataclass(frozen=True)
class ItemFacts:
    """What scoring and the e-mail need to know about one item."""

    kind: str
    id: int
    title: str
    text: str
    industries: tuple[str, ...]
    park_id: int | None
    park_name: str | None
    owner: str | None
    province: str | None
    eastern: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    deadline: dt.date | None


def embedding_cache(data_dir: Any) -> EmbeddingCache:
    """The cache the search index fills (the same folder), so nothing is re-embedded."""
    from matchmaker.core.config import embedding_cache_dir

    return EmbeddingCache(embedding_cache_dir(data_dir))


def _statement(kind: str) -> Any:
    org = aliased(Organisation)
    if kind == "achievement":
        return (
            select(Achievement, org, Park)
            .join(org, Achievement.owner_id == org.id)
            .outerjoin(Park, org.park_id == Park.id)
        ), Achievement
    if kind == "need":
        return (
            select(Need, org, Park)
            .join(org, Need.enterprise_id == org.id)
            .outerjoin(Park, Park.id == func.coalesce(Need.park_id, org.park_id))
        ), Need
    return (
        select(Scenario, org, Park)
        .outerjoin(org, Scenario.owner_id == org.id)
        .outerjoin(Park, Park.id == func.coalesce(Scenario.park_id, org.park_id))
    ), Scenario


def _facts(kind: str, item: Any, owner: Organisation | None, park: Park | None) -> ItemFacts:
    province = owner.province if owner is not None else (park.province if park else None)
    return ItemFacts(
        kind=kind,
        id=int(item.id),
        title=item.title,
        text=item.embedding_text(),
        industries=tuple(item.industries or ()),
        park_id=park.id if park is not None else None,
        park_name=park.name if park is not None else None,
        owner=owner.name if owner is not None else None,
        province=province,
        eastern=bool(owner is not None and owner.is_eastern),
        created_at=item.created_at,
        updated_at=item.updated_at,
        deadline=getattr(item, "deadline", None),
    )


def iter_open_items(
    session: Session,
    *,
    today: dt.date,
    changed_after: dt.datetime | None = None,
    changed_until: dt.datetime | None = None,
    kinds: Sequence[str] = KINDS,
    newest_first_limit: int | None = None,
) -> Iterator[ItemFacts]:
    """Active items whose deadline (if any) has not passed, optionally changed inside a window."""
    per_kind = newest_first_limit
    for kind in kinds:
        statement, model = _statement(kind)
        statement = statement.where(model.status == "active")
        if hasattr(model, "deadline"):
            statement = statement.where(or_(model.deadline.is_(None), model.deadline >= today))
        if changed_after is not None:
            statement = statement.where(model.updated_at > changed_after)
        if changed_until is not None:
            statement = statement.where(model.updated_at <= changed_until)
        if per_kind is not None:
            statement = statement.order_by(model.updated_at.desc(), model.id).limit(per_kind)
        else:
            statement = statement.order_by(model.id)
        result = session.execute(statement.execution_options(yield_per=STREAM_CHUNK))
        for item, owner, park in result:
            yield _facts(kind, item, owner, park)


def item_vectors(vectors: TextVectors, items: Sequence[ItemFacts]) -> np.ndarray:
    """The items' document vectors: the search index's (same embedder, same cache entries);
    an item the index has not embedded yet is embedded once and cached for it."""
    out = np.empty((len(items), vectors.embedder.dim), dtype=np.float32)
    for start in range(0, len(items), EMBED_CHUNK):
        chunk = items[start : start + EMBED_CHUNK]
        out[start : start + len(chunk)] = vectors.documents([item.text for item in chunk])
    return out


def reference_rows(count: int, size: int = REFERENCE_SIZE) -> np.ndarray:
    """A fixed, evenly spread subset of row numbers to measure similarity scales on."""
    if count <= size:
        return np.arange(count)
    return np.linspace(0, count - 1, size).round().astype(np.int64)


def item_texts(session: Session, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The embedding text of each given (kind, id) that still exists."""
    out: dict[tuple[str, int], str] = {}
    for kind in ITEM_MODELS:
        model: Any = ITEM_MODELS[kind]
        ids = sorted({i for k, i in keys if k == kind})
        for start in range(0, len(ids), STREAM_CHUNK):
            chunk = ids[start : start + STREAM_CHUNK]
            for item in session.scalars(select(model).where(model.id.in_(chunk))):
                out[(kind, item.id)] = item.embedding_text()
    return out
