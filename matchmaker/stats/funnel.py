"""The recommendation funnel: recommended → viewed → contacted → met → signed.

The cohort of a period is every pair first recommended in it (its first shown row, or its first
feedback when it was never logged as shown). Each pair counts once per stage it has reached by
`as_of`: a signed pair has also been viewed, contacted and met, so the funnel never widens.
"Viewed" means the party answered the recommendation (a `viewed` action if the feedback vocabulary
has one, or any accept / reject). Also counted: feedback actions recorded during the period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.stats.periods import Period, aware
from matchmaker.stats.scope import Directory
from matchmaker.store.feedback import PairFeedback, ShownRecommendation

STAGES: tuple[str, ...] = ("recommended", "viewed", "contacted", "met", "signed")
STAGE_ZH: dict[str, str] = {
    "recommended": "已推荐",
    "viewed": "已查看",
    "contacted": "已联系",
    "met": "已洽谈",
    "signed": "已签约",
}
ACTION_STAGE: dict[str, int] = {
    "viewed": 1,
    "view": 1,
    "accept": 1,
    "reject": 1,
    "contacted": 2,
    "met": 3,
    "signed": 4,
}
Pair = tuple[str, str, int, str, int]  # track, source kind, source id, target kind, target id


@dataclass
class Funnel:
    """Pairs of one cohort at each stage, plus how many were accepted or rejected."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    accepted: int = 0
    rejected: int = 0

    def add(self, stage: int, accepted: bool, rejected: bool) -> None:
        """Count one pair that reached `stage` (index in STAGES)."""
        for index in range(stage + 1):
            self.counts[STAGES[index]] += 1
        self.accepted += accepted
        self.rejected += rejected

    def rate(self, stage: str) -> float | None:
        """Share of recommended pairs that reached a stage (None when nothing was recommended)."""
        base = self.counts["recommended"]
        return round(self.counts[stage] / base, 4) if base else None

    def as_dict(self) -> dict[str, Any]:
        """Counts, rates from recommended, and accept / reject totals."""
        return {
            "counts": dict(self.counts),
            "rates": {stage: self.rate(stage) for stage in STAGES[1:]},
            "accepted": self.accepted,
            "rejected": self.rejected,
        }


@dataclass
class FunnelReport:
    """The funnel of a period overall, by track and by industry, and the period's actions."""

    total: Funnel
    by_track: dict[str, Funnel]
    by_industry: dict[str, Funnel]
    actions: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return {
            "stages": [{"code": s, "zh": STAGE_ZH[s]} for s in STAGES],
            "total": self.total.as_dict(),
            "by_track": {k: v.as_dict() for k, v in sorted(self.by_track.items())},
            "by_industry": {k: v.as_dict() for k, v in sorted(self.by_industry.items())},
            "actions_in_period": dict(sorted(self.actions.items())),
        }


def _first_shown(session: Session, before: dt.datetime) -> dict[Pair, dt.datetime]:
    rows = session.execute(
        select(
            ShownRecommendation.track,
            ShownRecommendation.source_kind,
            ShownRecommendation.source_id,
            ShownRecommendation.target_kind,
            ShownRecommendation.target_id,
            func.min(ShownRecommendation.shown_at),
        )
        .where(ShownRecommendation.shown_at < before)
        .group_by(
            ShownRecommendation.track,
            ShownRecommendation.source_kind,
            ShownRecommendation.source_id,
            ShownRecommendation.target_kind,
            ShownRecommendation.target_id,
        )
    ).all()
    out: dict[Pair, dt.datetime] = {}
    for track, sk, si, tk, ti, first in rows:
        moment = aware(first)
        if moment is not None:
            out[(track, sk, si, tk, ti)] = moment
    return out


def build_funnel(
    session: Session,
    period: Period,
    *,
    park_id: int | None = None,
    as_of: dt.datetime,
    directory: Directory | None = None,
) -> FunnelReport:
    """The period's funnel for one park (pairs either side of which is in it) or for everyone."""
    directory = directory or Directory(session)
    cutoff = as_of.astimezone(dt.UTC)
    first_seen = _first_shown(session, cutoff)
    stage: dict[Pair, int] = {}
    accepted: set[Pair] = set()
    rejected: set[Pair] = set()
    actions: Counter[str] = Counter()
    feedback = session.execute(
        select(
            PairFeedback.track,
            PairFeedback.source_kind,
            PairFeedback.source_id,
            PairFeedback.target_kind,
            PairFeedback.target_id,
            PairFeedback.action,
            PairFeedback.created_at,
        ).where(PairFeedback.created_at < cutoff)
    ).all()
    for track, sk, si, tk, ti, action, created in feedback:
        pair: Pair = (track, sk, si, tk, ti)
        moment = aware(created)
        assert moment is not None
        if pair not in first_seen or moment < first_seen[pair]:
            first_seen[pair] = moment
        stage[pair] = max(stage.get(pair, 0), ACTION_STAGE.get(action, 0))
        if action == "accept":
            accepted.add(pair)
        if action == "reject":
            rejected.add(pair)
        if period.contains(moment) and _in_park(directory, pair, park_id):
            actions[action] += 1
    total = Funnel()
    by_track: dict[str, Funnel] = {}
    by_industry: dict[str, Funnel] = {}
    for pair, moment in first_seen.items():
        if not period.contains(moment) or not _in_park(directory, pair, park_id):
            continue
        reached = stage.get(pair, 0)
        flags = (reached, pair in accepted, pair in rejected)
        total.add(*flags)
        by_track.setdefault(pair[0], Funnel()).add(*flags)
        source, target = (pair[1], pair[2]), (pair[3], pair[4])
        for code in directory.pair_industries(source, target):
            by_industry.setdefault(code, Funnel()).add(*flags)
    return FunnelReport(total, by_track, by_industry, dict(actions))


def _in_park(directory: Directory, pair: Pair, park_id: int | None) -> bool:
    if park_id is None:
        return True
    return park_id in directory.pair_parks((pair[1], pair[2]), (pair[3], pair[4]))
