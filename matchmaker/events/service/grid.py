"""An event's grid: sessions cut into slots, slot and table lists checked, slots and tables named."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from matchmaker.events.service.errors import Invalid

if TYPE_CHECKING:
    from matchmaker.events.models import Event

MAX_SLOTS = 48
MAX_TABLES = 500
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DEFAULT_SLOT_MINUTES = 20


@dataclass
class SessionSpec:
    """A block of equal slots, e.g. 上午场 09:00–11:40 in 20-minute meetings."""

    name: str
    start: str
    end: str
    minutes: int = DEFAULT_SLOT_MINUTES
    interpreters: list[str] = field(default_factory=list)


def _minutes(value: str, field_name: str) -> int:
    if not TIME_PATTERN.match(value):
        raise Invalid(
            f"{field_name} 应为 HH:MM 格式的时间，实际为 {value!r} / must be a time HH:MM",
            field_name,
        )
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def session_slots(
    name: str, start: str, end: str, minutes: int, interpreters: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Cut a session (e.g. 上午场 09:00–11:40 in 20-minute meetings) into slots."""
    begin, finish = _minutes(start, "start"), _minutes(end, "end")
    if minutes < 5 or minutes > 240:
        raise Invalid("每场会谈 5–240 分钟 / slot length must be 5–240 minutes", "slot_minutes")
    if finish - begin < minutes:
        raise Invalid(
            f"{name or '场次'} {start}–{end} 放不下一场 {minutes} 分钟的会谈 / "
            f"session {start}-{end} is shorter than one {minutes}-minute slot",
            "end",
        )
    return [
        {
            "start": _clock(t),
            "end": _clock(t + minutes),
            "session": name,
            "interpreters": list(dict.fromkeys(interpreters)),
        }
        for t in range(begin, finish - minutes + 1, minutes)
    ]


def slots_from_sessions(sessions: Sequence[SessionSpec]) -> list[dict[str, Any]]:
    """The slots of several sessions in the order given (the gaps between them are breaks)."""
    return [
        slot
        for s in sessions
        for slot in session_slots(s.name, s.start, s.end, s.minutes, s.interpreters)
    ]


def numbered_tables(count: int) -> list[str]:
    """Labels of `count` tables when the organiser gives only a number: 1, 2, 3, …"""
    return [str(i + 1) for i in range(count)]


def check_slots(slots: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate a slot list: HH:MM times, each ending after it starts, in order, not overlapping."""
    if not slots:
        raise Invalid("活动至少需要一个时段 / an event needs at least one slot", "slots")
    if len(slots) > MAX_SLOTS:
        raise Invalid(f"时段不能超过 {MAX_SLOTS} 个 / at most {MAX_SLOTS} slots", "slots")
    clean: list[dict[str, Any]] = []
    last_end = -1
    for index, slot in enumerate(slots):
        where = f"slots[{index}]"
        start = _minutes(str(slot.get("start", "")), f"{where}.start")
        end = _minutes(str(slot.get("end", "")), f"{where}.end")
        if end <= start:
            raise Invalid(f"{where}: 结束时间须晚于开始时间 / must end after it starts", where)
        if start < last_end:
            raise Invalid(
                f"{where}: 与上一时段重叠或顺序颠倒 / overlaps the previous slot or is out of order",
                where,
            )
        last_end = end
        interpreters = [str(x).strip() for x in slot.get("interpreters") or [] if str(x).strip()]
        clean.append(
            {
                "start": _clock(start),
                "end": _clock(end),
                "session": str(slot.get("session") or ""),
                "interpreters": list(dict.fromkeys(interpreters)),
            }
        )
    return clean


def check_tables(tables: Sequence[str]) -> list[str]:
    """Validate table labels: at least one, unique, non-empty."""
    labels = [str(t).strip() for t in tables]
    if not labels:
        raise Invalid("活动至少需要一张桌子 / an event needs at least one table", "tables")
    if len(labels) > MAX_TABLES:
        raise Invalid(f"桌子不能超过 {MAX_TABLES} 张 / at most {MAX_TABLES} tables", "tables")
    if any(not label for label in labels):
        raise Invalid("桌号不能为空 / table labels must not be empty", "tables")
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise Invalid(f"桌号重复：{'、'.join(repeated)} / duplicate table labels", "tables")
    return labels


def slot_label(slot: dict[str, Any]) -> str:
    """How a slot is printed: 09:00–09:20."""
    return f"{slot['start']}–{slot['end']}"


def table_label(event: Event, table: int) -> str:
    """How a table is printed (its label; number from 1 when out of range)."""
    return event.tables[table] if 0 <= table < len(event.tables) else str(table + 1)


def slot_by_ref(event: Event, ref: str) -> int:
    """A slot (from 0) named the way people name it: a number counted from 1 or a start time."""
    text = ref.strip()
    if text.isdigit() and 1 <= int(text) <= len(event.slots):
        return int(text) - 1
    for index, slot in enumerate(event.slots):
        if slot["start"] == text.zfill(5):
            return index
    raise Invalid(
        f"没有时段“{ref}”（1–{len(event.slots)} 或开始时间如 09:20）/ no slot {ref!r}", "slot"
    )


def table_by_ref(event: Event, ref: str) -> int:
    """A table (from 0) by its printed label."""
    if ref in event.tables:
        return event.tables.index(ref)
    raise Invalid(f"没有桌号“{ref}”，可选：{'、'.join(event.tables)} / no table {ref!r}", "table")
