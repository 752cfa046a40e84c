"""Give each slotted meeting a table: locked tables first, then the previous table, then let people stay seated."""

from __future__ import annotations

from matchmaker.events.solver.grid import SlotGrid


def assign_tables(
    grid: SlotGrid, locked: dict[int, tuple[int, int]], previous: dict[int, tuple[int, int]]
) -> dict[int, int]:
    """Return a table per placed meeting; no table is used twice in a slot (count <= tables holds)."""
    inst = grid.inst
    table_of: dict[int, int] = {}
    seat: list[int] = [-1] * inst.n  # table each participant sat at in the previous slot
    degree = [len(grid.slots_of(v)) for v in range(inst.n)]
    for s in range(grid.slots):
        used: set[int] = set()
        members = sorted(grid.members[s])
        rest: list[int] = []
        for e in members:
            if e in locked:
                table_of[e] = locked[e][1]
                used.add(locked[e][1])
        for e in members:
            if e in locked:
                continue
            prev = previous.get(e)
            if prev is not None and prev[0] == s and prev[1] not in used:
                table_of[e] = prev[1]
                used.add(prev[1])
            else:
                rest.append(e)
        # The busier participant keeps their table; ties broken by participant number.
        later: list[int] = []
        for e in rest:
            u, v = inst.eu[e], inst.ev[e]
            first, second = (u, v) if (degree[u], -u) >= (degree[v], -v) else (v, u)
            for who in (first, second):
                t = seat[who]
                if t >= 0 and t not in used:
                    table_of[e] = t
                    used.add(t)
                    break
            else:
                later.append(e)
        free = iter(t for t in range(grid.tables) if t not in used)
        for e in later:
            table_of[e] = next(free)
        for e in members:
            seat[inst.eu[e]] = table_of[e]
            seat[inst.ev[e]] = table_of[e]
    return table_of
