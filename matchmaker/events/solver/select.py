"""Choose which pairs meet: a b-matching MIP (HiGHS via scipy) with caps, event capacity and fairness.

Only the free pairs are variables: locked and must-meet pairs are constants that use up their
sides' capacity, floors and tables, and pairs that cannot meet are left out. The LP relaxation
is solved first: when it is integral (usual on enterprise × university events) it is the
optimum. Otherwise, up to ``MIP_VARIABLES`` free pairs the MIP is solved (exact up to a 0.1 %
gap); above that the LP's integral part is kept and the rest rounded greedily
(``rounding.py``). The LP optimum is the proven bound either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, vstack

from matchmaker.events.solver.instance import Instance, unmet

MIP_VARIABLES = 25_000


@dataclass
class Selection:
    """The chosen pairs and what the solver can prove about them."""

    edges: list[int]
    must: set[int]
    upper_bound: float
    penalty: float
    status: str


@dataclass
class Reduced:
    """The selection model over free pairs only, plus the constant part of the objective."""

    c: np.ndarray
    constraints: LinearConstraint
    bounds: Bounds
    free: list[int]
    fixed: list[int]
    constant: float
    residual: list[int]
    room: int


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


def reduced_model(inst: Instance, must: set[int], bonus: list[float], penalty: float) -> Reduced:
    """Build max Σ (s+bonus) x − penalty · shortfall over the free pairs (locks and musts fixed)."""
    n = inst.n
    fixed = sorted(set(inst.locked) | must)
    fixed_set = set(fixed)
    load = [0] * n
    for e in fixed:
        load[inst.eu[e]] += 1
        load[inst.ev[e]] += 1
    residual = [max(0, inst.cap[v] - load[v]) for v in range(n)]
    room = max(0, inst.slots * inst.tables - len(fixed))
    free = [
        e
        for e in range(inst.m)
        if e not in fixed_set
        and inst.possible(e)
        and residual[inst.eu[e]] > 0
        and residual[inst.ev[e]] > 0
    ]
    constant = sum(inst.score[e] + bonus[e] for e in fixed)
    need = [max(0, inst.floor[v] - load[v]) for v in range(n)]
    floors = [v for v in range(n) if need[v] > 0]
    m, k = len(free), len(floors)
    score = np.asarray(inst.score, dtype=float)
    extra = np.asarray(bonus, dtype=float)
    idx = np.asarray(free, dtype=np.int64)
    c = np.zeros(m + k)
    c[:m] = -(score[idx] + extra[idx]) if m else 0.0
    c[m:] = penalty
    eu = np.asarray(inst.eu, dtype=np.int64)[idx] if m else np.zeros(0, dtype=np.int64)
    ev = np.asarray(inst.ev, dtype=np.int64)[idx] if m else np.zeros(0, dtype=np.int64)
    cols = np.arange(m)
    floor_row = np.full(n, -1, dtype=np.int64)
    for j, v in enumerate(floors):
        floor_row[v] = n + j
    fu, fv = floor_row[eu], floor_row[ev]
    rows = np.concatenate([eu, ev, fu[fu >= 0], fv[fv >= 0], n + np.arange(k), np.full(m, n + k)])
    columns = np.concatenate([cols, cols, cols[fu >= 0], cols[fv >= 0], m + np.arange(k), cols])
    matrix = csr_array((np.ones(len(rows)), (rows, columns)), shape=(n + k + 1, m + k))
    lb = np.concatenate(
        [np.full(n, -np.inf), np.array([need[v] for v in floors], float), [-np.inf]]
    )
    ub = np.concatenate([np.asarray(residual, float), np.full(k, np.inf), [float(room)]])
    upper = np.ones(m + k)
    for j, v in enumerate(floors):
        upper[m + j] = need[v]
    return Reduced(
        c=c,
        constraints=LinearConstraint(matrix, lb, ub),
        bounds=Bounds(np.zeros(m + k), upper),
        free=free,
        fixed=fixed,
        constant=constant,
        residual=residual,
        room=room,
    )


def lp_upper_bound(inst: Instance, must: set[int]) -> float:
    """Upper bound on the selection objective (score minus fairness penalty) from the LP relaxation."""
    if inst.m == 0:
        return 0.0
    model = reduced_model(inst, must, [0.0] * inst.m, fairness_penalty(inst))
    value, _x = _solve_lp(model)
    return value


def _solve_lp(model: Reduced) -> tuple[float, np.ndarray | None]:
    """The LP optimum (objective including the constant part) and its solution vector."""
    if len(model.c) == 0:
        return model.constant, np.zeros(0)
    matrix = model.constraints.A.tocsr()
    lb, ub = model.constraints.lb, model.constraints.ub
    upper_rows, lower_rows = np.isfinite(ub), np.isfinite(lb)
    # HiGHS's interior point method (with crossover, so the answer is a vertex) is the fastest here.
    result = linprog(
        model.c,
        A_ub=vstack([matrix[upper_rows], -matrix[lower_rows]]).tocsr(),
        b_ub=np.concatenate([ub[upper_rows], -lb[lower_rows]]),
        bounds=np.column_stack([model.bounds.lb, model.bounds.ub]),
        method="highs-ipm",
    )
    if result.x is None:
        return float("nan"), None
    return model.constant - float(result.fun), result.x


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
    """Solve the selection MIP (or, for large events, the LP and round it); greedy if nothing in time."""
    from matchmaker.events.solver.rounding import round_lp

    must = trim_musts(inst)
    penalty = fairness_penalty(inst)
    if inst.m == 0:
        return Selection([], must, 0.0, penalty, "optimal")
    model = reduced_model(inst, must, bonus, penalty)
    if not model.free:
        return Selection(list(model.fixed), must, model.constant, penalty, "optimal")
    # The LP first: on bipartite events it is usually integral, and then it is the optimum.
    value, x = _solve_lp(model)
    bound = value if not any(bonus) else float("nan")
    if x is not None:
        picked = x[: len(model.free)]
        if bool(np.all((picked < 1e-6) | (picked > 1 - 1e-6))):
            chosen = [e for j, e in enumerate(model.free) if picked[j] > 0.5]
            return Selection(list(model.fixed) + chosen, must, bound, penalty, "optimal")
        if len(model.free) > MIP_VARIABLES:
            chosen = round_lp(inst, model, x, bonus)
            return Selection(list(model.fixed) + chosen, must, bound, penalty, "lp_rounded")
    result = milp(
        model.c,
        constraints=model.constraints,
        bounds=model.bounds,
        integrality=np.concatenate(
            [np.ones(len(model.free)), np.zeros(len(model.c) - len(model.free))]
        ),
        options={"time_limit": max(time_limit, 0.5), "mip_rel_gap": rel_gap, "disp": False},
    )
    if result.x is None:
        edges = greedy_selection(inst, must, bonus)
        return Selection(edges, must, float("nan"), penalty, "greedy")
    chosen = [e for j, e in enumerate(model.free) if result.x[j] > 0.5]
    if not any(bonus):
        dual = getattr(result, "mip_dual_bound", None)
        if dual is not None and np.isfinite(dual):
            proven = model.constant - float(dual)
            bound = proven if bound != bound else min(bound, proven)
    status = "optimal" if result.status == 0 else "time_limit"
    return Selection(list(model.fixed) + chosen, must, bound, penalty, status)
