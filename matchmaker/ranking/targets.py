"""Rank organisation and park targets (through their best-matching items, descriptions and
leading industries), and the one entry point that ranks any target kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from matchmaker.core.kinds import EAST_TO_GUANGXI, ITEM_KINDS
from matchmaker.core.messages import Text
from matchmaker.ranking.catalogue import ItemView, OrgView
from matchmaker.ranking.context import (
    POOL_MIN,
    PROVIDER_KINDS,
    RankContext,
    Scored,
    Source,
    item_label,
    park_demand,
    park_text,
)
from matchmaker.ranking.features import (
    FeatureSet,
    Supply,
    compute_features,
    industry_overlap,
    park_fit,
)
from matchmaker.ranking.ranker import finish_score, rank_items
from matchmaker.ranking.similarity import calibrate, relative
from matchmaker.ranking.terms import asean_cues
from matchmaker.ranking.tracks import WrongRoute


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
            finish_score(
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
            finish_score(
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
