"""Choose which pairs meet: a b-matching MIP (HiGHS via scipy) with caps, event capacity and fairness."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from matchmaker.events.solver.instance import Instance, unmet


@dataclass
class Selection:
    """The chosen pairs and what the solver can prove about them."""

    edges: list[int]
    must: set[int]
    upper_bound: float
    penalty: float
    status: str


def fairness_penalty(inst: Instance) -> float:
    """Cost of one missing 'floor' meeting: a multiple of the best score, so fairness wins ties and swaps."""
    top = max((abs(s) for s in inst.score), default=1.0) or 1.0
    return inst.problem.fairness.weight * top


def trim_musts(inst: Instance) -> set[int]:
    """Drop must-meet pairs that cannot all fit a participant's capacity or the event; report them."""
    used = [0] * inst.n
    for e in inst.locked:
        used[inst.eu[e]] += 1
        used[inst.ev[e]] += 1
    kept: set[int] = set()
    room = inst.slots * inst.tables - len(inst.locked)
    for e in sorted(inst.must, key=lambda e: -inst.score[e]):
        u, v = inst.eu[e], inst.ev[e]
        a, b = inst.ids[u], inst.ids[v]
        if used[u] >= inst.cap[u] or used[v] >= inst.cap[v]:
            inst.unmet.append(unmet(a, b, "over_capacity"))
        elif room <= 0:
            inst.unmet.append(unmet(a, b, "event_full"))
        else:
            used[u] += 1
            used[v] += 1
            room -= 1
            kept.add(e)
    return kept


def _model(
    inst: Instance, must: set[int], bonus: list[float], penalty: float
) -> tuple[np.ndarray, LinearConstraint, Bounds, int]:
    """Build c, A x in [lb, ub] and bounds for: max sum (s+bonus) x - penalty * shortfall."""
    m, n = inst.m, inst.n
    floors = [v for v in range(n) if inst.floor[v] > 0]
    k = len(floors)
    c = np.zeros(m + k)
    c[:m] = -(np.asarray(inst.score, dtype=float) + np.asarray(bonus, dtype=float))
    c[m:] = penalty
    lower = np.zeros(m + k)
    upper = np.ones(m + k)
    for e in range(m):
        if not inst.possible(e):
            upper[e] = 0.0
    for e in list(inst.locked) + list(must):
        lower[e] = upper[e] = 1.0
    for j, v in enumerate(floors):
        upper[m + j] = inst.floor[v]
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    eu, ev = np.asarray(inst.eu), np.asarray(inst.ev)
    edge_ids = np.arange(m)
    # Capacity rows 0..n-1: degree(v) <= cap(v).
    rows_cap = np.concatenate([eu, ev])
    cols_cap = np.concatenate([edge_ids, edge_ids])
    # Fairness rows n..n+k-1: degree(v) + shortfall(v) >= floor(v).
    floor_row = {v: n + j for j, v in enumerate(floors)}
    fr_rows: list[int] = []
    fr_cols: list[int] = []
    for e in range(m):
        for end in (inst.eu[e], inst.ev[e]):
            if end in floor_row:
                fr_rows.append(floor_row[end])
                fr_cols.append(e)
    rows = rows_cap.tolist() + fr_rows + [n + j for j in range(k)]
    cols = cols_cap.tolist() + fr_cols + [m + j for j in range(k)]
    vals = [1.0] * len(rows)
    # Event capacity row n+k: total meetings <= slots * tables.
    rows += [n + k] * m
    cols += list(range(m))
    vals += [1.0] * m
    matrix = csr_array((vals, (rows, cols)), shape=(n + k + 1, m + k))
    lb = np.concatenate(
        [np.full(n, -np.inf), np.array([inst.floor[v] for v in floors], dtype=float), [-np.inf]]
    )
    ub = np.concatenate(
        [np.asarray(inst.cap, dtype=float), np.full(k, np.inf), [inst.slots * inst.tables]]
    )
    return c, LinearConstraint(matrix, lb, ub), Bounds(lower, upper), k


def lp_upper_bound(inst: Instance, must: set[int]) -> float:
    """Upper bound on the selection objective (score minus fairness penalty) from the LP relaxation."""
    if inst.m == 0:
        return 0.0
    c, cons, bounds, _ = _model(inst, must, [0.0] * inst.m, fairness_penalty(inst))
    result = milp(c, constraints=cons, bounds=bounds, integrality=np.zeros(len(c)))
    if result.x is None:
        return float("nan")
    return float(-result.fun)


def greedy_selection(inst: Instance, must: set[int], bonus: list[float]) -> list[int]:
    """Fallback when the solver finds nothing in time: forced pairs, then best-first under the caps."""
    used = [0] * inst.n
    chosen: list[int] = []
    room = inst.slots * inst.tables
    forced = list(inst.locked) + sorted(must)
    rest = sorted(
        (e for e in range(inst.m) if e not in inst.locked and e not in must and inst.possible(e)),
        key=lambda e: -(inst.score[e] + bonus[e]),
    )
    for e in forced + rest:
        u, v = inst.eu[e], inst.ev[e]
        is_forced = e in inst.locked or e in must
        if not is_forced and (
            used[u] >= inst.cap[u]
            or used[v] >= inst.cap[v]
            or room <= 0
            or inst.score[e] + bonus[e] <= 0
        ):
            continue
        used[u] += 1
        used[v] += 1
        room -= 1
        chosen.append(e)
    return chosen


def select_pairs(
    inst: Instance, bonus: list[float], time_limit: float, rel_gap: float = 1e-3
) -> Selection:
    """Solve the selection MIP; falls back to greedy if HiGHS returns no solution within the limit."""
    must = trim_musts(inst)
    penalty = fairness_penalty(inst)
    if inst.m == 0:
        return Selection([], must, 0.0, penalty, "optimal")
    c, cons, bounds, _ = _model(inst, must, bonus, penalty)
    integrality = np.ones(len(c))
    result = milp(
        c,
        constraints=cons,
        bounds=bounds,
        integrality=integrality,
        options={"time_limit": max(time_limit, 0.5), "mip_rel_gap": rel_gap, "disp": False},
    )
    if result.x is None:
        edges = greedy_selection(inst, must, bonus)
        return Selection(edges, must, float("nan"), penalty, "greedy")
    chosen = [e for e in range(inst.m) if result.x[e] > 0.5]
    bound = float("nan")
    if not any(bonus):
        dual = getattr(result, "mip_dual_bound", None)
        if dual is not None and np.isfinite(dual):
            bound = float(-dual)
    status = "optimal" if result.status == 0 else "time_limit"
    return Selection(chosen, must, bound, penalty, status)
