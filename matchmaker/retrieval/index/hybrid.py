"""Fuse dense (cosine) and keyword (BM25, char n-gram) results into one ranking.

Method: per query, each result list is min-max normalised to [0, 1] (a document missing from a
list scores 0 there), then the normalised scores are added with fixed weights. The weights were
chosen by cross-validation over random halves of csl-dev/problem; see docs/retrieval.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Scored = Sequence[tuple[int, float]]


@dataclass(frozen=True)
class FusionParams:
    """Every fusion knob in one place; the defaults are the tuned values."""

    dense_weight: float = 0.6
    lexical_weight: float = 0.2  # BM25 over jieba words (LexicalIndex)
    ngram_weight: float = 0.2  # TF-IDF over character 1-3-grams (CharNgramIndex)
    depth: int = 100  # how many results callers should fetch from each retriever before fusing


def minmax(results: Scored) -> dict[int, float]:
    """Scores rescaled to [0, 1] within one result list (all-equal scores all become 1)."""
    if not results:
        return {}
    scores = [float(s) for _, s in results]
    low, high = min(scores), max(scores)
    span = high - low
    return {int(doc): (float(s) - low) / span if span > 0 else 1.0 for doc, s in results}


def fuse(
    dense: Scored,
    lexical: Scored,
    ngram: Scored | None = None,
    params: FusionParams | None = None,
) -> list[tuple[int, float]]:
    """One ranking from the retrievers' top lists, best first, as (id, fused score in [0, 1]).

    Pass `ngram=None` when no char n-gram index is available: its weight is then left out and
    the other weights are rescaled to sum to 1 (0.75 dense / 0.25 BM25 with the defaults).
    """
    chosen = params or FusionParams()
    signals: list[tuple[float, Scored]] = [
        (chosen.dense_weight, dense),
        (chosen.lexical_weight, lexical),
    ]
    if ngram is not None:
        signals.append((chosen.ngram_weight, ngram))
    total = sum(weight for weight, _ in signals)
    if total <= 0:
        raise ValueError("融合权重之和须大于 0 / fusion weights must sum to more than 0")
    fused: dict[int, float] = {}
    for weight, results in signals:
        for doc, score in minmax(results).items():
            fused[doc] = fused.get(doc, 0.0) + weight / total * score
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
