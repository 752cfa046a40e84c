"""Humane schedules: nobody sits through more than N meetings in a row.

After the plan is made (selection, slots, compaction, tables), each run of more than
``max_back_to_back`` consecutive meetings of a participant (a pause after a slot, such as lunch,
ends a run) is broken by moving one of its unlocked meetings to another slot where both sides
are free and available, a table is free, and neither side ends with more meetings over the cap.
A run that no move can break loses its cheapest unlocked meeting (listed in ``dropped``; a
must-meet pair is reported unmet with reason ``back_to_back``), so the plan always passes the
checker. Selection stays exactly optimal for the problem without the cap; the cap costs only
the meetings reported as dropped (``stats.back_to_back_dropped``).
"""

from __future__ import annotations

from dataclasses import replace

from matchmaker.events.solver.gaps import gap_cost, idle_gaps
from matchmaker.events.solver.model import (
    EventProblem,
    Meeting,
    ParticipantId,
    Plan,
    ScoredPair,
    UnmetPair,
)
from matchmaker.events.solver.validate import pair_key


class _State:
    """The plan's meetings with, per participant, its slots, and per slot, the tables in use."""

    def __init__(self, problem: EventProblem, meetings: list[Meeting]) -> None:
        self.problem = problem
        self.cap = problem.max_back_to_back or 0
        self.meetings: list[Meeting | None] = list(meetings)
        self.unavailable = {p.id: p.unavailable_slots for p in problem.participants}
        self.mask = {
            p.id: sum(1 << k for k in range(problem.slots) if k not in p.unavailable_slots)
            for p in problem.participants
        }
        self.locked = {(pair_key(m.a, m.b), m.slot) for m in problem.locked}
        self.busy: dict[ParticipantId, dict[int, int]] = {}
        self.tables: dict[int, set[int]] = {}
        self.at: dict[int, set[int]] = {}  # slot -> indices of its meetings
        for i, m in enumerate(meetings):
            self._place(i, m)
        self.locked_index = {
            i for i, m in enumerate(meetings) if (pair_key(m.a, m.b), m.slot) in self.locked
        }

    def _place(self, i: int, m: Meeting) -> None:
        for who in (m.a, m.b):
            self.busy.setdefault(who, {})[m.slot] = i
        self.tables.setdefault(m.slot, set()).add(m.table)
        self.at.setdefault(m.slot, set()).add(i)

    def _lift(self, i: int) -> Meeting:
        m = self.meetings[i]
        assert m is not None
        for who in (m.a, m.b):
            del self.busy[who][m.slot]
        self.tables[m.slot].discard(m.table)
        self.at[m.slot].discard(i)
        return m

    def excess(self, slots: set[int] | dict[int, int]) -> int:
        """Meetings beyond the cap over all runs (0: fine)."""
        total = run = 0
        for slot in sorted(slots):
            run = run + 1 if slot - 1 in slots and slot - 1 not in self.problem.pauses_after else 1
            if run > self.cap:
                total += 1
        return total

    def waits_of(self, who: ParticipantId, slots: set[int]) -> int:
        """Squared idle waits of a participant with meetings in these slots."""
        return gap_cost(sorted(slots), self.mask[who])

    def run_members(self, who: ParticipantId) -> list[int]:
        """The unlocked meetings in the participant's too-long runs, the one past the cap first."""
        by_slot = self.busy.get(who, {})
        out: list[int] = []
        run: list[int] = []
        for slot in sorted(by_slot):
            if run and (slot - 1 not in by_slot or slot - 1 in self.problem.pauses_after):
                out.extend(self._order(run))
                run = []
            run.append(by_slot[slot])
        out.extend(self._order(run))
        return [i for i in out if not self.is_locked(i)]

    def _order(self, run: list[int]) -> list[int]:
        return run[self.cap :] + run[: self.cap][::-1] if len(run) > self.cap else []

    def is_locked(self, i: int) -> bool:
        """Locked meetings never move (they are locked where they are, so this never changes)."""
        return i in self.locked_index

    def try_move(self, i: int) -> bool:
        """Move meeting i to the nearest slot that lowers its sides' excess and raises neither."""
        m = self._lift(i)
        mine = {w: set(self.busy.get(w, {})) for w in (m.a, m.b)}
        before = {w: self.excess(mine[w] | {m.slot}) for w in (m.a, m.b)}
        best: tuple[int, int, int, int, int] | None = None  # excess, waits, distance, slot, table
        for slot in range(self.problem.slots):
            if slot == m.slot or slot in mine[m.a] or slot in mine[m.b]:
                continue
            if slot in self.unavailable[m.a] or slot in self.unavailable[m.b]:
                continue
            used = self.tables.get(slot, set())
            if len(used) >= self.problem.tables:
                continue
            after = {w: self.excess(mine[w] | {slot}) for w in (m.a, m.b)}
            if any(after[w] > before[w] for w in after):
                continue
            total = sum(after.values())
            if total >= sum(before.values()):
                continue
            table = m.table if m.table not in used else min(set(range(self.problem.tables)) - used)
            waits = sum(self.waits_of(w, mine[w] | {slot}) for w in (m.a, m.b))
            rank = (total, waits, abs(slot - m.slot), slot, table)
            if best is None or rank < best:
                best = rank
        if best is None:
            self._place(i, m)
            return self.try_swap(i)
        moved = replace(m, slot=best[3], table=best[4])
        self.meetings[i] = moved
        self._place(i, moved)
        return True

    def try_swap(self, i: int) -> bool:
        """Exchange meeting i with a meeting of another slot (their tables too) when that lowers
        the four sides' excess and raises none (the move for full grids)."""
        m = self.meetings[i]
        assert m is not None
        best: tuple[int, int, int, int] | None = None  # excess, waits, distance, other meeting
        # Nearest slots first; the first slot with a helpful swap is taken (its best swap), so
        # large events (hundreds of meetings per slot) do not scan the whole day every time.
        mine = {w: set(self.busy.get(w, {})) for w in (m.a, m.b)}
        mine_before = {w: self.excess(mine[w]) for w in mine}
        for slot in sorted(range(self.problem.slots), key=lambda t: (abs(t - m.slot), t)):
            if best is not None:
                break
            if slot == m.slot or slot in self.unavailable[m.a] or slot in self.unavailable[m.b]:
                continue
            if any(slot in mine[w] for w in mine):
                continue
            # Meeting i's own sides depend only on the slot: check them once per slot.
            mine_after = {w: self.excess((mine[w] - {m.slot}) | {slot}) for w in mine}
            if any(mine_after[w] > mine_before[w] for w in mine):
                continue
            for j in sorted(self.at.get(slot, ())):
                n = self.meetings[j]
                if n is None or self.is_locked(j) or {n.a, n.b} & {m.a, m.b}:
                    continue
                if m.slot in self.unavailable[n.a] or m.slot in self.unavailable[n.b]:
                    continue
                if m.slot in self.busy.get(n.a, {}) or m.slot in self.busy.get(n.b, {}):
                    continue
                theirs = {w: set(self.busy.get(w, {})) for w in (n.a, n.b)}
                before = dict(mine_before)
                after = dict(mine_after)
                for w in theirs:
                    before[w] = self.excess(theirs[w])
                    after[w] = self.excess((theirs[w] - {slot}) | {m.slot})
                if any(after[w] > before[w] for w in theirs):
                    continue
                total = sum(after.values())
                if total >= sum(before.values()):
                    continue
                waits = sum(self.waits_of(w, (mine[w] - {m.slot}) | {slot}) for w in mine) + sum(
                    self.waits_of(w, (theirs[w] - {slot}) | {m.slot}) for w in theirs
                )
                rank = (total, waits, abs(slot - m.slot), j)
                if best is None or rank < best:
                    best = rank
        if best is None:
            return False
        j = best[3]
        n = self.meetings[j]
        assert n is not None
        self._lift(i)
        self._lift(j)
        first, second = (
            replace(m, slot=n.slot, table=n.table),
            replace(n, slot=m.slot, table=m.table),
        )
        self.meetings[i], self.meetings[j] = first, second
        self._place(i, first)
        self._place(j, second)
        return True

    def drop(self, i: int) -> Meeting:
        m = self._lift(i)
        self.meetings[i] = None
        return m


