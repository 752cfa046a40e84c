"""Check the ranking against labelled pairs (the demo's good/bad pairs): nDCG@10 and pairwise accuracy.

For each source and target kind with labels, the full recommendation list (k=10, diversity
applied, as users see it) gives nDCG@10 with gain 1 for every good target; and every (good, bad)
couple of the same source is checked to have the good target scored above the bad one. A bad
target the ranker refuses outright (closed, expired, wrong region for the track) counts as below;
a good target it refuses counts as a miss.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.core.metrics import ndcg_at
from matchmaker.demo.loader import LabelledPair
from matchmaker.ranking.context import UnknownSource
from matchmaker.ranking.service import Recommender
from matchmaker.ranking.tracks import TRACKS, WrongRoute

K = 10


@dataclass
class SourceResult:
    """How one labelled source fared."""

    track: str
    source: str
    target_kind: str
    good: list[str]
    bad: list[str]
    ranked: list[str]  # the top-k external ids shown
    ndcg: float
    couples: int
    correct: int


@dataclass
class TrackResult:
    """Aggregate figures of one track."""

    track: str
    sources: int = 0
    good_pairs: int = 0
    bad_pairs: int = 0
    ndcg10: float = math.nan
    couples: int = 0
    correct: int = 0
    bad_ruled_out: int = 0  # bad targets never recommended at all (closed, expired, off-track)
    bad_above_good: list[str] = field(default_factory=list)

    @property
    def pairwise_accuracy(self) -> float:
        """Share of (good, bad) couples ranked the right way round."""
        return self.correct / self.couples if self.couples else math.nan

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return {
            "track": self.track,
            "sources": self.sources,
            "good_pairs": self.good_pairs,
            "bad_pairs": self.bad_pairs,
            "ndcg@10": round(self.ndcg10, 4),
            "pairwise_accuracy": round(self.pairwise_accuracy, 4),
            "couples": self.couples,
            "bad_ruled_out": self.bad_ruled_out,
            "bad_above_good": self.bad_above_good,
        }


@dataclass
class Evaluation:
    """Per-track results, per-source details and the labels that could not be used."""

    tracks: dict[str, TrackResult]
    sources: list[SourceResult]
    skipped: list[str]


def _group(pairs: Iterable[LabelledPair]) -> dict[tuple[str, str, str, str], list[LabelledPair]]:
    groups: dict[tuple[str, str, str, str], list[LabelledPair]] = defaultdict(list)
    for pair in pairs:
        groups[(pair.track, pair.source_kind, pair.source, pair.target_kind)].append(pair)
    return groups


def evaluate_pairs(
    recommender: Recommender, session: Session, pairs: Iterable[LabelledPair], k: int = K
) -> Evaluation:
    """Rank every labelled source and measure how its good and bad targets came out."""
    tracks = {name: TrackResult(name) for name in TRACKS}
    details: list[SourceResult] = []
    skipped: list[str] = []
    ndcgs: dict[str, list[float]] = defaultdict(list)
    for (track, source_kind, source_ref, target_kind), group in _group(pairs).items():
        try:
            source_id = recommender.resolve(session, source_kind, source_ref)
            target_ids = {
                p.target: recommender.resolve(session, target_kind, p.target) for p in group
            }
            shown = recommender.recommend(
                session, track, source_kind, source_id, k, target_kind=target_kind
            )
            scored = recommender.score_pairs(
                session, track, source_kind, source_id, target_kind, target_ids.values()
            )
        except (UnknownSource, WrongRoute) as exc:
            skipped.append(f"{track} {source_ref} → {target_kind}: {exc}")
            continue
        good = [p.target for p in group if p.good]
        bad = [p.target for p in group if not p.good]
        ranked = [r.target_external_id for r in shown]
        # nDCG against the ideal of all good targets at the top (those not shown count as misses)
        ndcg = ndcg_at(ranked, dict.fromkeys(good, 1.0), k) if good else math.nan
        couples = correct = 0
        result = tracks[track]
        for g in good:
            for b in bad:
                couples += 1
                good_score = scored.get(target_ids[g])
                bad_score = scored.get(target_ids[b])
                if good_score is not None and (
                    bad_score is None or good_score.score > bad_score.score
                ):
                    correct += 1
                else:
                    result.bad_above_good.append(f"{source_ref}: {b} ≥ {g}")
        result.bad_ruled_out += sum(1 for b in bad if target_ids[b] not in scored)
        result.sources += 1
        result.good_pairs += len(good)
        result.bad_pairs += len(bad)
        result.couples += couples
        result.correct += correct
        if good and not math.isnan(ndcg):
            ndcgs[track].append(ndcg)
        details.append(
            SourceResult(track, source_ref, target_kind, good, bad, ranked, ndcg, couples, correct)
        )
    for name, values in ndcgs.items():
        tracks[name].ndcg10 = sum(values) / len(values)
    return Evaluation(tracks, details, skipped)
