"""The slot grid being built: which meeting each participant has in each slot, with Kempe-chain swaps."""

from __future__ import annotations

from matchmaker.events.solver.instance import Instance


class SlotGrid:
    """Slot assignment of meetings (edges) with O(1) look-ups; tables are assigned afterwards."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.slots = inst.slots
        self.tables = inst.tables
        self.eu = inst.eu
        self.ev = inst.ev
        self.allowed = inst.allowed
        self.at: list[list[int]] = [[-1] * inst.slots for _ in range(inst.n)]
        self.slot_of: list[int] = [-1] * inst.m
        self.count: list[int] = [0] * inst.slots
        self.members: list[set[int]] = [set() for _ in range(inst.slots)]
        self.fixed: set[int] = set()

    def free_mask(self, v: int) -> int:
        """Slots in which participant v is available and not yet meeting anyone."""
        row = self.at[v]
        mask = self.inst.avail[v]
        for s in range(self.slots):
            if row[s] >= 0:
                mask &= ~(1 << s)
        return mask

    def open_mask(self) -> int:
        """Slots that still have a free table."""
        mask = 0
        for s in range(self.slots):
            if self.count[s] < self.tables:
                mask |= 1 << s
        return mask

    def can_place(self, e: int, s: int) -> bool:
        """True if meeting e fits in slot s right now."""
        return (
            (self.allowed[e] >> s) & 1 == 1
            and self.at[self.eu[e]][s] < 0
            and self.at[self.ev[e]][s] < 0
            and self.count[s] < self.tables
        )

    def place(self, e: int, s: int) -> None:
        """Put meeting e in slot s (caller has checked it fits)."""
        self.slot_of[e] = s
        self.at[self.eu[e]][s] = e
        self.at[self.ev[e]][s] = e
        self.count[s] += 1
        self.members[s].add(e)

    def remove(self, e: int) -> None:
        """Take meeting e out of the grid."""
        s = self.slot_of[e]
        if s < 0:
            return
        self.slot_of[e] = -1
        self.at[self.eu[e]][s] = -1
        self.at[self.ev[e]][s] = -1
        self.count[s] -= 1
        self.members[s].discard(e)

    def slots_of(self, v: int) -> list[int]:
        """Sorted slots in which v has a meeting."""
        row = self.at[v]
        return [s for s in range(self.slots) if row[s] >= 0]

    def chain(self, e: int, other: int, limit: int = 10_000) -> list[int] | None:
        """Kempe chain: the path/cycle of meetings alternating between e's slot and `other`.

        Returns None if it is longer than `limit` (callers treat that as 'too costly').
        """
        first = self.slot_of[e]
        chain = [e]
        seen = {e}
        for start in (self.eu[e], self.ev[e]):
            vertex, colour = start, first
            while True:
                nxt_colour = other if colour == first else first
                nxt = self.at[vertex][nxt_colour]
                if nxt < 0 or nxt in seen:
                    break
                seen.add(nxt)
                chain.append(nxt)
                if len(chain) > limit:
                    return None
                vertex = self.ev[nxt] if self.eu[nxt] == vertex else self.eu[nxt]
                colour = nxt_colour
        return chain

    def swap_counts(self, chain: list[int], a: int) -> tuple[int, int]:
        """How many chain meetings are now in slot a, and how many in the other slot."""
        in_a = sum(1 for f in chain if self.slot_of[f] == a)
        return in_a, len(chain) - in_a

    def swap_allowed(self, chain: list[int], a: int, b: int) -> bool:
        """All chain meetings may change slot (not locked, both sides available in the new slot)."""
        for f in chain:
            if f in self.fixed:
                return False
            target = b if self.slot_of[f] == a else a
            if not (self.allowed[f] >> target) & 1:
                return False
        return True

    def swap(self, chain: list[int], a: int, b: int) -> None:
        """Exchange slots a and b along the chain (a valid recolouring when the chain is maximal)."""
        targets = [b if self.slot_of[f] == a else a for f in chain]
        for f in chain:
            self.remove(f)
        for f, t in zip(chain, targets, strict=True):
            self.place(f, t)

    def chain_vertices(self, chain: list[int]) -> set[int]:
        """Participants touched by a chain."""
        out: set[int] = set()
        for f in chain:
            out.add(self.eu[f])
            out.add(self.ev[f])
        return out


def bits(mask: int) -> list[int]:
    """Slot numbers set in a bit mask, lowest first."""
    out = []
    s = 0
    while mask:
        if mask & 1:
            out.append(s)
        mask >>= 1
        s += 1
    return out
