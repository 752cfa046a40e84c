"""Shared builders for the event tests: small random events and brute-force optima."""

from __future__ import annotations

import itertools
import random

from matchmaker.events.solver.model import (
    EventProblem,
    Fairness,
    Meeting,
    PairRef,
    Participant,
    ParticipantId,
    ScoredPair,
)


def random_event(
    seed: int,
    *,
    bipartite: bool,
    people: int = 8,
    slots: int = 4,
    tables: int = 3,
    density: float = 0.5,
    unavailable: bool = True,
    locks: int = 2,
    musts: int = 2,
    nevers: int = 1,
    fairness: Fairness | None = None,
) -> EventProblem:
    """A random small event; locks are drawn so they are consistent (the problem is valid input)."""
    rng = random.Random(seed)
    half = people // 2
    ids: list[ParticipantId] = [f"E{i}" if bipartite and i < half else i for i in range(people)]
    participants = []
    for pid in ids:
        blocked = frozenset(s for s in range(slots) if unavailable and rng.random() < 0.2)
        participants.append(
            Participant(
                id=pid,
                max_meetings=rng.randint(0, slots) if rng.random() < 0.1 else rng.randint(1, slots),
                unavailable_slots=blocked,
                small=rng.random() < 0.3,
            )
        )
    if bipartite:
        candidates = [(ids[i], ids[j]) for i in range(half) for j in range(half, people)]
    else:
        candidates = list(itertools.combinations(ids, 2))
    scores = [
        ScoredPair(a, b, round(rng.uniform(0, 10), 2))
        for a, b in candidates
        if rng.random() < density
    ]
    rng.shuffle(scores)
    by_id = {p.id: p for p in participants}
    locked: list[Meeting] = []
    busy: set[tuple[ParticipantId, int]] = set()
    used_tables: set[tuple[int, int]] = set()
    load: dict[ParticipantId, int] = {}
    for pair in scores[:locks]:
        for _ in range(10):
            s, t = rng.randrange(slots), rng.randrange(tables)
            ok = (s, t) not in used_tables and all(
                (w, s) not in busy
                and s not in by_id[w].unavailable_slots
                and load.get(w, 0) < by_id[w].max_meetings
                for w in (pair.a, pair.b)
            )
            if ok:
                locked.append(Meeting(pair.a, pair.b, s, t, pair.score))
                used_tables.add((s, t))
                for w in (pair.a, pair.b):
                    busy.add((w, s))
                    load[w] = load.get(w, 0) + 1
                break
    rest = scores[locks:]
    must = [PairRef(p.a, p.b) for p in rest[:musts]]
    never = [PairRef(p.a, p.b) for p in rest[musts : musts + nevers]]
    return EventProblem(
        slots=slots,
        tables=tables,
        participants=participants,
        scores=scores,
        must_meet=must,
        never_meet=never,
        locked=locked,
        fairness=fairness or Fairness(),
    )


def brute_force_optimum(problem: EventProblem, penalty: float) -> float:
    """Best score − penalty × fairness shortfall over every valid slot assignment (tiny events only).

    Tables are interchangeable, so a slot holds at most `tables` meetings. Each scored pair is either
    skipped or placed in one slot; must-meet pairs are not forced (callers use events without them).
    """
    people = {p.id: p for p in problem.participants}
    never = {frozenset((r.a, r.b)) for r in problem.never_meet}
    pairs = [s for s in problem.scores if frozenset((s.a, s.b)) not in never]
    degree_possible: dict[ParticipantId, int] = {}
    for candidate in pairs:
        a, b = people[candidate.a], people[candidate.b]
        common = set(range(problem.slots)) - a.unavailable_slots - b.unavailable_slots
        if a.max_meetings and b.max_meetings and common:
            for w in (candidate.a, candidate.b):
                degree_possible[w] = degree_possible.get(w, 0) + 1
    fair = problem.fairness

    def floor(p: Participant) -> int:
        base = fair.small_min_meetings if p.small else fair.min_meetings
        available = problem.slots - len(p.unavailable_slots)
        return min(base, p.max_meetings, available, degree_possible.get(p.id, 0))

    best = float("-inf")
    options = range(-1, problem.slots)
    for choice in itertools.product(options, repeat=len(pairs)):
        busy: set[tuple[ParticipantId, int]] = set()
        per_slot = [0] * problem.slots
        load: dict[ParticipantId, int] = {}
        total = 0.0
        valid = True
        for pair, s in zip(pairs, choice, strict=True):
            if s < 0:
                continue
            per_slot[s] += 1
            for w in (pair.a, pair.b):
                if (w, s) in busy or s in people[w].unavailable_slots:
                    valid = False
                busy.add((w, s))
                load[w] = load.get(w, 0) + 1
            total += pair.score
            if not valid or per_slot[s] > problem.tables:
                valid = False
                break
        if not valid or any(load.get(w, 0) > p.max_meetings for w, p in people.items()):
            continue
        shortfall = sum(max(0, floor(p) - load.get(p.id, 0)) for p in problem.participants)
        best = max(best, total - penalty * shortfall)
    return best
