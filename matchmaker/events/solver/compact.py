"""Shorten idle waits: local search over a valid slot grid (single moves, Kempe swaps, slot reordering).

Every move keeps the grid valid (no double booking, availability, table capacity, locks). The cost is
the sum over participants of squared idle gaps, plus a penalty for moving a meeting away from the
slot it had in the previous plan (re-planning should change little).
"""

from __future__ import annotations

import time

from matchmaker.events.solver.grid import SlotGrid

CHAIN_LIMIT = 12


class Compactor:
    """Hill-climbing on the schedule cost; stops at a local optimum or the deadline."""

    def __init__(
        self,
        grid: SlotGrid,
        preferred: dict[int, int],
        move_penalty: float,
        slot_limit: int,
        deadline: float,
    ) -> None:
        self.grid = grid
        self.preferred = preferred
        self.move_penalty = move_penalty
        self.slot_limit = slot_limit
        self.deadline = deadline
        inst = grid.inst
        self.vcost = [inst.day_cost(v, grid.slots_of(v)) for v in range(inst.n)]

    def _stability(self, e: int, slot: int) -> float:
        want = self.preferred.get(e)
        return self.move_penalty if want is not None and want != slot else 0.0

    def _cost_if(self, v: int, old: int, new: int) -> float:
        slots = [s for s in self.grid.slots_of(v) if s != old]
        slots.append(new)
        slots.sort()
        return self.grid.inst.day_cost(v, slots)

    def _refresh(self, vertices: set[int]) -> None:
        for v in vertices:
            self.vcost[v] = self.grid.inst.day_cost(v, self.grid.slots_of(v))

    def _targets(self, e: int) -> set[int]:
        g = self.grid
        s = g.slot_of[e]
        out: set[int] = set()
        for x in (g.eu[e], g.ev[e]):
            for t in g.slots_of(x):
                if t != s:
                    out.add(t - 1)
                    out.add(t + 1)
        pref = self.preferred.get(e)
        if pref is not None:
            out.add(pref)
        return {t for t in out if 0 <= t < self.slot_limit and t != s and (g.allowed[e] >> t) & 1}

    def try_move(self, e: int, t: int) -> bool:
        """Move e (alone, or with its Kempe chain) to slot t if that lowers the cost."""
        g = self.grid
        s = g.slot_of[e]
        u, v = g.eu[e], g.ev[e]
        if g.can_place(e, t):
            delta = (
                self._cost_if(u, s, t)
                - self.vcost[u]
                + self._cost_if(v, s, t)
                - self.vcost[v]
                + self._stability(e, t)
                - self._stability(e, s)
            )
            if delta < 0:
                g.remove(e)
                g.place(e, t)
                self._refresh({u, v})
                return True
            return False
        chain = g.chain(e, t, CHAIN_LIMIT)
        if chain is None or not g.swap_allowed(chain, s, t):
            return False
        in_s, in_t = g.swap_counts(chain, s)
        after_s = g.count[s] - in_s + in_t
        after_t = g.count[t] - in_t + in_s
        if after_s > g.tables or after_t > g.tables + 1:
            return False
        degree: dict[int, int] = {}
        for f in chain:
            for x in (g.eu[f], g.ev[f]):
                degree[x] = degree.get(x, 0) + 1
        members = set(chain)
        delta = 0.0
        for x, d in degree.items():
            if d == 1:
                f = g.at[x][s] if g.at[x][s] in members else g.at[x][t]
                old = g.slot_of[f]
                delta += self._cost_if(x, old, t if old == s else s) - self.vcost[x]
        for f in chain:
            old = g.slot_of[f]
            delta += self._stability(f, t if old == s else s) - self._stability(f, old)
        if delta >= 0:
            return False
        partner = -1
        if after_t > g.tables:
            # Slot t is full: pair the move with one meeting going back from t to s.
            if after_s + 1 > g.tables:
                return False
            partner, partner_delta = self._best_partner(t, s, set(degree), -delta)
            if partner < 0:
                return False
            delta += partner_delta
        g.swap(chain, s, t)
        touched = set(degree)
        if partner >= 0:
            g.remove(partner)
            g.place(partner, s)
            touched |= {g.eu[partner], g.ev[partner]}
        self._refresh(touched)
        return True

    def _best_partner(self, t: int, s: int, avoid: set[int], budget: float) -> tuple[int, float]:
        """A meeting in slot t that can move alone to s, with the smallest cost increase below budget."""
        g = self.grid
        best, best_delta = -1, budget
        for f in g.members[t]:
            u, v = g.eu[f], g.ev[f]
            if f in g.fixed or u in avoid or v in avoid or not (g.allowed[f] >> s) & 1:
                continue
            if g.at[u][s] >= 0 or g.at[v][s] >= 0:
                continue
            delta = (
                self._cost_if(u, t, s)
                - self.vcost[u]
                + self._cost_if(v, t, s)
                - self.vcost[v]
                + self._stability(f, s)
                - self._stability(f, t)
            )
            if delta < best_delta:
                best, best_delta = f, delta
        return best, best_delta

    def swap_slots(self, s: int, t: int) -> bool:
        """Exchange the whole contents of slots s and t if allowed and cheaper."""
        g = self.grid
        moving = list(g.members[s]) + list(g.members[t])
        if not moving or not g.swap_allowed(moving, s, t):
            return False
        touched = g.chain_vertices(moving)
        delta = 0.0
        for x in touched:
            slots = [t if y == s else s if y == t else y for y in g.slots_of(x)]
            slots.sort()
            delta += g.inst.day_cost(x, slots) - self.vcost[x]
        for f in moving:
            old = g.slot_of[f]
            delta += self._stability(f, t if old == s else s) - self._stability(f, old)
        if delta < 0:
            g.swap(moving, s, t)
            self._refresh(touched)
            return True
        return False

    def run(self) -> None:
        """Improve until no move helps or time runs out."""
        g = self.grid
        improved = True
        while improved and time.monotonic() < self.deadline:
            improved = False
            for s in range(self.slot_limit):
                if time.monotonic() >= self.deadline:
                    return
                for t in range(s + 1, self.slot_limit):
                    if self.swap_slots(s, t):
                        improved = True
            order = sorted(
                (e for e in range(len(g.slot_of)) if g.slot_of[e] >= 0 and e not in g.fixed),
                key=lambda e: -(self.vcost[g.eu[e]] + self.vcost[g.ev[e]]),
            )
            for index, e in enumerate(order):
                if index % 64 == 0 and time.monotonic() >= self.deadline:
                    return
                if (
                    self.vcost[g.eu[e]] == 0
                    and self.vcost[g.ev[e]] == 0
                    and (self.preferred.get(e) in (None, g.slot_of[e]))
                ):
                    continue
                for t in sorted(self._targets(e)):
                    if g.slot_of[e] >= 0 and e not in g.fixed and self.try_move(e, t):
                        improved = True
                        break
