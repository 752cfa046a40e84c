"""Plan a matchmaking event end to end: select pairs (MIP), schedule them, assign tables, report."""

from __future__ import annotations

import time

from matchmaker.events.solver.gaps import idle_gaps
from matchmaker.events.solver.humane import cap_back_to_back
from matchmaker.events.solver.instance import Instance, build_instance, unmet
from matchmaker.events.solver.model import EventProblem, Meeting, Plan, ScoredPair, UnmetPair
from matchmaker.events.solver.schedule import Scheduled, build_schedule, meeting_values
from matchmaker.events.solver.select import fairness_penalty, lp_upper_bound, select_pairs
from matchmaker.events.solver.select_slotted import MAX_VARIABLES, select_slotted, slotted_size
from matchmaker.events.solver.tables import assign_tables
from matchmaker.events.solver.validate import PairKey, pair_key, validate_problem

DEFAULT_TIME_LIMIT = 8.0


def plan_event(
    problem: EventProblem,
    time_limit: float = DEFAULT_TIME_LIMIT,
    keep_weight: float = 1.0,
    move_penalty: float = 3.0,
    with_lp_bound: bool = False,
) -> Plan:
    """Produce a valid plan (checked invariants) that maximises total score under all the rules.

    keep_weight: bonus (× best score) for keeping a pair from ``problem.previous``; move_penalty:
    cost (in squared idle slots) of moving a kept meeting to another slot.
    """
    validate_problem(problem)
    started = time.monotonic()
    inst = build_instance(problem)
    top = max((abs(s) for s in inst.score), default=1.0) or 1.0
    bonus = [0.0] * inst.m
    for e in inst.previous:
        bonus[e] = keep_weight * top
    selection = select_pairs(inst, bonus, time_limit=0.6 * time_limit)
    select_seconds = time.monotonic() - started
    penalty = fairness_penalty(inst)
    value = meeting_values(inst, selection.edges, selection.must, penalty)
    deadline = started + time_limit
    scheduled = build_schedule(inst, selection.edges, value, deadline, move_penalty)
    status = selection.status
    bound = selection.upper_bound
    if any(scheduled.grid.slot_of[e] < 0 for e in selection.must):
        bound = float("nan")  # the bound assumed every kept must-meet pair meets
    remaining = deadline - time.monotonic()
    if scheduled.dropped and slotted_size(inst) <= MAX_VARIABLES and remaining > 0.5:
        slotted = select_slotted(inst, inst.must, bonus, penalty, time_limit=0.5 * remaining)
        if slotted is not None:
            edges = list(slotted.slot_of)
            alt = build_schedule(
                inst,
                edges,
                meeting_values(inst, edges, inst.must, penalty),
                deadline,
                move_penalty,
                start_slots=slotted.slot_of,
            )
            if _quality(inst, alt, bonus, penalty) > _quality(inst, scheduled, bonus, penalty):
                scheduled = alt
                status = "slotted_" + ("optimal" if slotted.proven_optimal else "time_limit")
                exact = slotted.proven_optimal and not any(bonus) and not inst.must
                bound = slotted.objective if exact else float("nan")
    grid = scheduled.grid
    tables = assign_tables(grid, inst.locked, inst.previous)
    meetings = [
        Meeting(
            a=inst.ids[inst.eu[e]],
            b=inst.ids[inst.ev[e]],
            slot=grid.slot_of[e],
            table=tables[e],
            score=inst.score[e],
        )
        for e in sorted(range(inst.m), key=lambda e: (grid.slot_of[e], tables.get(e, -1)))
        if grid.slot_of[e] >= 0
    ]
    unmet_rows = _unmet_rows(problem, inst, meetings)
    dropped = [
        ScoredPair(inst.ids[inst.eu[e]], inst.ids[inst.ev[e]], inst.score[e])
        for e in scheduled.dropped
    ]
    objective = sum(m.score for m in meetings)
    stats = _stats(inst, grid.slot_of, objective, penalty)
    stats.update(
        seconds=round(time.monotonic() - started, 3),
        select_seconds=round(select_seconds, 3),
        selection_status=status,
        selected=len(selection.edges),
        added_to_fill=len(scheduled.added),
    )
    if with_lp_bound:
        lp = lp_upper_bound(inst, selection.must)
        stats["lp_bound"] = lp
        bound = lp if bound != bound else min(bound, lp)
    if bound == bound:  # not NaN
        stats["upper_bound"] = bound
        gap = (bound - stats["selection_objective"]) / abs(bound) if bound else 0.0
        stats["gap"] = max(gap, 0.0)
    if inst.previous:
        stats.update(_changes(inst, grid.slot_of, tables))
    made = Plan(
        meetings=meetings,
        objective=objective,
        unmet_must_meet=unmet_rows,
        dropped=dropped,
        stats=stats,
    )
    made = cap_back_to_back(problem, made)  # humane schedules: at most N meetings in a row
    made.stats.update(_placement_stats(inst, made.meetings))
    return made


