"""The three recommendation tracks: which pairs each ranks and how much each feature weighs."""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.core.kinds import EAST_TO_GUANGXI, SCENARIO, TECH_TRANSFER, TRACK_NAMES
from matchmaker.core.messages import LabelList, Text, UserFacingError

# Every feature a pair is scored on; the learned re-ranker sees them in this order.
FEATURES: tuple[str, ...] = (
    "semantic",
    "lexical",
    "industry",
    "park_industry",
    "trl",
    "coop",
    "budget",
    "region",
    "freshness",
    "asean",
)

FEATURE_ZH: dict[str, str] = {
    "semantic": "语义相似",
    "lexical": "关键词重合",
    "industry": "产业相同",
    "park_industry": "园区主导产业",
    "trl": "技术成熟度",
    "coop": "合作方式",
    "budget": "预算与报价",
    "region": "地域",
    "freshness": "时效",
    "asean": "东盟市场",
    "diversity": "多样性调整",
}


@dataclass(frozen=True)
class Track:
    """A track: its source → target kinds, the TRL it expects by default, and hand-set weights."""

    name: str
    zh: str
    routes: dict[str, tuple[str, ...]]  # source kind -> target kinds, the first is the default
    weights: dict[str, float]
    default_min_trl: int  # expected maturity when the source states none
    diversity_decay: float = 0.04  # score taken off per earlier pick from the same owner
    owner_cap: int = 3  # at most this many picks per owner in one list of 10 (scaled with k)

    def targets(self, source_kind: str) -> tuple[str, ...]:
        """Target kinds this track ranks for a source kind (empty when it has no such route)."""
        return self.routes.get(source_kind, ())


TRACKS: dict[str, Track] = {
    TECH_TRANSFER: Track(
        name=TECH_TRANSFER,
        zh="技术转移",
        routes={"need": ("achievement",), "achievement": ("need",)},
        weights={
            "semantic": 0.40,
            "lexical": 0.15,
            "industry": 0.08,
            "park_industry": 0.04,
            "trl": 0.14,
            "coop": 0.05,
            "budget": 0.06,
            "region": 0.02,
            "freshness": 0.04,
            "asean": 0.0,
        },
        default_min_trl=4,
    ),
    SCENARIO: Track(
        name=SCENARIO,
        zh="场景驱动",
        routes={"scenario": ("achievement", "organisation")},
        weights={
            "semantic": 0.40,
            "lexical": 0.15,
            "industry": 0.08,
            "park_industry": 0.05,
            "trl": 0.12,
            "coop": 0.02,
            "budget": 0.07,
            "region": 0.03,
            "freshness": 0.04,
            "asean": 0.0,
        },
        default_min_trl=6,  # a scenario is a place to deploy: pilot-ready results
    ),
    EAST_TO_GUANGXI: Track(
        name=EAST_TO_GUANGXI,
        zh="东部研发—广西转化",
        routes={
            "achievement": ("park", "need"),
            "park": ("achievement", "organisation"),
        },
        weights={
            "semantic": 0.32,
            "lexical": 0.10,
            "industry": 0.06,
            "park_industry": 0.10,
            "trl": 0.08,
            "coop": 0.03,
            "budget": 0.04,
            "region": 0.15,
            "freshness": 0.02,
            "asean": 0.10,
        },
        default_min_trl=5,
    ),
}

assert tuple(TRACKS) == TRACK_NAMES, "tracks and core.kinds.TRACK_NAMES must agree"


KIND_CODES = frozenset({"achievement", "need", "scenario", "organisation", "park"})


class UnknownTrack(UserFacingError):
    """The track name is not one of the three tracks."""


class WrongRoute(UserFacingError):
    """The track does not rank pairs for this source (or target) kind."""


def get_track(name: str) -> Track:
    """The track for a name, or UnknownTrack listing the valid names (user input passes here)."""
    track = TRACKS.get(name.strip().lower())
    if track is None:
        raise UnknownTrack(Text("rank.err.unknown_track", name=name, choices=" / ".join(TRACKS)))
    return track


def check_route(track: Track, source_kind: str, target_kind: str | None = None) -> str:
    """The target kind to rank (the track's default when none is given), or WrongRoute."""
    targets = track.targets(source_kind)
    if not targets:
        raise WrongRoute(
            Text(
                "rank.err.no_source_kind",
                track=Text(f"label.track.{track.name}"),
                side=Text(f"label.kind.{source_kind}")
                if source_kind in KIND_CODES
                else source_kind,
                sources=LabelList("kind", tuple(track.routes)),
            )
        )
    if target_kind is None:
        return targets[0]
    if target_kind not in targets:
        raise WrongRoute(
            Text(
                "rank.err.no_target_kind",
                track=Text(f"label.track.{track.name}"),
                side=Text(f"label.kind.{source_kind}")
                if source_kind in KIND_CODES
                else source_kind,
                target=Text(f"label.target.{target_kind}")
                if target_kind in KIND_CODES
                else target_kind,
            )
        )
    return target_kind
