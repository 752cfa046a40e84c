"""Put chosen meetings into slots: edge colouring by Kempe chains, table-capacity relief, ejection repair.

For a bipartite meeting graph with maximum degree Δ, inserting each meeting with an alternating-path
(Kempe) swap never needs more than Δ slots (König). Availability, locked meetings and the number of
tables per slot can make a meeting impossible to insert; then a cheaper meeting may be ejected to
make room, and whatever still does not fit is reported as dropped.
"""

from __future__ import annotations

import heapq

from matchmaker.events.solver.grid import SlotGrid, bits

MAX_CHAIN = 400
KEMPE_CANDIDATES = 6
MAX_EJECTIONS = 3


class Colourer:
    """Inserts meetings one at a time into a SlotGrid, keeping it valid at every step."""

    def __init__(self, grid: SlotGrid, value: list[float], preferred: dict[int, int]) -> None:
        self.grid = grid
        self.value = value
        self.preferred = preferred

    def best_slot(self, e: int, candidates: list[int]) -> int:
        """Among free slots, keep the previous plan's slot, else the one that adds least idle time."""
        want = self.preferred.get(e)
        if want is not None and want in candidates:
            return want
        g = self.grid
        u, v = g.eu[e], g.ev[e]
        su, sv = g.slots_of(u), g.slots_of(v)
        base = g.inst.day_cost(u, su) + g.inst.day_cost(v, sv)
        best, best_cost = candidates[0], None
        for s in candidates:
            cost = (
                g.inst.day_cost(u, sorted([*su, s])) + g.inst.day_cost(v, sorted([*sv, s])) - base
            )
            # Prefer joining an existing block (adjacent to a meeting) over starting a new one.
            near = sum(1 for x in (su, sv) if (s - 1) in x or (s + 1) in x)
            key = cost - 0.5 * near
            if g.inst.problem.placement == "spread":
                key += g.count[s] / max(1, g.tables)  # spread: the emptier slot wins ties
            if best_cost is None or key < best_cost:
                best, best_cost = s, key
        return best

    def insert(self, e: int, range_mask: int) -> bool:
        """Place meeting e within the slots of range_mask, recolouring others if needed."""
        g = self.grid
        u, v = g.eu[e], g.ev[e]
        ok = g.allowed[e] & range_mask
        fu = g.free_mask(u) & ok
        fv = g.free_mask(v) & ok
        both = fu & fv
        open_slots = g.open_mask()
        if both & open_slots:
            g.place(e, self.best_slot(e, bits(both & open_slots)))
            return True
        if self._kempe_insert(e, fu, fv):
            return True
        for s in bits(both):
            if self.make_room(s, {u, v}):
                g.place(e, s)
                return True
        return False

    def _kempe_insert(self, e: int, fu: int, fv: int) -> bool:
        g = self.grid
        u, v = g.eu[e], g.ev[e]
        options: list[tuple[int, int, int, list[int]]] = []
        for x, y, fx, fy in ((u, v, fu, fv), (v, u, fv, fu)):
            for a in bits(fx):
                f = g.at[y][a]
                if f < 0:
                    continue
                for b in bits(fy):
                    if b == a:
                        continue
                    chain = g.chain(f, b, MAX_CHAIN)
                    if chain is None or x in g.chain_vertices(chain):
                        continue
                    if not g.swap_allowed(chain, a, b):
                        continue
                    in_a, in_b = g.swap_counts(chain, a)
                    if g.count[a] - in_a + in_b + 1 > g.tables:
                        continue
                    if g.count[b] - in_b + in_a > g.tables:
                        continue
                    options.append((len(chain), a, b, chain))
                    if len(options) >= KEMPE_CANDIDATES:
                        break
                if len(options) >= KEMPE_CANDIDATES:
                    break
        if not options:
            return False
        _, a, b, chain = min(options, key=lambda o: o[0])
        g.swap(chain, a, b)
        if not g.can_place(e, a):  # pragma: no cover - guarded by the checks above
            g.swap(chain, a, b)
            return False
        g.place(e, a)
        return True

    def make_room(self, s: int, avoid: set[int]) -> bool:
        """Free one table in slot s by moving a meeting (or a Kempe chain) elsewhere; avoid touches `avoid`."""
        g = self.grid
        open_slots = [t for t in range(g.slots) if t != s and g.count[t] < g.tables]
        for f in sorted(g.members[s]):
            if f in g.fixed or g.eu[f] in avoid or g.ev[f] in avoid:
                continue
            for t in open_slots:
                if g.can_place(f, t):
                    g.remove(f)
                    g.place(f, t)
                    return True
            for t in open_slots:
                if not (g.allowed[f] >> t) & 1:
                    continue
                chain = g.chain(f, t, MAX_CHAIN)
                if chain is None or g.chain_vertices(chain) & avoid:
                    continue
                in_s, in_t = g.swap_counts(chain, s)
                if in_s <= in_t or g.count[t] - in_t + in_s > g.tables:
                    continue
                if g.swap_allowed(chain, s, t):
                    g.swap(chain, s, t)
                    return True
        return False

    def repair(self, pending: list[int], range_mask: int, budget: int) -> list[int]:
        """Insert what failed, ejecting cheaper meetings when that gains value; return what is dropped."""
        g = self.grid
        heap = [(-self.value[e], e) for e in pending]
        heapq.heapify(heap)
        ejected_count: dict[int, int] = {}
        dropped: list[int] = []
        while heap:
            _, e = heapq.heappop(heap)
            if g.slot_of[e] >= 0:
                continue
            if self.insert(e, range_mask):
                continue
            if budget <= 0:
                dropped.append(e)
                continue
            budget -= 1
            best: tuple[float, int, set[int]] | None = None
            u, v = g.eu[e], g.ev[e]
            for s in bits(g.allowed[e] & range_mask):
                victims = {x for x in (g.at[u][s], g.at[v][s]) if x >= 0}
                if victims & g.fixed:
                    continue
                if g.count[s] - len(victims) >= g.tables:
                    spare = [
                        f
                        for f in g.members[s]
                        if f not in g.fixed
                        and f not in victims
                        and g.eu[f] not in (u, v)
                        and g.ev[f] not in (u, v)
                    ]
                    if not spare:
                        continue
                    victims.add(min(spare, key=lambda f: self.value[f]))
                cost = sum(self.value[f] for f in victims)
                if best is None or cost < best[0]:
                    best = (cost, s, victims)
            if best is None or best[0] >= self.value[e]:
                dropped.append(e)
                continue
            _, s, victims = best
            for f in victims:
                g.remove(f)
            g.place(e, s)
            for f in victims:
                if self.insert(f, range_mask):
                    continue
                ejected_count[f] = ejected_count.get(f, 0) + 1
                if ejected_count[f] > MAX_EJECTIONS:
                    dropped.append(f)
                else:
                    heapq.heappush(heap, (-self.value[f], f))
        return dropped
