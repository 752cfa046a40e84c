"""The plan's JSON form (what `event plan --json` prints) and reading it back for exports and re-planning."""

from __future__ import annotations

from typing import Any

from matchmaker.events.solver.model import EventInputError, Plan, UnmetPair
from matchmaker.events.solver.parse import previous_from_plan_json

CHECKED_STATS = ("window_misses", "busiest_slot", "slots_used")
"""Stats the checker recomputes from the meetings (a plan file that misstates them is flagged)."""


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return round(value, 6)
    return value


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The documented output object: meetings, objective, unmet_must_meet (+ dropped and stats)."""
    return {
        "meetings": [
            {"a": m.a, "b": m.b, "slot": m.slot, "table": m.table, "score": _clean(m.score)}
            for m in plan.meetings
        ],
        "objective": _clean(plan.objective),
        "unmet_must_meet": [
            {"a": u.a, "b": u.b, "reason": u.reason, "message": u.message}
            for u in plan.unmet_must_meet
        ],
        "dropped": [{"a": d.a, "b": d.b, "score": _clean(d.score)} for d in plan.dropped],
        "stats": {key: _clean(value) for key, value in plan.stats.items()},
    }


def plan_from_json(data: Any) -> Plan:
    """Read a plan printed by `event plan --json` (for exports); bad rows raise EventInputError."""
    meetings = previous_from_plan_json(data)
    unmet_rows = []
    for index, row in enumerate(data.get("unmet_must_meet", []) or []):
        if not isinstance(row, dict) or "a" not in row or "b" not in row:
            raise EventInputError(
                f"unmet_must_meet[{index}]: 应为含 a、b 的对象 / must be an object with a and b"
            )
        unmet_rows.append(
            UnmetPair(row["a"], row["b"], str(row.get("reason", "")), str(row.get("message", "")))
        )
    objective = data.get("objective")
    if not isinstance(objective, int | float) or isinstance(objective, bool):
        objective = sum(m.score for m in meetings)
    raw_stats = data.get("stats")
    stats = {
        key: value
        for key, value in (raw_stats.items() if isinstance(raw_stats, dict) else ())
        if key in CHECKED_STATS and isinstance(value, int) and not isinstance(value, bool)
    }
    return Plan(
        meetings=meetings, objective=float(objective), unmet_must_meet=unmet_rows, stats=stats
    )
