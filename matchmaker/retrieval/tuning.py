"""Choose the fusion weight by split halves: tune on one half of the queries, measure on the other.

The dense and BM25 lists come from the shipped search (`SearchService.search` in `dense` and
`lexical` mode, as deep as hybrid search fetches them) and are fused with the shipped `fuse`, so
a weight chosen here is exactly what `SearchIndex` does with it. Reported: the weight each half
chose, and the MRR@10 those choices scored on the *other* half (mean ± sd over the splits) —
the honest figure — next to the shipped weight's score on the same halves, and, for the first
split, each signal alone and the shipped fusion on either half.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.core.metrics import reciprocal_rank
from matchmaker.retrieval.embed import Embedder
from matchmaker.retrieval.evaluate import ranked_lists, searchable
from matchmaker.retrieval.index.hybrid import FusionParams, fuse

GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))  # dense 0 (BM25) … 1 (dense)


def _mrr_matrix(
    dense: list[list[tuple[str, float]]],
    lexical: list[list[tuple[str, float]]],
    relevant: list[dict[str, int]],
    grid: tuple[float, ...],
) -> np.ndarray:
    """RR@10 of every query (columns) under every dense weight of the grid (rows)."""
    out = np.zeros((len(grid), len(relevant)))
    for q, (d, lx, rel) in enumerate(zip(dense, lexical, relevant, strict=True)):
        names = sorted({doc for doc, _ in d} | {doc for doc, _ in lx})
        number = {name: i for i, name in enumerate(names)}
        d_ids = [(number[doc], s) for doc, s in d]
        l_ids = [(number[doc], s) for doc, s in lx]
        for row, weight in enumerate(grid):
            params = FusionParams(dense_weight=weight, lexical_weight=round(1.0 - weight, 4))
            ranked = [names[i] for i, _ in fuse(d_ids, l_ids, params)[:10]]
            out[row, q] = reciprocal_rank(ranked, rel, 10)
    return out


def split_halves(
    folder: Path | str,
    splits: int = 100,
    seed: int = 7,
    embedder_factory: Callable[[], Embedder] | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Cross-validate the dense weight of hybrid search over `splits` random halvings."""
    if splits < 1:
        raise ValueError("--split-halves 须至少为 1 / must be at least 1")
    shipped = FusionParams()
    with searchable(folder, embedder_factory, cache_dir) as corpus:
        dense = ranked_lists(corpus, "dense", shipped.depth)
        lexical = ranked_lists(corpus, "lexical", shipped.depth)
        relevant = [corpus.data.qrels[q] for q in corpus.data.query_ids]
    grid = tuple(sorted(set(GRID) | {shipped.dense_weight, 0.0, 1.0}))
    scores = _mrr_matrix(dense, lexical, relevant, grid)
    shipped_row = grid.index(shipped.dense_weight)
    rng = random.Random(seed)
    order = list(range(len(relevant)))
    chosen: Counter[float] = Counter()
    held_out: list[float] = []
    shipped_held_out: list[float] = []
    first_split: dict[str, list[float]] = {}
    for number in range(splits):
        rng.shuffle(order)
        half = len(order) // 2
        first, second = np.array(order[:half]), np.array(order[half:])
        if number == 0:  # one fixed split, for a table: each signal and the shipped fusion per half
            for label, weight in (
                ("dense", 1.0),
                ("lexical", 0.0),
                ("hybrid", shipped.dense_weight),
            ):
                row = grid.index(weight)
                first_split[label] = [
                    round(float(scores[row, first].mean()), 4),
                    round(float(scores[row, second].mean()), 4),
                ]
        for train, test in ((first, second), (second, first)):
            best = int(scores[:, train].mean(axis=1).argmax())
            chosen[grid[best]] += 1
            held_out.append(float(scores[best, test].mean()))
            shipped_held_out.append(float(scores[shipped_row, test].mean()))
    return {
        "queries": len(relevant),
        "splits": splits,
        "weights_chosen": {f"{w:.2f}": n for w, n in sorted(chosen.items())},
        "held_out_mrr@10": round(statistics.fmean(held_out), 4),
        "held_out_sd": round(statistics.pstdev(held_out), 4),
        "shipped_dense_weight": shipped.dense_weight,
        "shipped_held_out_mrr@10": round(statistics.fmean(shipped_held_out), 4),
        "first_split_halves_mrr@10": first_split,
        "all_queries_mrr@10": {
            f"{w:.2f}": round(float(scores[i].mean()), 4) for i, w in enumerate(grid)
        },
    }
