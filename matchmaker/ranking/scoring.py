"""Turn a feature vector into a score and per-feature contributions (hand-set or learned weights)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matchmaker.ranking.tracks import FEATURES, Track

HAND_SET = "hand-set"


@dataclass(frozen=True)
class LinearScorer:
    """score = bias + Σ weight·feature; both the hand-set and the learned model take this form."""

    name: str
    weights: Mapping[str, float]
    bias: float = 0.0

    def contributions(self, values: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the score (what the reasons print beside each feature)."""
        return {f: self.weights.get(f, 0.0) * values.get(f, 0.0) for f in FEATURES}

    def score(self, values: Mapping[str, float]) -> float:
        """The pair's score."""
        return self.bias + sum(self.contributions(values).values())

    @property
    def unit(self) -> float:
        """Total absolute weight: scales the diversity decay to this scorer's score range."""
        return sum(abs(w) for w in self.weights.values()) or 1.0


def hand_set(track: Track) -> LinearScorer:
    """The track's hand-set weights, used until a learned model proves better on held-out feedback."""
    return LinearScorer(HAND_SET, dict(track.weights))
