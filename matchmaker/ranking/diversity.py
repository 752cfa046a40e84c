"""Keep one organisation from filling a list: per-owner decay plus a hard cap, applied greedily."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def owner_cap(base_cap: int, k: int) -> int:
    """The per-owner cap for a list of k (the track's cap is stated for a list of 10)."""
    return max(1, math.ceil(base_cap * k / 10))


def diversify(
    ranked: Sequence[T],
    score: Callable[[T], float],
    owner: Callable[[T], int | None],
    k: int,
    decay: float,
    cap: int,
) -> list[tuple[T, float]]:
    """Choose k items best-first where each earlier pick of the same owner costs `decay` and no
    owner has more than `cap`; returns (item, penalty) in list order, scores never increasing."""
    chosen: list[tuple[T, float]] = []
    count: Counter[int] = Counter()
    pool = list(ranked)
    while pool and len(chosen) < k:
        best_index, best_value, best_penalty = -1, -math.inf, 0.0
        for index, item in enumerate(pool):
            key = owner(item)
            seen = count[key] if key is not None else 0
            if key is not None and seen >= cap:
                continue
            penalty = decay * seen
            value = score(item) - penalty
            if value > best_value:
                best_index, best_value, best_penalty = index, value, penalty
        if best_index < 0:
            break
        item = pool.pop(best_index)
        key = owner(item)
        if key is not None:
            count[key] += 1
        chosen.append((item, best_penalty))
    return chosen
