"""Fuse dense (cosine) and keyword (BM25) results into one ranking.

Method: per query, each result list is min-max normalised to [0, 1] (a document missing from a
list scores 0 there), then the normalised scores are added with fixed weights. The weights were
chosen by cross-validation over random halves of csl-dev/problem, through the shipped search
(`matchmaker eval --split-halves`); see docs/retrieval.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Scored = Sequence[tuple[int, float]]


@dataclass(frozen=True)
class FusionParams:
    """Every fusion knob in one place; the defaults are the tuned values."""

    dense_weight: float = 0.75
    lexical_weight: float = 0.25  # BM25 over jieba words (LexicalIndex)
    depth: int = 200  # results fetched from each retriever before fusing (the search's candidates)


def minmax(results: Scored) -> dict[int, float]:
    """Scores rescaled to [0, 1] within one result list (all-equal scores all become 1)."""
    if not results:
        return {}
    scores = [float(s) for _, s in results]
    low, high = min(scores), max(scores)
    span = high - low
    return {int(doc): (float(s) - low) / span if span > 0 else 1.0 for doc, s in results}


def fuse(
    dense: Scored, lexical: Scored, params: FusionParams | None = None
) -> list[tuple[int, float]]:
    """One ranking from the retrievers' top lists, best first, as (id, fused score in [0, 1])."""
    chosen = params or FusionParams()
    total = chosen.dense_weight + chosen.lexical_weight
    if chosen.dense_weight < 0 or chosen.lexical_weight < 0 or total <= 0:
        raise ValueError("融合权重须非负且之和大于 0 / fusion weights must be >= 0 and sum to > 0")
    fused: dict[int, float] = {}
    for weight, results in ((chosen.dense_weight, dense), (chosen.lexical_weight, lexical)):
        for doc, score in minmax(results).items():
            fused[doc] = fused.get(doc, 0.0) + weight / total * score
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
