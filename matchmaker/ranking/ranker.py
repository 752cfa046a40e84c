"""Rank the candidates of one source on one track: retrieve, compute features, score.

Item targets (achievements, needs, scenarios) are the nearest by stored vector plus the best by
the search index's BM25 (with its structured filters). Organisation targets are ranked through their best-matching achievements and
their own description; park targets through the park's open needs and scenarios that best match,
its leading industries and its description. Closed and expired items are never candidates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from matchmaker.core.config import CHINA
from matchmaker.core.kinds import EAST_TO_GUANGXI, ITEM_KINDS
from matchmaker.core.messages import Text, UserFacingError
from matchmaker.core.taxonomy import industry_zh
from matchmaker.ranking.catalogue import Catalogue, ItemView, OrgView, ParkView
from matchmaker.ranking.features import (
    Demand,
    FeatureSet,
    Supply,
    compute_features,
    industry_overlap,
    park_fit,
)
from matchmaker.ranking.scoring import LinearScorer
from matchmaker.ranking.similarity import TextSpace, calibrate, relative
from matchmaker.ranking.terms import asean_cues
from matchmaker.ranking.tracks import Track, WrongRoute
from matchmaker.retrieval.index.filters import Filters
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
def pool_size(k: int) -> int:
    """How many candidates to retrieve per kind for a list of k."""
    return max(POOL_MIN, POOL_PER_K * k)


def _target_filters(
    ctx: RankContext, source: Source, target_kind: str, exclude: Iterable[int]
) -> Filters:
    guangxi: bool | None = None
    if ctx.track.name == EAST_TO_GUANGXI and target_kind == "need":
        guangxi = True  # needs of Guangxi enterprises
    if ctx.track.name == EAST_TO_GUANGXI and source.kind == "park":
        guangxi = False  # results made outside Guangxi
    excluded = set(exclude)
    if source.kind == target_kind:
        excluded.add(source.id)
    return Filters.build(guangxi=guangxi, exclude_ids=excluded)


def _park_probes(ctx: RankContext, source: Source) -> list[tuple[ItemView | None, np.ndarray]]:
    """A park is matched by its own text and by its open needs and scenarios."""
    probes: list[tuple[ItemView | None, np.ndarray]] = []
    if source.vector is not None:
        probes.append((None, source.vector))
    for kind, item_id in ctx.catalogue.demand_in_park.get(source.id, ()):
        if len(probes) > PARK_PROBES:
            break
        view = ctx.catalogue.items[kind][item_id]
        vector = ctx.space.vector(kind, item_id)
        if vector is not None and view.open_on(ctx.today):
            probes.append((view, vector))
    return probes


def _cosines(
    ctx: RankContext, source: Source, kind: str
) -> tuple[dict[int, float], dict[int, ItemView]]:
    """Cosine of the source with every item of a kind; for a park, the best over its own text and
    its open needs and scenarios, with the need or scenario that gave it."""
    if source.kind == "park":
        probes = _park_probes(ctx, source)
        if not probes:
            return {}, {}
        cosines, which = ctx.space.best_cosines([v for _, v in probes], kind)
        via = {i: probes[w][0] for i, w in which.items()}
        return cosines, {i: view for i, view in via.items() if view is not None}
    if source.vector is None:
        return {}, {}
    return ctx.space.cosines(source.vector, kind), {}


def candidate_ids(
    ctx: RankContext,
    source: Source,
    target_kind: str,
    filters: Filters,
    depth: int,
    cosines: dict[int, float],
) -> list[int]:
    """The candidate pool: the `depth` nearest by vector and the `depth` best by BM25 (the
    search index's lexical retrieval over the source text, with the structured filters)."""
    # The dense side reuses the exact cosines already computed for calibration instead of a
    # FAISS search; passing `text` to similar_to_item would also re-embed the source as an e5
    # query, ~0.1–0.3 s on 2 cores, beyond the whole latency budget (docs/ranking.md).
    found: dict[int, None] = dict.fromkeys(sorted(cosines, key=lambda i: -cosines[i])[: depth * 2])
    for hit in ctx.index.search(source.text, target_kind, depth, filters, mode="lexical"):
        found.setdefault(hit.id, None)
    return list(found)


def _scale(cosines: dict[int, float]) -> tuple[float, float]:
    return calibrate(cosines) if cosines else (0.0, 1.0)


def score_item(
    ctx: RankContext,
    source: Source,
    view: ItemView,
    cosines: dict[int, float],
    typical: float,
    best: float,
    via: ItemView | None = None,
) -> Scored:
    """Features and score of one item target (`via`: the park need or scenario it matched)."""
    cat = ctx.catalogue
    supply: Supply | None = supply_of(cat, view) if view.kind == "achievement" else source.supply
    demand: Demand | None = source.demand if view.kind == "achievement" else demand_of(cat, view)
    assert supply is not None and demand is not None
    cosine = cosines.get(view.id)
    semantic = relative(cosine, typical, best) if cosine is not None else 0.0
    features = compute_features(
        ctx.track,
        demand,
        supply,
        semantic=semantic,
        lexical=max(
            ctx.space.lexical(source.tokens, view.tokens),
            ctx.space.lexical(via.tokens, view.tokens) if via is not None else 0.0,
        ),
        updated_at=view.updated_at,
        asean=list(view.asean),
        now=ctx.now,
    )
    owner = cat.owner(view)
    return _finish(
        ctx,
        Scored(
            kind=view.kind,
            id=view.id,
            external_id=view.external_id,
            title=view.title,
            owner_id=view.owner_id,
            org=owner,
            park=cat.park(view.park_id),
            features=features,
            cosine=cosine,
            text=view.text,
            tokens=view.tokens,
            keywords=view.keyword_tokens,
            via=via,
            cosine_with=item_label(via) if via is not None else None,
        ),
    )


def _finish(ctx: RankContext, scored: Scored) -> Scored:
    scored.contributions = ctx.scorer.contributions(scored.features.values)
    scored.score = ctx.scorer.bias + sum(scored.contributions.values())
    return scored


def _eligible_item(ctx: RankContext, source: Source, view: ItemView, exclude: set[int]) -> bool:
    if view.id in exclude or not view.open_on(ctx.today):
        return False
    if source.kind == view.kind and source.id == view.id:
        return False
    return not (source.owner_id is not None and view.owner_id == source.owner_id)


def rank_items(
    ctx: RankContext,
    source: Source,
    target_kind: str,
    *,
    exclude: Iterable[int] = (),
    depth: int = POOL_MIN,
    only: Iterable[int] | None = None,
) -> list[Scored]:
    """Every eligible candidate item of a kind, scored, best first (`only`: score these ids)."""
    excluded = set(exclude)
    filters = _target_filters(ctx, source, target_kind, excluded)
    cosines, via = _cosines(ctx, source, target_kind)
    typical, best = _scale(cosines)
    ids = (
        list(only)
        if only is not None
        else candidate_ids(ctx, source, target_kind, filters, depth, cosines)
    )
    views = ctx.catalogue.items[target_kind]
    scored = []
    for item_id in dict.fromkeys(ids):
        view = views.get(item_id)
        if view is None or not _eligible_item(ctx, source, view, excluded):
            continue
        if filters.guangxi is not None:
            owner = ctx.catalogue.owner(view)
            if owner is None or owner.guangxi != filters.guangxi:
                continue
        scored.append(score_item(ctx, source, view, cosines, typical, best, via.get(view.id)))
    scored.sort(key=lambda s: (-s.score, s.id))
    return scored


def top_view(ctx: RankContext, scored: Scored) -> ItemView:
    """The item view behind a scored item target."""
    return ctx.catalogue.items[scored.kind][scored.id]


def _provider_ok(ctx: RankContext, source: Source, org: OrgView) -> bool:
    if org.kind not in PROVIDER_KINDS or org.id == source.owner_id:
        return False
    return not (ctx.track.name == EAST_TO_GUANGXI and org.guangxi)


def rank_organisations(
    ctx: RankContext, source: Source, *, exclude: Iterable[int] = (), depth: int = POOL_MIN
) -> list[Scored]:
    """Solution providers for a scenario or park, through their best achievements and their profile."""
    assert source.demand is not None
    excluded = set(exclude)
    achievements = rank_items(ctx, source, "achievement", depth=depth)
    by_owner: dict[int, list[Scored]] = defaultdict(list)
    for item in achievements:
        if item.owner_id is not None:
            by_owner[item.owner_id].append(item)
    orgs = [
        o
        for o in ctx.catalogue.orgs.values()
        if o.id not in excluded and _provider_ok(ctx, source, o)
    ]
    cosines: dict[int, float] = {}
    if source.vector is not None:
        every = ctx.space.cosines(source.vector, "organisation")
        cosines = {o.id: every[o.id] for o in orgs if o.id in every}
    typical, best = calibrate(cosines)
    out = []
    for org in orgs:
        cosine = cosines.get(org.id)
        profile = relative(cosine, typical, best) if cosine is not None else 0.0
        members = by_owner.get(org.id, [])
        shown_cosine, cosine_with = cosine, None
        if members:
            top = members[0]
            features = FeatureSet(dict(top.features.values), dict(top.features.facts))
            if profile > features.values["semantic"]:
                features.values["semantic"] = profile
            else:
                shown_cosine = top.cosine
                cosine_with = top.cosine_with or item_label(top_view(ctx, top), "its")
            top_shared = top.features.facts["industry"]["shared"]
            industries = tuple(dict.fromkeys((*org.industries, *top_shared)))
            value, shared = industry_overlap(industries, source.demand.industries)
            features.put("industry", max(value, features.values["industry"]), shared=shared)
            supply = Supply("organisation", org.id, industries, org)
            value, shared = park_fit(supply, source.demand.park)
            if value > features.values["park_industry"] and source.demand.park is not None:
                features.put("park_industry", value, park=source.demand.park.name, shared=shared)
        else:
            features = compute_features(
                ctx.track,
                source.demand,
                Supply("organisation", org.id, org.industries, org),
                semantic=profile,
                lexical=ctx.space.lexical(source.tokens, org.tokens),
                updated_at=org.updated_at,
                asean=asean_cues(org.description),
                now=ctx.now,
            )
        out.append(
            _finish(
                ctx,
                Scored(
                    kind="organisation",
                    id=org.id,
                    external_id=org.external_id,
                    title=org.name,
                    owner_id=org.id,
                    org=org,
                    park=ctx.catalogue.park(org.park_id),
                    features=features,
                    cosine=shown_cosine,
                    cosine_with=cosine_with,
                    text=org.text() if not members else members[0].text,
                    tokens=org.tokens if not members else members[0].tokens,
                    keywords=frozenset() if not members else members[0].keywords,
                    evidence=members[:3],
                    via=members[0].via if members else None,
                ),
            )
        )
    out.sort(key=lambda s: (-s.score, s.id))
    return out


def rank_parks(
    ctx: RankContext, source: Source, *, exclude: Iterable[int] = (), depth: int = POOL_MIN
) -> list[Scored]:
    """Guangxi parks for an achievement: leading industries, the park's best-matching open needs
    and scenarios, its description, and an ASEAN orientation."""
    assert source.supply is not None
    excluded = set(exclude)
    demand_items = rank_items(ctx, source, "need", depth=depth)
    demand_items += rank_items(ctx, source, "scenario", depth=depth)
    by_park: dict[int, list[Scored]] = defaultdict(list)
    for item in sorted(demand_items, key=lambda s: (-s.score, s.kind, s.id)):
        if item.park is not None:
            by_park[item.park.id].append(item)
    cosines: dict[int, float] = {}
    if source.vector is not None:
        cosines = ctx.space.cosines(source.vector, "park")
    typical, best = calibrate(cosines)
    out = []
    for park in ctx.catalogue.parks.values():
        if park.id in excluded:
            continue
        members = by_park.get(park.id, [])
        cosine = cosines.get(park.id)
        semantic = relative(cosine, typical, best) if cosine is not None else 0.0
        lexical = ctx.space.lexical(source.tokens, park.tokens)
        cues = asean_cues(park.description)
        shown_cosine, cosine_with = cosine, None
        if members:
            if members[0].features.values["semantic"] > semantic:
                semantic = members[0].features.values["semantic"]
                shown_cosine = members[0].cosine
                cosine_with = item_label(top_view(ctx, members[0]))
            lexical = max(lexical, members[0].features.values["lexical"])
            cues += [c for c in members[0].features.facts["asean"]["cues"] if c not in cues]
        features = compute_features(
            ctx.track,
            park_demand(park),
            source.supply,
            semantic=semantic,
            lexical=lexical,
            updated_at=None,
            asean=cues,
            now=ctx.now,
        )
        out.append(
            _finish(
                ctx,
                Scored(
                    kind="park",
                    id=park.id,
                    external_id=park.external_id,
                    title=park.name,
                    owner_id=park.id,
                    org=None,
                    park=park,
                    features=features,
                    cosine=shown_cosine,
                    cosine_with=cosine_with,
                    text=members[0].text if members else park_text(park),
                    tokens=members[0].tokens if members else park.tokens,
                    keywords=members[0].keywords if members else frozenset(),
                    evidence=members[:3],
                ),
            )
        )
    out.sort(key=lambda s: (-s.score, s.id))
    return out


def rank_targets(
    ctx: RankContext,
    source: Source,
    target_kind: str,
    *,
    exclude: Iterable[int] = (),
    depth: int = POOL_MIN,
    only: Iterable[int] | None = None,
) -> list[Scored]:
    """All eligible candidates of one target kind for a source, scored, best first."""
    if target_kind in ITEM_KINDS:
        return rank_items(ctx, source, target_kind, exclude=exclude, depth=depth, only=only)
    if target_kind == "organisation":
        ranked = rank_organisations(ctx, source, exclude=exclude, depth=depth)
    elif target_kind == "park":
        ranked = rank_parks(ctx, source, exclude=exclude, depth=depth)
    else:
        raise WrongRoute(Text("rank.err.unsupported_target", target=target_kind))
    if only is not None:
        wanted = set(only)
        ranked = [s for s in ranked if s.id in wanted]
    return ranked


__all__ = [
    "RankContext",
    "Scored",
    "Source",
    "UnknownSource",
    "check_source_fits_track",
    "load_source",
    "pool_size",
    "rank_targets",
]
