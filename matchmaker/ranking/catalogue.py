"""An in-memory snapshot of the items, organisations and parks the ranker reads, reloaded on change.

Ranking one item touches up to a few hundred candidates; reading them through the ORM each time
would cost more than the whole latency budget, so the ranker keeps plain frozen views and reloads
them only when a table's row count or newest `updated_at` moves.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.vocab import is_eastern, is_guangxi
from matchmaker.ranking.terms import asean_cues
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


@dataclass(frozen=True, slots=True)
class OrgView:
    """An organisation as the ranker sees it."""

    id: int
    external_id: str
    name: str
    kind: str
    province: str
    city: str | None
    park_id: int | None
    industries: tuple[str, ...]
    description: str
    updated_at: dt.datetime | None
    tokens: frozenset[str] = field(default_factory=frozenset)
    eastern: bool = False  # sits in an eastern R&D region (北上广 etc.)
    guangxi: bool = False

    def text(self) -> str:
        """What is embedded for the organisation: name and description."""
        return "\n".join(p for p in (self.name, self.description) if p)


@dataclass(frozen=True, slots=True)
class ParkView:
    """A park and its leading industries."""

    id: int
    external_id: str
    name: str
    level: str
    city: str
    industries: tuple[str, ...]
    description: str
    tokens: frozenset[str] = field(default_factory=frozenset)

    def text(self) -> str:
        """What is embedded for the park: name and description."""
        return "\n".join(p for p in (self.name, self.description) if p)


@dataclass(frozen=True, slots=True)
class ItemView:
    """An achievement, need or scenario with the fields every feature needs."""

    kind: str
    id: int
    external_id: str
    title: str
    text: str  # the embedding text: title, keywords, body
    keywords: tuple[str, ...]
    industries: tuple[str, ...]
    status: str
    updated_at: dt.datetime | None
    owner_id: int | None  # achievement owner, need enterprise, scenario owner
    park_id: int | None  # need or scenario park; an achievement's owner's park
    trl: int | None = None  # achievements
    min_trl: int | None = None  # needs
    coop_modes: tuple[str, ...] = ()
    money_min: float | None = None  # price (achievement) or budget (need, scenario), 万元
    money_max: float | None = None
    deadline: dt.date | None = None
    capabilities: tuple[str, ...] = ()
    tokens: frozenset[str] = field(default_factory=frozenset)
    asean: tuple[str, ...] = ()  # ASEAN-market phrases in the text
    keyword_tokens: frozenset[str] = field(default_factory=frozenset)  # words of its keywords

    def open_on(self, today: dt.date) -> bool:
        """Whether the item may be recommended: active and its deadline not passed."""
        if self.status != "active":
            return False
        return self.deadline is None or self.deadline >= today


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class Catalogue:
    """Frozen views of every item, organisation and park, with lookups the features use."""

    def __init__(
        self,
        items: dict[str, dict[int, ItemView]],
        orgs: dict[int, OrgView],
        parks: dict[int, ParkView],
        version: tuple[object, ...],
    ) -> None:
        self.items = items
        self.orgs = orgs
        self.parks = parks
        self.version = version
        self.by_external: dict[str, dict[str, int]] = {
            kind: {v.external_id: v.id for v in views.values()} for kind, views in items.items()
        }
        self.by_external["organisation"] = {o.external_id: o.id for o in orgs.values()}
        self.by_external["park"] = {p.external_id: p.id for p in parks.values()}
        owned: dict[int, list[int]] = defaultdict(list)
        for ach in items["achievement"].values():
            if ach.owner_id is not None:
                owned[ach.owner_id].append(ach.id)
        self.achievements_of: dict[int, tuple[int, ...]] = {k: tuple(v) for k, v in owned.items()}
        in_park: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for kind in ("need", "scenario"):
            for view in items[kind].values():
                if view.park_id is not None:
                    in_park[view.park_id].append((kind, view.id))
        self.demand_in_park: dict[int, tuple[tuple[str, int], ...]] = {
            k: tuple(v) for k, v in in_park.items()
        }

    def item(self, kind: str, item_id: int) -> ItemView:
        """One item by kind and database id (KeyError when unknown)."""
        return self.items[kind][item_id]

    def owner(self, view: ItemView) -> OrgView | None:
        """The organisation behind an item, if any."""
        return self.orgs.get(view.owner_id) if view.owner_id is not None else None

    def park(self, park_id: int | None) -> ParkView | None:
        """A park by id, or None."""
        return self.parks.get(park_id) if park_id is not None else None

    def table(self, kind: str) -> Mapping[int, ItemView | OrgView | ParkView]:
        """Every view of one kind by database id (empty for an unknown kind)."""
        if kind == "organisation":
            return self.orgs
        if kind == "park":
            return self.parks
        return self.items.get(kind, {})

    def resolve(self, kind: str, ref: str | int) -> int | None:
        """A database id from what a user typed: the id itself or an external id (编号)."""
        text = str(ref).strip()
        found = self.by_external.get(kind, {}).get(text)
        if found is None and text.isdigit() and int(text) in self.table(kind):
            found = int(text)
        return found


def _version(session: Session) -> tuple[object, ...]:
    """Row counts and newest change time of every table the catalogue reads (one round trip)."""
    parts = []
    for model in (Achievement, Need, Scenario, Organisation, Park):
        parts.append(select(func.count(model.id)).scalar_subquery())
        parts.append(select(func.max(model.updated_at)).scalar_subquery())
    return tuple(session.execute(select(*parts)).one())


def _keyword_tokens(keywords: list[str] | None) -> frozenset[str]:
    return frozenset(token for k in keywords or () for token in tokenize(k))


def _money(low: float | None, high: float | None) -> tuple[float | None, float | None]:
    return (float(low) if low is not None else None, float(high) if high is not None else None)


def _item_fields(item: Any, low: float | None, high: float | None) -> dict[str, Any]:
    """The view fields every item kind shares: identity, text and its tokens, money range."""
    text = item.embedding_text()
    money_min, money_max = _money(low, high)
    return {
        "kind": item.kind,
        "id": item.id,
        "external_id": item.external_id,
        "title": item.title,
        "text": text,
        "keywords": tuple(item.keywords or ()),
        "industries": tuple(item.industries or ()),
        "status": item.status,
        "updated_at": _aware(item.updated_at),
        "money_min": money_min,
        "money_max": money_max,
        "tokens": frozenset(tokenize(text)),
        "asean": tuple(asean_cues(text)),
        "keyword_tokens": _keyword_tokens(item.keywords),
    }


def load_catalogue(session: Session) -> Catalogue:
    """Read every item, organisation and park into frozen views (also tokenizes item texts)."""
    version = _version(session)
    orgs = {
        o.id: OrgView(
            id=o.id,
            external_id=o.external_id,
            name=o.name,
            kind=o.kind,
            province=o.province,
            city=o.city,
            park_id=o.park_id,
            industries=tuple(o.industries or ()),
            description=o.description or "",
            updated_at=_aware(o.updated_at),
            tokens=frozenset(tokenize(f"{o.name}\n{o.description or ''}")),
            eastern=is_eastern(o.province),
            guangxi=is_guangxi(o.province),
        )
        for o in session.scalars(select(Organisation))
    }
    parks = {
        p.id: ParkView(
            id=p.id,
            external_id=p.external_id,
            name=p.name,
            level=p.level,
            city=p.city,
            industries=tuple(p.industries or ()),
            description=p.description or "",
            tokens=frozenset(tokenize(f"{p.name}\n{p.description or ''}")),
        )
        for p in session.scalars(select(Park))
    }
    items: dict[str, dict[int, ItemView]] = {kind: {} for kind in ITEM_KINDS}
    for a in session.scalars(select(Achievement)):
        owner = orgs.get(a.owner_id)
        items["achievement"][a.id] = ItemView(
            **_item_fields(a, a.price_min, a.price_max),
            owner_id=a.owner_id,
            park_id=owner.park_id if owner else None,
            trl=a.trl,
            coop_modes=tuple(a.coop_modes or ()),
        )
    for n in session.scalars(select(Need)):
        items["need"][n.id] = ItemView(
            **_item_fields(n, n.budget_min, n.budget_max),
            owner_id=n.enterprise_id,
            park_id=n.park_id,
            min_trl=n.min_trl,
            coop_modes=tuple(n.coop_modes or ()),
            deadline=n.deadline,
        )
    for sc in session.scalars(select(Scenario)):
        items["scenario"][sc.id] = ItemView(
            **_item_fields(sc, sc.budget_min, sc.budget_max),
            owner_id=sc.owner_id,
            park_id=sc.park_id,
            deadline=sc.deadline,
            capabilities=tuple(sc.capabilities or ()),
        )
    return Catalogue(items, orgs, parks, version)


class CatalogueCache:
    """One catalogue per database, reloaded only when the data changed since the last read."""

    def __init__(self) -> None:
        self._current: weakref.WeakKeyDictionary[Engine, Catalogue] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, session: Session) -> Catalogue:
        """The catalogue for the session's database, fresh as of this call."""
        key = session.get_bind().engine
        version = _version(session)
        with self._lock:
            current = self._current.get(key)
            if current is not None and current.version == version:
                return current
        loaded = load_catalogue(session)
        with self._lock:
            self._current[key] = loaded
        return loaded
