"""Ranking metrics, defined once: nDCG, reciprocal rank and recall over a ranked list of ids.

Used by `matchmaker eval` (retrieval on BEIR sets) and `matchmaker eval-pairs` (the recommender on
labelled pairs), so both report the same nDCG.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with linear gains (gain / log2(rank + 1))."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[K], relevant: Mapping[K, float], k: int = 10) -> float:
    """nDCG@k of a ranked list against graded judgements (absent = 0); 0 when nothing is relevant."""
    ideal = dcg(sorted((g for g in relevant.values() if g > 0), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([relevant.get(d, 0) for d in ranked[:k]]) / ideal


def reciprocal_rank(ranked: Sequence[K], relevant: Mapping[K, float], k: int = 10) -> float:
    """1 / rank of the first relevant item within the top k (0 when none is there)."""
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:k]) if relevant.get(d, 0) > 0), 0.0)


def recall_at(ranked: Sequence[K], relevant: Mapping[K, float], k: int) -> float:
    """Share of the relevant items found in the top k (0 when nothing is relevant)."""
    wanted = [d for d, g in relevant.items() if g > 0]
    if not wanted:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for d in wanted if d in top) / len(wanted)
