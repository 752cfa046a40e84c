"""An event's humane-schedule settings: the most meetings anyone has in a row, break slots
nobody meets in, and spread vs compact placement. Lunch and other pauses between sessions (a gap
between one slot's end and the next one's start) end a run of meetings by themselves.

``spread`` (the default) caps runs at ``max_back_to_back`` (3 unless set); ``compact`` puts no
cap on them (meetings packed with the fewest idle waits, as before). Break slots are unavailable
to everyone. The planner enforces the cap (``matchmaker.events.solver.humane``) and the checker
verifies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.events.models import Event
from matchmaker.events.service.errors import Invalid
from matchmaker.events.service.events import get_event
from matchmaker.store.models import utcnow

DEFAULT_MAX_BACK_TO_BACK = 3
PLACEMENTS: dict[str, str] = {"spread": "分散（每人连续会谈有上限）", "compact": "紧凑（不限连续）"}


@dataclass
class ScheduleRules:
    """The settings as the planner reads them."""

    placement: str = "spread"
    max_back_to_back: int | None = DEFAULT_MAX_BACK_TO_BACK
    breaks: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for storage and views."""
        return {
            "placement": self.placement,
            "max_back_to_back": self.max_back_to_back,
            "breaks": list(self.breaks),
        }


def rules_of(event: Event) -> ScheduleRules:
    """The event's settings (defaults where none were set)."""
    raw = event.schedule_rules or {}
    placement = str(raw.get("placement") or "spread")
    cap = raw.get("max_back_to_back", DEFAULT_MAX_BACK_TO_BACK)
    breaks = [int(s) for s in raw.get("breaks") or [] if 0 <= int(s) < len(event.slots)]
    return ScheduleRules(placement, None if placement == "compact" else cap, breaks)


def pauses_after(event: Event) -> frozenset[int]:
    """Slots followed by a pause (the next slot starts later than this one ends)."""
    return frozenset(
        k
        for k in range(len(event.slots) - 1)
        if event.slots[k]["end"] < event.slots[k + 1]["start"]
    )


def set_schedule_rules(
    session: Session,
    event_id: int,
    *,
    placement: str = "spread",
    max_back_to_back: int | None = DEFAULT_MAX_BACK_TO_BACK,
    breaks: Sequence[int] = (),
    requests_deadline: dt.datetime | None = None,
) -> ScheduleRules:
    """Change the settings (they apply from the next plan); each bad value names its field.

    ``requests_deadline``: participants' meeting requests are taken until then (None: no
    deadline).
    """
    event = get_event(session, event_id)
    if requests_deadline is not None and requests_deadline.tzinfo is None:
        raise Invalid(
            "截止时间须带时区，例如 2026-05-20T18:00:00+08:00 / the deadline needs a time zone",
            "requests_deadline",
        )
    event.requests_deadline = requests_deadline
    if placement not in PLACEMENTS:
        raise Invalid("placement 应为 spread 或 compact / must be spread or compact", "placement")
    count = len(event.slots)
    if max_back_to_back is not None and not 1 <= max_back_to_back <= count:
        raise Invalid(
            f"连续会谈上限应在 1–{count} 之间 / max_back_to_back must be 1–{count}",
            "max_back_to_back",
        )
    bad = sorted(s + 1 for s in breaks if not 0 <= s < count)
    if bad:
        raise Invalid(f"茶歇时段 {bad} 不存在（共 {count} 个时段）/ no such slot", "breaks")
    if len(set(breaks)) >= count:
        raise Invalid("不能把所有时段都设为茶歇 / not every slot can be a break", "breaks")
    rules = ScheduleRules(placement, max_back_to_back, sorted(set(breaks)))
    event.schedule_rules = rules.as_dict()
    event.updated_at = utcnow()
    session.flush()
    return rules_of(event)