def _placement_stats(inst: Instance, meetings: list[Meeting]) -> dict:
    """How the day is used: the placement rule, meetings outside preferred windows, slot loads."""
    load = [0] * inst.slots
    misses = 0
    for m in meetings:
        load[m.slot] += 1
        for who in (m.a, m.b):
            misses += not (inst.preferred[inst.index[who]] >> m.slot) & 1
    return {
        "placement": inst.problem.placement,
        "window_misses": misses,
        "busiest_slot": max(load, default=0),
        "slots_used": sum(1 for x in load if x),
    }


def _quality(
    inst: Instance, scheduled: Scheduled, bonus: list[float], penalty: float
) -> tuple[int, float]:
    """Compare two schedules: more must-meet pairs first, then score + keep bonus − fairness cost."""
    slot_of = scheduled.grid.slot_of
    load = [0] * inst.n
    total = 0.0
    for e, s in enumerate(slot_of):
        if s >= 0:
            load[inst.eu[e]] += 1
            load[inst.ev[e]] += 1
            total += inst.score[e] + bonus[e]
    shortfall = sum(max(0, inst.floor[v] - load[v]) for v in range(inst.n))
    musts = sum(1 for e in inst.must if slot_of[e] >= 0)
    return musts, total - penalty * shortfall


def _unmet_rows(problem: EventProblem, inst: Instance, meetings: list[Meeting]) -> list[UnmetPair]:
    """Must-meet pairs missing from the final plan, each with the first reason found for it."""
    met = {pair_key(m.a, m.b) for m in meetings}
    recorded = {pair_key(u.a, u.b): u for u in inst.unmet}
    rows: list[UnmetPair] = []
    seen: set[PairKey] = set()
    for ref in problem.must_meet:
        key = pair_key(ref.a, ref.b)
        if key in met or key in seen:
            continue
        seen.add(key)
        rows.append(recorded.get(key) or unmet(ref.a, ref.b, "unschedulable"))
    return rows


def _stats(inst: Instance, slot_of: list[int], objective: float, penalty: float) -> dict:
    per_person: list[list[int]] = [[] for _ in range(inst.n)]
    for e, s in enumerate(slot_of):
        if s >= 0:
            per_person[inst.eu[e]].append(s)
            per_person[inst.ev[e]].append(s)
    shortfall = 0
    gaps: list[int] = []
    for v, slots in enumerate(per_person):
        slots.sort()
        shortfall += max(0, inst.floor[v] - len(slots))
        gaps.extend(idle_gaps(slots, inst.avail[v]))
    used = sorted({s for s in slot_of if s >= 0})
    return {
        "meetings": sum(1 for s in slot_of if s >= 0),
        "slots_used": len(used),
        "last_slot": used[-1] if used else -1,
        "max_degree": max((len(x) for x in per_person), default=0),
        "max_idle_gap": max(gaps, default=0),
        "total_idle_slots": sum(gaps),
        "participants_with_idle": sum(
            1 for v, slots in enumerate(per_person) if any(idle_gaps(slots, inst.avail[v]))
        ),
        "fairness_shortfall": shortfall,
        "selection_objective": objective - penalty * shortfall,
    }


def _changes(inst: Instance, slot_of: list[int], tables: dict[int, int]) -> dict:
    kept = moved = 0
    for e, (slot, table) in inst.previous.items():
        if slot_of[e] < 0:
            continue
        if slot_of[e] == slot and tables[e] == table:
            kept += 1
        else:
            moved += 1
    previous = set(inst.previous)
    now = {e for e, s in enumerate(slot_of) if s >= 0 and e not in inst.locked}
    return {
        "previous_kept_in_place": kept,
        "previous_moved": moved,
        "previous_removed": len(previous - now),
        "new_meetings": len(now - previous),
    }
