"""Idle gaps in a participant's day: the measure of schedule compactness the scheduler minimises."""

from __future__ import annotations


def idle_gaps(slots: list[int], avail: int) -> list[int]:
    """Idle available slots between consecutive meetings (unavailable slots are not idle time)."""
    gaps = []
    for before, after in zip(slots, slots[1:], strict=False):
        if after - before > 1:
            between = avail & (((1 << after) - 1) ^ ((1 << (before + 1)) - 1))
            gaps.append(between.bit_count())
        else:
            gaps.append(0)
    return gaps


def gap_cost(slots: list[int], avail: int) -> int:
    """Sum of squared idle gaps: one long wait costs more than several short ones."""
    return sum(g * g for g in idle_gaps(slots, avail))


def outside(slots: list[int], preferred: int) -> int:
    """Meetings in slots outside the participant's preferred windows (bit mask)."""
    return sum(1 for s in slots if not (preferred >> s) & 1)


def person_cost(slots: list[int], avail: int, preferred: int, weight: float) -> float:
    """A participant's day cost: squared idle waits plus ``weight`` per meeting outside its windows."""
    return gap_cost(slots, avail) + weight * outside(slots, preferred)


def max_idle_gap(slots: list[int], avail: int) -> int:
    """Longest idle wait between two meetings of one participant, in slots."""
    return max(idle_gaps(slots, avail), default=0)
