"""What one ranking reads and returns: its source, the scored candidates, the context, and how
sources are loaded and described (demand and supply sides, park text, item labels in reasons)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from matchmaker.core.config import CHINA
from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.core.messages import Text, UserFacingError
from matchmaker.core.taxonomy import industry_zh
from matchmaker.ranking.catalogue import Catalogue, ItemView, OrgView, ParkView
from matchmaker.ranking.features import (
    Demand,
    FeatureSet,
    Supply,
)
from matchmaker.ranking.scoring import LinearScorer
from matchmaker.ranking.similarity import TextSpace
from matchmaker.ranking.tracks import Track, WrongRoute
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.retrieval.index.tokenize import tokenize

PROVIDER_KINDS = frozenset({"enterprise", "university", "research_institute"})
POOL_MIN = 100  # candidates retrieved per kind at least (then every feature is computed on them)
POOL_PER_K = 10  # … or this many per requested result
PARK_PROBES = 20  # a park source also searches from this many of its open needs and scenarios


class UnknownSource(UserFacingError, LookupError):
    """No item, park or organisation with that id."""


def no_record(kind: str, ref: object) -> UnknownSource:
    """The refusal for an id that names nothing of that kind."""
    return UnknownSource(Text("rank.err.no_record", id=ref, kind=Text(f"label.kind.{kind}")))


@dataclass
class Source:
    """The thing recommendations are made for, with both sides it can play."""

    kind: str
    id: int
    external_id: str
    title: str
    text: str
    tokens: frozenset[str]
    keywords: frozenset[str]  # tokens of the source's keywords
    vector: np.ndarray | None
    demand: Demand | None
    supply: Supply | None
    owner_id: int | None
    open: bool


@dataclass
class Scored:
    """A candidate target with its features, score and what supports it."""

    kind: str
    id: int
    external_id: str
    title: str
    owner_id: int | None  # diversity key: the organisation behind the target
    org: OrgView | None
    park: ParkView | None
    features: FeatureSet
    cosine: float | None
    text: str
    tokens: frozenset[str]
    keywords: frozenset[str] = frozenset()  # tokens of the item's keywords
    evidence: list[Scored] = field(default_factory=list)
    via: ItemView | None = None  # a park source's need or scenario the target matched
    cosine_with: Text | None = None  # what the cosine was measured against, when not the target
    score: float = 0.0
    contributions: dict[str, float] = field(default_factory=dict)


@dataclass
class RankContext:
    """Everything one ranking reads: data snapshot, vectors, index, track, scorer and the clock."""

    catalogue: Catalogue
    space: TextSpace
    index: SearchIndex
    track: Track
    scorer: LinearScorer
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        """The date deadlines are compared with: today in China (a deadline ends at local midnight)."""
        return self.now.astimezone(CHINA).date()


# ---- sides -----------------------------------------------------------------------------------
def demand_of(catalogue: Catalogue, view: ItemView) -> Demand:
    """The asking side a need or scenario plays."""
    park = catalogue.park(view.park_id)
    owner = catalogue.owner(view)
    guangxi = park is not None or (owner is not None and owner.guangxi)
    return Demand(
        kind=view.kind,
        id=view.id,
        industries=view.industries,
        park=park,
        min_trl=view.min_trl,
        coop_modes=view.coop_modes,
        budget_min=view.money_min,
        budget_max=view.money_max,
        guangxi=guangxi,
        city=park.city if park is not None else (owner.city if owner else None),
    )


def park_demand(park: ParkView) -> Demand:
    """The asking side a park plays: its leading industries in its city."""
    return Demand(
        kind="park",
        id=park.id,
        industries=park.industries,
        park=park,
        min_trl=None,
        guangxi=True,
        city=park.city,
    )


def supply_of(catalogue: Catalogue, view: ItemView) -> Supply:
    """The offering side an achievement plays."""
    return Supply(
        kind="achievement",
        id=view.id,
        industries=view.industries,
        owner=catalogue.owner(view),
        trl=view.trl,
        coop_modes=view.coop_modes,
        price_min=view.money_min,
        price_max=view.money_max,
    )


def item_label(view: ItemView, whose: str = "park") -> Text:
    """How a reason names an item: 园区需求《title》（N-…） (`whose`: "park" or "its")."""
    return Text(
        f"rank.item.{whose}",
        side=Text(f"rank.side.{view.kind}"),
        title=view.title,
        ref=view.external_id,
    )


def park_text(park: ParkView) -> str:
    """A park described for matching: its description and leading industries in Chinese."""
    leading = "、".join(industry_zh(code) for code in park.industries)
    return f"{park.text()}\n主导产业：{leading}"


def load_source(ctx: RankContext, kind: str, source_id: int) -> Source:
    """The source of a ranking by kind and database id (UnknownSource when it does not exist)."""
    cat = ctx.catalogue
    if kind == "park":
        park = cat.parks.get(source_id)
        if park is None:
            raise no_record("park", source_id)
        text = park_text(park)
        return Source(
            kind="park",
            id=park.id,
            external_id=park.external_id,
            title=park.name,
            text=text,
            tokens=frozenset(tokenize(text)),
            keywords=frozenset(),
            vector=ctx.space.vector("park", park.id),
            demand=park_demand(park),
            supply=None,
            owner_id=None,
            open=True,
        )
    view = cat.items.get(kind, {}).get(source_id)
    if view is None:
        raise no_record(kind, source_id)
    is_supply = kind == "achievement"
    return Source(
        kind=kind,
        id=view.id,
        external_id=view.external_id,
        title=view.title,
        text=view.text,
        tokens=view.tokens,
        keywords=view.keyword_tokens,
        vector=ctx.space.vector(kind, view.id),
        demand=None if is_supply else demand_of(cat, view),
        supply=supply_of(cat, view) if is_supply else None,
        owner_id=view.owner_id,
        open=view.open_on(ctx.today),
    )


def check_source_fits_track(ctx: RankContext, source: Source) -> None:
    """East-to-Guangxi starts from results made outside Guangxi; say so instead of ranking."""
    if ctx.track.name != EAST_TO_GUANGXI or source.supply is None:
        return
    owner = source.supply.owner
    if owner is not None and owner.guangxi:
        raise WrongRoute(Text("rank.err.not_eastern", ref=source.external_id, owner=owner.name))


# ---- candidates ------------------------------------------------------------------------------
