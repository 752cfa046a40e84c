"""Humane schedules: nobody sits through more than N meetings in a row.

After the plan is made (selection, slots, compaction, tables), each run of more than
``max_back_to_back`` consecutive meetings of a participant (a pause after a slot, such as lunch,
ends a run) is broken by moving one of its unlocked meetings to another slot where both sides
are free and available, a table is free, and neither side gets a longer run than the cap allows.
A run that no move can break loses its cheapest unlocked meeting (listed in ``dropped``; a
must-meet pair is reported unmet with reason ``back_to_back``), so the plan always passes the
checker. Selection stays exactly optimal for the problem without the cap; the cap costs only
the meetings reported as dropped (``stats.back_to_back_dropped``).
"""

from __future__ import annotations

from dataclasses import replace

from matchmaker.events.solver.model import (
    EventProblem,
    Meeting,
    ParticipantId,
    Plan,
    ScoredPair,
    UnmetPair,
)
from matchmaker.events.solver.validate import pair_key

MOVE_ROUNDS = 20


class _State:
    def __init__(self, problem: EventProblem, meetings: list[Meeting]) -> None:
        self.problem = problem
        self.meetings: list[Meeting | None] = list(meetings)
        self.avail = {
            p.id: set(range(problem.slots)) - set(p.unavailable_slots) for p in problem.participants
        }
        self.locked = {(pair_key(m.a, m.b), m.slot) for m in problem.locked}

    def slots_of(self, who: ParticipantId) -> set[int]:
        return {m.slot for m in self.meetings if m is not None and who in (m.a, m.b)}

    def excess(self, slots: set[int]) -> int:
        """Meetings beyond the cap over all runs (0: fine)."""
        cap = self.problem.max_back_to_back or 0
        total = run = 0
        for slot in range(self.problem.slots):
            run = run + 1 if slot in slots else 0
            if run > cap:
                total += 1
            if slot in self.problem.pauses_after:
                run = 0
        return total

    def worst(self) -> ParticipantId | None:
        """A participant whose meetings break the cap (the first in order), if any."""
        for person in self.problem.participants:
            if self.excess(self.slots_of(person.id)):
                return person.id
        return None

    def run_members(self, who: ParticipantId) -> list[int]:
        """Indices of the meetings in the participant's runs that are too long."""
        cap = self.problem.max_back_to_back or 0
        by_slot = {
            m.slot: i for i, m in enumerate(self.meetings) if m is not None and who in (m.a, m.b)
        }
        out: list[int] = []
        run: list[int] = []
        for slot in range(self.problem.slots + 1):
            if slot in by_slot:
                run.append(by_slot[slot])
            if (
                slot not in by_slot
                or slot in self.problem.pauses_after
                or slot == self.problem.slots
            ):
                if len(run) > cap:
                    # the meeting just past the cap first: moving it splits the run best
                    out.extend(run[cap:] + run[:cap][::-1])
                run = []
        return [i for i in out if not self.is_locked(i)]

    def is_locked(self, index: int) -> bool:
        m = self.meetings[index]
        return m is not None and (pair_key(m.a, m.b), m.slot) in self.locked

    def free_table(self, slot: int) -> int | None:
        used = {m.table for m in self.meetings if m is not None and m.slot == slot}
        return next((t for t in range(self.problem.tables) if t not in used), None)

    def try_move(self, index: int) -> bool:
        m = self.meetings[index]
        assert m is not None
        before = {w: self.excess(self.slots_of(w)) for w in (m.a, m.b)}
        best: tuple[int, int, int] | None = None
        for slot in range(self.problem.slots):
            if slot == m.slot or slot not in self.avail[m.a] or slot not in self.avail[m.b]:
                continue
            mine = {w: self.slots_of(w) - {m.slot} for w in (m.a, m.b)}
            if slot in mine[m.a] or slot in mine[m.b]:
                continue
            table = self.free_table(slot)
            if table is None:
                continue
            after = {w: self.excess(mine[w] | {slot}) for w in (m.a, m.b)}
            if any(after[w] > before[w] for w in after) or sum(after.values()) >= sum(
                before.values()
            ):
                continue
            rank = (sum(after.values()), abs(slot - m.slot), slot)
            if best is None or rank < (best[0], abs(best[1] - m.slot), best[1]):
                best = (sum(after.values()), slot, table)
        if best is None:
            return False
        self.meetings[index] = replace(m, slot=best[1], table=best[2])
        return True


def cap_back_to_back(problem: EventProblem, plan: Plan) -> Plan:
    """The plan with every run of consecutive meetings within ``problem.max_back_to_back``."""
    if problem.max_back_to_back is None:
        return plan
    state = _State(problem, plan.meetings)
    must = {pair_key(r.a, r.b) for r in problem.must_meet}
    moved = dropped = 0
    unmet = list(plan.unmet_must_meet)
    lost = list(plan.dropped)
    for _ in range(MOVE_ROUNDS * max(1, len(plan.meetings))):
        who = state.worst()
        if who is None:
            break
        members = state.run_members(who)
        if any(state.try_move(i) for i in members):
            moved += 1
            continue
        if not members:  # only locked meetings in the run: the locks themselves break the cap
            break
        candidates = [(i, m) for i in members if (m := state.meetings[i]) is not None]
        victim, gone = min(
            candidates, key=lambda im: (pair_key(im[1].a, im[1].b) in must, im[1].score)
        )
        state.meetings[victim] = None
        dropped += 1
        lost.append(ScoredPair(gone.a, gone.b, gone.score))
        if pair_key(gone.a, gone.b) in must:
            unmet.append(
                UnmetPair(
                    gone.a,
                    gone.b,
                    "back_to_back",
                    f"连续会谈上限 {problem.max_back_to_back} 场，排不下这场必见会谈 / no place "
                    f"within the cap of {problem.max_back_to_back} meetings in a row",
                )
            )
    meetings = sorted((m for m in state.meetings if m is not None), key=lambda m: (m.slot, m.table))
    stats = dict(plan.stats)
    stats.update(
        meetings=len(meetings),
        back_to_back_cap=problem.max_back_to_back,
        back_to_back_moved=moved,
        back_to_back_dropped=dropped,
    )
    return Plan(
        meetings=meetings,
        objective=sum(m.score for m in meetings),
        unmet_must_meet=unmet,
        dropped=lost,
        stats=stats,
    )