def cap_back_to_back(problem: EventProblem, plan: Plan) -> Plan:
    """The plan with every run of consecutive meetings within ``problem.max_back_to_back``."""
    if problem.max_back_to_back is None:
        return plan
    state = _State(problem, plan.meetings)
    must = {pair_key(r.a, r.b) for r in problem.must_meet}
    moved = dropped = 0
    unmet = list(plan.unmet_must_meet)
    lost = list(plan.dropped)
    for person in problem.participants:
        who = person.id
        while state.excess(state.busy.get(who, {})):
            members = state.run_members(who)
            if any(state.try_move(i) for i in members):
                moved += 1
                continue
            candidates = [(i, m) for i in members if (m := state.meetings[i]) is not None]
            if not candidates:  # only locked meetings in the run (validation refuses that)
                break
            victim, _ = min(
                candidates, key=lambda im: (pair_key(im[1].a, im[1].b) in must, im[1].score)
            )
            gone = state.drop(victim)
            dropped += 1
            lost.append(ScoredPair(gone.a, gone.b, gone.score))
            if pair_key(gone.a, gone.b) in must:
                unmet.append(
                    UnmetPair(
                        gone.a,
                        gone.b,
                        "back_to_back",
                        f"连续会谈上限 {problem.max_back_to_back} 场，排不下这场必见会谈 / no "
                        f"place within the cap of {problem.max_back_to_back} meetings in a row",
                    )
                )
    meetings = sorted((m for m in state.meetings if m is not None), key=lambda m: (m.slot, m.table))
    stats = dict(plan.stats)
    gaps: list[int] = []
    idle_people = 0
    for person in problem.participants:
        avail = sum(1 << k for k in range(problem.slots) if k not in person.unavailable_slots)
        found = idle_gaps(sorted(state.busy.get(person.id, {})), avail)
        gaps.extend(found)
        idle_people += any(found)
    stats.update(
        max_idle_gap=max(gaps, default=0),
        total_idle_slots=sum(gaps),
        participants_with_idle=idle_people,
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
