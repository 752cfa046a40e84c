"""Features of a candidate pair beside text similarity, each computed from the data with its facts.

A pair always has a demand side (a need, a scenario or a park) and a supply side (an achievement
or an organisation able to deliver); which of the two is the source depends on the track and the
direction asked. Every feature returns a value and the facts behind it, so reasons quote the data
the score used and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from matchmaker.core.kinds import EAST_TO_GUANGXI, SCENARIO
from matchmaker.ranking.catalogue import OrgView, ParkView
from matchmaker.ranking.tracks import Track

FRESHNESS_HALF_LIFE_DAYS = 365.0
TRL_GAP_FOR_FULL_PENALTY = 3  # three levels below what is asked costs the whole TRL weight again
NEUTRAL = 0.5  # value of a feature whose inputs are missing on one side (neither good nor bad)


@dataclass(frozen=True)
class Demand:
    """The asking side of a pair: a need, a scenario or a park."""

    kind: str
    id: int
    industries: tuple[str, ...]
    park: ParkView | None
    min_trl: int | None
    coop_modes: tuple[str, ...] = ()
    budget_min: float | None = None
    budget_max: float | None = None
    guangxi: bool = True
    city: str | None = None


@dataclass(frozen=True)
class Supply:
    """The offering side: an achievement, or an organisation through its best achievement."""

    kind: str
    id: int
    industries: tuple[str, ...]
    owner: OrgView | None
    trl: int | None = None
    coop_modes: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None


@dataclass
class FeatureSet:
    """Feature values in [-1, 1] and, per feature, the facts a reason may quote."""

    values: dict[str, float] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def put(self, name: str, value: float, **facts: Any) -> None:
        """Record one feature and its facts."""
        self.values[name] = float(value)
        self.facts[name] = facts


def industry_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, list[str]]:
    """Share of the smaller industry list found in the other (0 when either is empty)."""
    shared = [code for code in a if code in b]
    if not a or not b:
        return 0.0, []
    return len(shared) / min(len(a), len(b)), shared


def park_fit(supply: Supply, park: ParkView | None) -> tuple[float, list[str]]:
    """1 when the supply side works in one of the park's leading industries."""
    if park is None or not park.industries:
        return 0.0, []
    shared = [code for code in supply.industries if code in park.industries]
    return (1.0 if shared else 0.0), shared


def trl_fit(trl: int | None, wanted: int) -> float:
    """1 when mature enough; below what is asked, negative in proportion to the gap (max −1)."""
    if trl is None:
        return 0.0
    if trl >= wanted:
        return 1.0
    return max(-1.0, -(wanted - trl) / TRL_GAP_FOR_FULL_PENALTY)


def coop_fit(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, list[str]]:
    """1 when the two sides accept a common cooperation mode, 0 when none, neutral when unknown."""
    if not a or not b:
        return NEUTRAL, []
    shared = [m for m in a if m in b]
    return (1.0 if shared else 0.0), shared


def budget_fit(
    price_min: float | None,
    price_max: float | None,
    budget_min: float | None,
    budget_max: float | None,
) -> tuple[float, str]:
    """How the asking price sits against the budget: 'within', 'over', 'unknown'."""
    if price_min is None and price_max is None:
        return NEUTRAL, "unknown"
    if budget_max is None:
        return NEUTRAL, "unknown"
    low = price_min if price_min is not None else price_max
    assert low is not None
    if low <= budget_max:
        return 1.0, "within"
    if budget_max <= 0:
        return 0.0, "over"
    return max(0.0, 1.0 - (low - budget_max) / budget_max), "over"


def region_fit(track: Track, supply: Supply, demand: Demand) -> tuple[float, str]:
    """Track-specific region preference: eastern → Guangxi for that track, local elsewhere."""
    owner = supply.owner
    if owner is None:
        return NEUTRAL, "unknown"
    if track.name == EAST_TO_GUANGXI:
        if owner.eastern and demand.guangxi:
            return 1.0, "east_to_guangxi"
        if owner.guangxi:
            return 0.0, "local_not_eastern"
        return 0.3, "other"
    same_city = bool(demand.city) and owner.city == demand.city
    if owner.guangxi and same_city:
        return 1.0, "same_city"
    if owner.guangxi:
        return 0.8, "guangxi"
    weight_away = 0.5 if track.name == SCENARIO else 0.6
    return weight_away, "eastern" if owner.eastern else "other"


def freshness(updated_at: dt.datetime | None, now: dt.datetime) -> tuple[float, int | None]:
    """Halves every year since the candidate was last updated; returns the age in days too."""
    if updated_at is None:
        return NEUTRAL, None
    age = max(0.0, (now - updated_at).total_seconds() / 86400.0)
    return 0.5 ** (age / FRESHNESS_HALF_LIFE_DAYS), int(age)


def compute_features(
    track: Track,
    demand: Demand,
    supply: Supply,
    *,
    semantic: float,
    lexical: float,
    updated_at: dt.datetime | None,
    asean: list[str],
    now: dt.datetime,
) -> FeatureSet:
    """Every feature of one pair (text similarities are computed upstream and passed in)."""
    out = FeatureSet()
    out.put("semantic", semantic)
    out.put("lexical", lexical)
    value, shared = industry_overlap(supply.industries, demand.industries)
    out.put("industry", value, shared=shared)
    value, shared = park_fit(supply, demand.park)
    out.put(
        "park_industry",
        value,
        park=demand.park.name if demand.park else None,
        shared=shared,
    )
    stated = demand.min_trl is not None
    wanted = demand.min_trl if demand.min_trl is not None else track.default_min_trl
    out.put(
        "trl",
        trl_fit(supply.trl, wanted),
        trl=supply.trl,
        wanted=wanted,
        stated=stated,
        demand_kind=demand.kind,
    )
    value, shared = coop_fit(supply.coop_modes, demand.coop_modes)
    out.put(
        "coop",
        value,
        shared=shared,
        offered=list(supply.coop_modes),
        wanted=list(demand.coop_modes),
        demand_kind=demand.kind,
    )
    value, verdict = budget_fit(
        supply.price_min, supply.price_max, demand.budget_min, demand.budget_max
    )
    out.put(
        "budget",
        value,
        verdict=verdict,
        price=(supply.price_min, supply.price_max),
        budget=(demand.budget_min, demand.budget_max),
    )
    value, verdict = region_fit(track, supply, demand)
    owner = supply.owner
    out.put(
        "region",
        value,
        verdict=verdict,
        owner=owner.name if owner else None,
        province=owner.province if owner else None,
        city=demand.city,
    )
    value, age = freshness(updated_at, now)
    out.put("freshness", value, age_days=age, updated=updated_at.date() if updated_at else None)
    out.put("asean", 1.0 if asean else 0.0, cues=asean)
    return out
