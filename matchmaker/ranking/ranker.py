"""Rank item targets (achievements, needs, scenarios) of one source on one track: the nearest by
stored vector plus the best by the search index's BM25 (with its structured filters), every
feature computed, scored. Closed and expired items are never candidates."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.ranking.catalogue import ItemView
from matchmaker.ranking.context import (
    PARK_PROBES,
    POOL_MIN,
    POOL_PER_K,
    RankContext,
    Scored,
    Source,
    demand_of,
    item_label,
    supply_of,
)
from matchmaker.ranking.features import (
    Demand,
    Supply,
    compute_features,
)
from matchmaker.ranking.similarity import calibrate, relative
from matchmaker.retrieval.index.filters import Filters


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
    return finish_score(
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


def finish_score(ctx: RankContext, scored: Scored) -> Scored:
    """The scorer's contributions and total for a scored candidate (every target kind ends here)."""
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
