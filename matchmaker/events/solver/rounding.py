"""Round the selection LP of a large event: keep its integral pairs, then add the best pairs that still fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker.events.solver.instance import Instance

if TYPE_CHECKING:
    from matchmaker.events.solver.select import Reduced

ONE = 1.0 - 1e-6


def round_lp(inst: Instance, model: Reduced, x: np.ndarray, bonus: list[float]) -> list[int]:
    """Free pairs to meet: those at 1 in the LP, then fractional ones by LP value, then by score.

    Every pick respects the residual capacities and the event's free places; a pair below both
    sides' fairness floors or with a positive score is worth adding. On bipartite events the LP is
    usually integral already, so nothing is left to round.
    """
    free = model.free
    residual = list(model.residual)
    room = model.room
    need = [max(0, f) for f in inst.floor]
    for e in model.fixed:
        for v in (inst.eu[e], inst.ev[e]):
            need[v] -= 1
    chosen: list[int] = []
    taken = np.zeros(len(free), dtype=bool)

    def take(j: int) -> bool:
        nonlocal room
        e = free[j]
        u, v = inst.eu[e], inst.ev[e]
        if room <= 0 or residual[u] <= 0 or residual[v] <= 0:
            return False
        residual[u] -= 1
        residual[v] -= 1
        need[u] -= 1
        need[v] -= 1
        room -= 1
        taken[j] = True
        chosen.append(e)
        return True

    values = np.array([inst.score[e] + bonus[e] for e in free], dtype=float)
    picked = x[: len(free)]
    whole: list[int] = np.flatnonzero(picked >= ONE).tolist()
    for j in whole:
        take(j)
    fractional: list[int] = np.flatnonzero((picked > 1e-6) & (picked < ONE)).tolist()
    for j in sorted(fractional, key=lambda j: (-picked[j], -values[j])):
        take(j)
    # Pairs that help a fairness floor first, then the best remaining scores.
    rest: list[int] = sorted(np.flatnonzero(~taken).tolist(), key=lambda j: -values[j])
    for j in rest:
        e = free[j]
        if need[inst.eu[e]] > 0 or need[inst.ev[e]] > 0:
            take(j)
    for j in rest:
        if not taken[j] and values[j] > 0:
            take(j)
    return chosen
