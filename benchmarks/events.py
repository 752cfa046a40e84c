"""Benchmark instance and runner for `matchmaker bench events` (synthetic, seeded, realistic scores)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace

import numpy as np

from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.instance import build_instance
from matchmaker.events.solver.model import EventProblem, Participant, Plan, ScoredPair
from matchmaker.events.solver.planner import DEFAULT_TIME_LIMIT, plan_event
from matchmaker.events.solver.select import lp_upper_bound, trim_musts


@dataclass(frozen=True)
class BenchConfig:
    """Size of the synthetic event."""

    enterprises: int = 500
    universities: int = 500
    pairs: int = 20_000
    cap: int = 8
    slots: int = 16
    tables: int = 60
    seed: int = 7
    unavailable_share: float = 0.0
    max_back_to_back: int | None = None  # humane schedules: at most N meetings in a row
    no_show_share: float = 0.0  # then re-plan with this share of participants not coming
    placement: str = "spread"  # or "compact": all meetings in the first slots


def synthetic_event(config: BenchConfig) -> EventProblem:
    """Enterprises × universities with topic-similarity scores and a few very popular universities.

    Each enterprise gets the same number of candidate universities, drawn with Zipf-like popularity,
    so some universities have hundreds of candidates and some only a handful (as in real data).
    Scores are a topic similarity plus noise, in 0..100 with a long upper tail.
    """
    rng = np.random.default_rng(config.seed)
    dim = 12
    ent_topics = rng.dirichlet(np.full(dim, 0.3), size=config.enterprises)
    uni_topics = rng.dirichlet(np.full(dim, 0.3), size=config.universities)
    popularity = 1.0 / np.arange(1, config.universities + 1) ** 0.8
    popularity = popularity[rng.permutation(config.universities)]
    per_enterprise = config.pairs // config.enterprises
    extra = config.pairs - per_enterprise * config.enterprises
    participants = [
        Participant(id=f"E{i:04d}", max_meetings=config.cap) for i in range(config.enterprises)
    ] + [
        Participant(id=f"U{j:04d}", max_meetings=config.cap, small=bool(rng.random() < 0.2))
        for j in range(config.universities)
    ]
    if config.unavailable_share > 0:
        away = np.random.default_rng(config.seed + 1)
        participants = [
            Participant(
                id=p.id,
                max_meetings=p.max_meetings,
                small=p.small,
                unavailable_slots=frozenset(
                    int(s)
                    for s in away.choice(config.slots, size=away.integers(2, 6), replace=False)
                ),
            )
            if away.random() < config.unavailable_share
            else p
            for p in participants
        ]
    scores: list[ScoredPair] = []
    for i in range(config.enterprises):
        k = per_enterprise + (1 if i < extra else 0)
        similarity = uni_topics @ ent_topics[i]
        weight = popularity * (0.2 + similarity)
        chosen = rng.choice(config.universities, size=k, replace=False, p=weight / weight.sum())
        for j in chosen:
            raw = 0.6 * similarity[j] / max(similarity.max(), 1e-9) + 0.4 * rng.beta(2, 5)
            scores.append(ScoredPair(f"E{i:04d}", f"U{j:04d}", round(float(100 * raw), 2)))
    return EventProblem(
        slots=config.slots,
        tables=config.tables,
        participants=participants,
        scores=scores,
        max_back_to_back=config.max_back_to_back,
        placement=config.placement,
    )


def _figure(value: float) -> float | None:
    return round(value, 2) if value == value else None


def run_bench(
    config: BenchConfig, time_limit: float = DEFAULT_TIME_LIMIT, replan_time_limit: float = 3.0
) -> dict:
    """Plan the synthetic event and return the figures for docs/events.md."""
    problem = synthetic_event(config)
    started = time.monotonic()
    plan = plan_event(problem, time_limit=time_limit, with_lp_bound=False)
    seconds = time.monotonic() - started
    issues = check_plan(problem, plan)
    inst = build_instance(problem)
    lp_bound = lp_upper_bound(inst, trim_musts(inst))
    stats = plan.stats
    selection_objective = stats["selection_objective"]
    gap = (lp_bound - selection_objective) / abs(lp_bound) if lp_bound else 0.0
    report = {
        "config": config.__dict__,
        "cpus": os.cpu_count(),
        "seconds": round(seconds, 2),
        "select_seconds": stats["select_seconds"],
        "valid": not issues,
        "issues": issues[:5],
        "objective": round(plan.objective, 2),
        "selection_objective": round(selection_objective, 2),
        "mip_bound": _figure(stats.get("upper_bound", float("nan"))),
        "lp_bound": _figure(lp_bound),
        "gap_vs_lp_bound": round(max(0.0, gap), 5),
        "meetings": stats["meetings"],
        "dropped": len(plan.dropped),
        "fairness_shortfall": stats["fairness_shortfall"],
        "slots_used": stats["slots_used"],
        "max_degree": stats["max_degree"],
        "max_idle_gap": stats["max_idle_gap"],
        "total_idle_slots": stats["total_idle_slots"],
        "participants_with_idle": stats["participants_with_idle"],
        "selection_status": stats["selection_status"],
        "back_to_back_cap": stats.get("back_to_back_cap"),
        "back_to_back_moved": stats.get("back_to_back_moved", 0),
        "back_to_back_dropped": stats.get("back_to_back_dropped", 0),
        "objective_gap_vs_lp_bound": round(max(0.0, (lp_bound - plan.objective) / abs(lp_bound)), 5)
        if lp_bound
        else 0.0,
    }
    if config.no_show_share > 0:
        report.update(_no_show_replan(problem, plan, config, replan_time_limit))
    return report


def _no_show_replan(
    problem: EventProblem, plan: Plan, config: BenchConfig, time_limit: float
) -> dict:
    """Re-plan after a share of participants does not come, the meetings of those who came locked
    (as ``onsite.no_show`` does): time, meetings refilled, and a check that none of the others
    moved."""
    rng = np.random.default_rng(config.seed + 2)
    count = max(1, round(config.no_show_share * len(problem.participants)))
    gone = {
        problem.participants[int(i)].id
        for i in rng.choice(len(problem.participants), count, replace=False)
    }
    people = [replace(p, max_meetings=0) if p.id in gone else p for p in problem.participants]
    stayed = [m for m in plan.meetings if m.a not in gone and m.b not in gone]
    # On the day every meeting of those who came is fixed (locked); the freed places are refilled.
    again = replace(problem, participants=people, previous=list(plan.meetings), locked=stayed)
    started = time.monotonic()
    after = plan_event(again, time_limit=time_limit)
    seconds = time.monotonic() - started
    place = {frozenset((m.a, m.b)): (m.slot, m.table) for m in after.meetings}
    moved = sum(1 for m in stayed if place.get(frozenset((m.a, m.b))) != (m.slot, m.table))
    before = {frozenset((m.a, m.b)) for m in plan.meetings}
    return {
        "no_shows": count,
        "replan_seconds": round(seconds, 2),
        "replan_valid": not check_plan(again, after),
        "meetings_freed": len(plan.meetings) - len(stayed),
        "meetings_kept_in_place": len(stayed) - moved,
        "meetings_moved_unneeded": moved,
        "meetings_refilled": sum(1 for m in after.meetings if frozenset((m.a, m.b)) not in before),
    }
