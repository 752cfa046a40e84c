"""Exact slot-indexed MIP (pair × slot variables) for small events where the fast path had to drop meetings.

The pair-level model only knows caps and the event's total capacity; with odd cycles (non-bipartite
meetings), unavailability or locks it can pick pairs that do not fit. This model decides pair and
slot together, so its optimum is the true optimum; it is used only when it is small enough.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from matchmaker.events.solver.grid import bits
from matchmaker.events.solver.instance import Instance

MAX_VARIABLES = 4000


@dataclass
class SlottedSelection:
    """Pairs and their slots from the slot-indexed model."""

    slot_of: dict[int, int]
    objective: float
    proven_optimal: bool


def slotted_size(inst: Instance) -> int:
    """Number of pair × slot variables the model would need."""
    return sum(
        inst.allowed[e].bit_count()
        for e in range(inst.m)
        if e not in inst.locked and inst.possible(e)
    )


def select_slotted(
    inst: Instance, must: set[int], bonus: list[float], penalty: float, time_limit: float
) -> SlottedSelection | None:
    """Solve pair + slot choice exactly (or best found in time); None if no solution was found."""
    n, slots = inst.n, inst.slots
    locked_load = [0] * n
    locked_slot = [0] * slots
    for e, (slot, _table) in inst.locked.items():
        locked_load[inst.eu[e]] += 1
        locked_load[inst.ev[e]] += 1
        locked_slot[slot] += 1
    variables: list[tuple[int, int]] = [
        (e, s)
        for e in range(inst.m)
        if e not in inst.locked and inst.possible(e)
        for s in bits(inst.allowed[e])
    ]
    floors = [v for v in range(n) if inst.floor[v] > locked_load[v]]
    k = len(floors)
    count = len(variables) + k
    if not variables:
        return SlottedSelection({}, 0.0, True)
    weight = sum(abs(x) for x in inst.score) + sum(bonus) + penalty * sum(inst.floor) + 1.0
    c = np.zeros(count)
    for j, (e, _s) in enumerate(variables):
        c[j] = -(inst.score[e] + bonus[e] + (weight if e in must else 0.0))
    c[len(variables) :] = penalty
    rows: list[int] = []
    cols: list[int] = []
    lbs: list[float] = []
    ubs: list[float] = []
    row = 0

    def add_row(members: list[int], lo: float, hi: float) -> None:
        nonlocal row
        rows.extend([row] * len(members))
        cols.extend(members)
        lbs.append(lo)
        ubs.append(hi)
        row += 1

    by_edge: dict[int, list[int]] = {}
    by_person: list[list[int]] = [[] for _ in range(n)]
    by_person_slot: dict[tuple[int, int], list[int]] = {}
    by_slot: list[list[int]] = [[] for _ in range(slots)]
    for j, (e, s) in enumerate(variables):
        by_edge.setdefault(e, []).append(j)
        by_slot[s].append(j)
        for x in (inst.eu[e], inst.ev[e]):
            by_person[x].append(j)
            by_person_slot.setdefault((x, s), []).append(j)
    for members in by_edge.values():
        add_row(members, 0.0, 1.0)
    for members in by_person_slot.values():
        if len(members) > 1:
            add_row(members, 0.0, 1.0)
    for v in range(n):
        if by_person[v]:
            add_row(by_person[v], 0.0, float(inst.cap[v] - locked_load[v]))
    for s in range(slots):
        if by_slot[s]:
            add_row(by_slot[s], 0.0, float(inst.tables - locked_slot[s]))
    for j, v in enumerate(floors):
        add_row(by_person[v] + [len(variables) + j], float(inst.floor[v] - locked_load[v]), np.inf)
    matrix = csr_array((np.ones(len(rows)), (rows, cols)), shape=(row, count))
    upper = np.ones(count)
    for j, v in enumerate(floors):
        upper[len(variables) + j] = inst.floor[v] - locked_load[v]
    result = milp(
        c,
        constraints=LinearConstraint(matrix, np.asarray(lbs), np.asarray(ubs)),
        bounds=Bounds(np.zeros(count), upper),
        integrality=np.concatenate([np.ones(len(variables)), np.zeros(k)]),
        options={"time_limit": max(time_limit, 0.2), "disp": False},
    )
    if result.x is None:
        return None
    chosen = {e: s for j, (e, s) in enumerate(variables) if result.x[j] > 0.5}
    return SlottedSelection(chosen, float(-result.fun), result.status == 0)
