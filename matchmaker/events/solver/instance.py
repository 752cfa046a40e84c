"""Index an EventProblem into integer arrays (participants 0..n-1, candidate pairs 0..m-1) for the solvers."""

from __future__ import annotations

from dataclasses import dataclass, field

from matchmaker.events.solver.gaps import person_cost
from matchmaker.events.solver.model import EventProblem, ParticipantId, UnmetPair
from matchmaker.events.solver.validate import PairKey, pair_key

MUST_REASONS = {
    "not_scored": (
        "该配对不在 scores 中，按规则不能安排",
        "the pair is not in scores, so it may not meet",
    ),
    "no_common_slot": ("双方没有共同的空闲时段", "the two have no free slot in common"),
    "over_capacity": (
        "参会方的必见配对多于其可安排的场次",
        "a participant has more must-meet pairs than meetings it can take",
    ),
    "event_full": ("活动总桌位不足", "the event has too few slot × table places"),
    "unschedulable": (
        "排程时无法放入（时段、桌位或可用时间冲突）",
        "could not be placed in the schedule (slots, tables or availability clash)",
    ),
}


def unmet(a: ParticipantId, b: ParticipantId, reason: str) -> UnmetPair:
    """Build the report row for a must-meet pair that cannot be honoured."""
    zh, en = MUST_REASONS[reason]
    return UnmetPair(a=a, b=b, reason=reason, message=f"{zh} / {en}")


def slot_mask(slots: int, unavailable: frozenset[int]) -> int:
    """Bit s is set when slot s is usable."""
    mask = (1 << slots) - 1
    for s in unavailable:
        mask &= ~(1 << s)
    return mask


@dataclass
class Instance:
    """The problem with participants and candidate pairs numbered, plus derived capacities."""

    problem: EventProblem
    ids: list[ParticipantId]
    index: dict[ParticipantId, int]
    avail: list[int]
    cap: list[int]
    floor: list[int]
    eu: list[int]
    ev: list[int]
    score: list[float]
    allowed: list[int]
    edge_of: dict[PairKey, int]
    locked: dict[int, tuple[int, int]]
    must: set[int]
    previous: dict[int, tuple[int, int]]
    unmet: list[UnmetPair] = field(default_factory=list)
    preferred: list[int] = field(default_factory=list)

    def day_cost(self, v: int, slots: list[int]) -> float:
        """Participant v's cost of meeting in these (sorted) slots: idle waits and missed windows."""
        return person_cost(slots, self.avail[v], self.preferred[v], self.problem.preferred_weight)

    @property
    def slots(self) -> int:
        """Number of time slots (from the problem)."""
        return self.problem.slots

    @property
    def tables(self) -> int:
        """Number of tables per slot (from the problem)."""
        return self.problem.tables

    @property
    def n(self) -> int:
        """Number of participants."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of candidate pairs (scored and not never-meet)."""
        return len(self.eu)

    def possible(self, e: int) -> bool:
        """A pair can meet at all: a common free slot and room in both participants' days."""
        return self.allowed[e] != 0 and self.cap[self.eu[e]] > 0 and self.cap[self.ev[e]] > 0


def build_instance(problem: EventProblem) -> Instance:
    """Number everything once so the optimiser and scheduler work on plain integer lists."""
    ids = [p.id for p in problem.participants]
    index = {pid: i for i, pid in enumerate(ids)}
    avail = [slot_mask(problem.slots, p.unavailable_slots) for p in problem.participants]
    cap = [min(p.max_meetings, avail[i].bit_count()) for i, p in enumerate(problem.participants)]
    never = {pair_key(r.a, r.b) for r in problem.never_meet}
    eu: list[int] = []
    ev: list[int] = []
    score: list[float] = []
    allowed: list[int] = []
    edge_of: dict[PairKey, int] = {}
    for pair in problem.scores:
        key = pair_key(pair.a, pair.b)
        if key in never:
            continue
        u, v = index[pair.a], index[pair.b]
        edge_of[key] = len(eu)
        eu.append(u)
        ev.append(v)
        score.append(pair.score)
        allowed.append(avail[u] & avail[v])
    locked = {edge_of[pair_key(m.a, m.b)]: (m.slot, m.table) for m in problem.locked}
    # Slots taken by locked meetings are closed to other meetings of the same people, and a slot
    # whose tables are all locked is closed to everyone else.
    closed = [0] * len(ids)
    per_slot = [0] * problem.slots
    for e, (slot, _table) in locked.items():
        closed[eu[e]] |= 1 << slot
        closed[ev[e]] |= 1 << slot
        per_slot[slot] += 1
    full = sum(1 << s for s in range(problem.slots) if per_slot[s] >= problem.tables)
    for e in range(len(eu)):
        if e in locked:
            allowed[e] = 1 << locked[e][0]
        else:
            allowed[e] &= ~(closed[eu[e]] | closed[ev[e]] | full)
    unmet_rows: list[UnmetPair] = []
    must: set[int] = set()
    seen: set[PairKey] = set()
    for ref in problem.must_meet:
        key = pair_key(ref.a, ref.b)
        if key in seen:
            continue
        seen.add(key)
        found = edge_of.get(key)
        if found is None:
            unmet_rows.append(unmet(ref.a, ref.b, "not_scored"))
        elif found in locked:
            continue
        elif allowed[found] == 0:
            unmet_rows.append(unmet(ref.a, ref.b, "no_common_slot"))
        else:
            must.add(found)
    previous: dict[int, tuple[int, int]] = {}
    for meeting in problem.previous:
        known = edge_of.get(pair_key(meeting.a, meeting.b))
        if known is None or known in locked:
            continue
        if 0 <= meeting.slot < problem.slots and 0 <= meeting.table < problem.tables:
            previous[known] = (meeting.slot, meeting.table)
    degree = [0] * len(ids)
    for e in range(len(eu)):
        if allowed[e] and cap[eu[e]] > 0 and cap[ev[e]] > 0:
            degree[eu[e]] += 1
            degree[ev[e]] += 1
    fair = problem.fairness
    floor = []
    for i, p in enumerate(problem.participants):
        base = p.min_meetings
        if base is None:
            base = fair.small_min_meetings if p.small else fair.min_meetings
        floor.append(min(base, cap[i], degree[i]))
    return Instance(
        problem=problem,
        ids=ids,
        index=index,
        avail=avail,
        cap=cap,
        floor=floor,
        eu=eu,
        ev=ev,
        score=score,
        allowed=allowed,
        edge_of=edge_of,
        locked=locked,
        must=must,
        previous=previous,
        unmet=unmet_rows,
        preferred=[
            avail[i] if p.preferred_slots is None else sum(1 << s for s in p.preferred_slots)
            for i, p in enumerate(problem.participants)
        ],
    )
