"""Turn a set of chosen meetings into a valid slot grid: locks, warm start, colouring, repair, fill, compaction."""

from __future__ import annotations

import time
from dataclasses import dataclass

from matchmaker.events.solver.colour import Colourer
from matchmaker.events.solver.compact import Compactor
from matchmaker.events.solver.grid import SlotGrid
from matchmaker.events.solver.instance import Instance

MUST_VALUE = 1e6


@dataclass
class Scheduled:
    """The grid after scheduling, what had to be dropped and what was added to fill free places."""

    grid: SlotGrid
    dropped: list[int]
    added: list[int]
    slot_limit: int


def meeting_values(
    inst: Instance, selected: list[int], must: set[int], penalty: float
) -> list[float]:
    """How much losing each meeting would hurt: score, plus fairness and must-meet weight."""
    degree = [0] * inst.n
    for e in selected:
        degree[inst.eu[e]] += 1
        degree[inst.ev[e]] += 1
    value = list(inst.score)
    for e in selected:
        for x in (inst.eu[e], inst.ev[e]):
            if degree[x] <= inst.floor[x]:
                value[e] += penalty
        if e in must:
            value[e] += MUST_VALUE
    return value


def _order(inst: Instance, edges: list[int]) -> list[int]:
    """Insert meetings hub by hub (busiest participant first) so each hub's day is built in one block.

    Meetings of participants with preferred windows go first, so they land in their windows.
    """
    degree = [0] * inst.n
    for e in edges:
        degree[inst.eu[e]] += 1
        degree[inst.ev[e]] += 1

    wishes = [p.preferred_slots is not None for p in inst.problem.participants]

    def key(e: int) -> tuple[bool, int, int, float]:
        u, v = inst.eu[e], inst.ev[e]
        hub = u if (degree[u], -u) >= (degree[v], -v) else v
        # Meetings of participants with preferred windows first: the others fit around them.
        return (not (wishes[u] or wishes[v]), -degree[hub], hub, -inst.score[e])

    return sorted(edges, key=key)


def build_schedule(
    inst: Instance,
    selected: list[int],
    value: list[float],
    deadline: float,
    move_penalty: float,
    start_slots: dict[int, int] | None = None,
) -> Scheduled:
    """Slot every selected meeting if possible; lowest-value meetings are dropped when they cannot fit.

    start_slots: slots to try first for each meeting (default: the previous plan's slots).
    """
    grid = SlotGrid(inst)
    for e, (slot, _table) in inst.locked.items():
        grid.place(e, slot)
        grid.fixed.add(e)
    preferred = {e: s for e, (s, _t) in inst.previous.items()}
    colourer = Colourer(grid, value, preferred)
    degree = [0] * inst.n
    for e in selected:
        degree[inst.eu[e]] += 1
        degree[inst.ev[e]] += 1
    max_degree = max(degree, default=0)
    needed = -(-len(selected) // inst.tables)
    spread = inst.problem.placement == "spread"
    # Windows may lie beyond the compact range: then every slot is open and waits decide.
    wishes = any(p.preferred_slots is not None for p in inst.problem.participants)
    slot_limit = inst.slots if spread or wishes else min(inst.slots, max(max_degree, needed, 1))
    range_mask = (1 << slot_limit) - 1
    full_mask = (1 << inst.slots) - 1
    if spread:  # about the same number of meetings in every slot anyone can meet in
        grid.tables = min(inst.tables, balanced_load(inst, selected))
    pending: list[int] = []
    rest: list[int] = []
    for e in selected:
        if e in inst.locked:
            continue
        want = (start_slots if start_slots is not None else preferred).get(e)
        if want is not None and grid.can_place(e, want):
            grid.place(e, want)
        else:
            rest.append(e)
    for e in _order(inst, rest):
        if not colourer.insert(e, range_mask) and not colourer.insert(e, full_mask):
            pending.append(e)
    if spread and pending:
        grid.tables = inst.tables
        pending = [e for e in pending if not colourer.insert(e, full_mask)]
    grid.tables = inst.tables
    dropped = colourer.repair(pending, full_mask, budget=20 * len(pending) + 100) if pending else []
    added = fill_free_places(
        inst, grid, colourer, set(selected), set(dropped), range_mask, deadline
    )
    used_limit = max((s + 1 for s in range(inst.slots) if grid.count[s] > 0), default=0)
    limit = max(slot_limit, used_limit)
    if spread:  # compaction must not pile the meetings back into a few slots
        grid.tables = min(inst.tables, max(balanced_load(inst, selected), max(grid.count)))
    Compactor(grid, preferred, move_penalty, limit, deadline).run()
    grid.tables = inst.tables
    return Scheduled(grid=grid, dropped=dropped, added=added, slot_limit=limit)


def balanced_load(inst: Instance, selected: list[int]) -> int:
    """Meetings per slot when the selected ones are shared evenly over the slots they may use."""
    usable = 0
    for e in selected:
        usable |= inst.allowed[e]
    return max(1, -(-len(selected) // max(1, usable.bit_count())))


def fill_free_places(
    inst: Instance,
    grid: SlotGrid,
    colourer: Colourer,
    selected: set[int],
    dropped: set[int],
    range_mask: int,
    deadline: float,
) -> list[int]:
    """Use places left free (dropped or cancelled meetings) for the best unselected pairs that still fit."""
    degree = [0] * inst.n
    for e in range(inst.m):
        if grid.slot_of[e] >= 0:
            degree[inst.eu[e]] += 1
            degree[inst.ev[e]] += 1
    if sum(grid.count) >= inst.slots * inst.tables:
        return []

    def helps_floor(e: int) -> bool:
        return (
            degree[inst.eu[e]] < inst.floor[inst.eu[e]]
            or degree[inst.ev[e]] < inst.floor[inst.ev[e]]
        )

    candidates = [
        e
        for e in range(inst.m)
        if e not in selected
        and e not in dropped
        and inst.possible(e)
        and degree[inst.eu[e]] < inst.cap[inst.eu[e]]
        and degree[inst.ev[e]] < inst.cap[inst.ev[e]]
    ]
    candidates = [e for e in candidates if inst.score[e] > 0 or helps_floor(e) or e in inst.must]
    candidates.sort(key=lambda e: (e not in inst.must, not helps_floor(e), -inst.score[e]))
    full_mask = (1 << inst.slots) - 1
    added: list[int] = []
    for e in candidates:
        u, v = inst.eu[e], inst.ev[e]
        if degree[u] >= inst.cap[u] or degree[v] >= inst.cap[v]:
            continue
        if sum(grid.count) >= inst.slots * inst.tables or time.monotonic() > deadline:
            break
        if colourer.insert(e, range_mask) or colourer.insert(e, full_mask):
            degree[u] += 1
            degree[v] += 1
            added.append(e)
    return added
