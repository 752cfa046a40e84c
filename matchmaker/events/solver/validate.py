"""Check that an EventProblem is consistent (known ids, ranges, locks that can hold) before planning."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from matchmaker.events.solver.model import EventInputError, EventProblem, ParticipantId

MAX_REPORTED = 20

PairKey = frozenset[ParticipantId]


def pair_key(a: ParticipantId, b: ParticipantId) -> PairKey:
    """Unordered key for a pair; ids of any type (1 and "1" stay different)."""
    return frozenset((a, b))


def _show(value: ParticipantId) -> str:
    return repr(value)


def validate_problem(problem: EventProblem) -> None:
    """Raise EventInputError listing every inconsistency (unknown participant, slot out of range, …)."""
    problems: list[str] = []

    def add(where: str, zh: str, en: str) -> None:
        problems.append(f"{where}: {zh} / {en}")

    slots, tables = problem.slots, problem.tables
    if slots < 1:
        add("slots", "时段数至少为 1", "there must be at least 1 slot")
    if tables < 1:
        add("tables", "桌数至少为 1", "there must be at least 1 table")
    caps: dict[ParticipantId, int] = {}
    unavailable: dict[ParticipantId, frozenset[int]] = {}
    for index, person in enumerate(problem.participants):
        where = f"participants[{index}]"
        if person.id in caps:
            add(
                f"{where}.id",
                f"参会方编号 {_show(person.id)} 重复",
                f"duplicate id {_show(person.id)}",
            )
        caps[person.id] = person.max_meetings
        unavailable[person.id] = person.unavailable_slots
        if person.max_meetings < 0:
            add(f"{where}.max_meetings", "不能为负数", "must not be negative")
        bad = sorted(s for s in person.unavailable_slots if not 0 <= s < slots)
        if bad:
            add(
                f"{where}.unavailable_slots",
                f"时段 {bad} 超出范围 0..{slots - 1}",
                f"slot(s) {bad} out of range 0..{slots - 1}",
            )
        wished = sorted(s for s in person.preferred_slots or () if not 0 <= s < slots)
        if wished:
            add(
                f"{where}.preferred_slots",
                f"时段 {wished} 超出范围 0..{slots - 1}",
                f"slot(s) {wished} out of range 0..{slots - 1}",
            )

    def check_pair(where: str, a: ParticipantId, b: ParticipantId) -> bool:
        if a != b and a in caps and b in caps:
            return True  # the common case, without building messages
        good = True
        for key, value in (("a", a), ("b", b)):
            if value not in caps:
                add(
                    f"{where}.{key}",
                    f"未知参会方 {_show(value)}",
                    f"unknown participant {_show(value)}",
                )
                good = False
        if good and a == b:
            add(
                where,
                f"参会方 {_show(a)} 不能与自己会谈",
                f"participant {_show(a)} cannot meet itself",
            )
            good = False
        return good

    scored: set[PairKey] = set()
    for index, pair in enumerate(problem.scores):
        where = f"scores[{index}]"
        if check_pair(where, pair.a, pair.b):
            key = pair_key(pair.a, pair.b)
            if key in scored:
                add(
                    where,
                    f"配对 ({_show(pair.a)}, {_show(pair.b)}) 重复出现",
                    f"pair ({_show(pair.a)}, {_show(pair.b)}) listed twice",
                )
            scored.add(key)
    never: set[PairKey] = set()
    for index, ref in enumerate(problem.never_meet):
        if check_pair(f"never_meet[{index}]", ref.a, ref.b):
            never.add(pair_key(ref.a, ref.b))
    for index, ref in enumerate(problem.must_meet):
        where = f"must_meet[{index}]"
        if check_pair(where, ref.a, ref.b) and pair_key(ref.a, ref.b) in never:
            add(where, "该配对同时在 never_meet 中", "the pair is also in never_meet")

    per_slot_person: set[tuple[int, ParticipantId]] = set()
    per_slot_table: set[tuple[int, int]] = set()
    locked_pairs: set[PairKey] = set()
    locked_count: Counter[ParticipantId] = Counter()
    for index, meeting in enumerate(problem.locked):
        where = f"locked[{index}]"
        if not 0 <= meeting.slot < slots:
            add(
                f"{where}.slot",
                f"时段 {meeting.slot} 超出范围 0..{slots - 1}",
                f"slot {meeting.slot} out of range 0..{slots - 1}",
            )
        if not 0 <= meeting.table < tables:
            add(
                f"{where}.table",
                f"桌号 {meeting.table} 超出范围 0..{tables - 1}",
                f"table {meeting.table} out of range 0..{tables - 1}",
            )
        if not check_pair(where, meeting.a, meeting.b):
            continue
        key = pair_key(meeting.a, meeting.b)
        if key not in scored:
            add(where, "锁定的配对不在 scores 中", "the locked pair is not in scores")
        if key in never:
            add(where, "锁定的配对在 never_meet 中", "the locked pair is in never_meet")
        if key in locked_pairs:
            add(where, "同一配对被锁定两次", "the same pair is locked twice")
        locked_pairs.add(key)
        if (meeting.slot, meeting.table) in per_slot_table:
            add(
                where,
                f"时段 {meeting.slot} 的 {meeting.table} 号桌已被另一锁定会谈占用",
                f"table {meeting.table} in slot {meeting.slot} is already used by another locked meeting",
            )
        per_slot_table.add((meeting.slot, meeting.table))
        for who in (meeting.a, meeting.b):
            locked_count[who] += 1
            if (meeting.slot, who) in per_slot_person:
                add(
                    where,
                    f"参会方 {_show(who)} 在时段 {meeting.slot} 已有锁定会谈",
                    f"participant {_show(who)} already has a locked meeting in slot {meeting.slot}",
                )
            per_slot_person.add((meeting.slot, who))
            if meeting.slot in unavailable[who]:
                add(
                    where,
                    f"参会方 {_show(who)} 在时段 {meeting.slot} 不可用",
                    f"participant {_show(who)} is unavailable in slot {meeting.slot}",
                )
    for who, count in locked_count.items():
        if count > caps[who]:
            add(
                "locked",
                f"参会方 {_show(who)} 的锁定会谈 {count} 场，超过上限 {caps[who]}",
                f"participant {_show(who)} has {count} locked meetings, more than max_meetings {caps[who]}",
            )
    if problem.placement not in ("compact", "spread"):
        add("placement", "应为 compact 或 spread", "must be compact or spread")
    if not problem.preferred_weight >= 0:
        add("preferred_weight", "应为非负数", "must be a non-negative number")
    _check_locked_runs(problem, add)
    if problem.slot_labels is not None and len(problem.slot_labels) != slots:
        add(
            "slot_labels",
            f"应有 {slots} 个标签，实际 {len(problem.slot_labels)} 个",
            f"must have {slots} labels, got {len(problem.slot_labels)}",
        )
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            more = len(problems) - MAX_REPORTED
            shown.append(f"……另有 {more} 处问题 / … and {more} more problem(s)")
        raise EventInputError("\n".join(shown))


def _check_locked_runs(problem: EventProblem, add: Callable[[str, str, str], None]) -> None:
    """Locked meetings alone must not put anyone over the back-to-back cap (no plan could)."""
    cap = problem.max_back_to_back
    if cap is None:
        return
    held: dict[ParticipantId, set[int]] = {}
    for m in problem.locked:
        for who in (m.a, m.b):
            held.setdefault(who, set()).add(m.slot)
    for who, slots in held.items():
        run = 0
        for slot in range(problem.slots):
            run = run + 1 if slot in slots else 0
            if run > cap:
                add(
                    "locked",
                    f"参会方 {_show(who)} 的锁定会谈连续 {run} 场，超过连续上限 {cap}",
                    f"participant {_show(who)} has {run} locked meetings in a row, more than "
                    f"max_back_to_back {cap}",
                )
                break
            if slot in problem.pauses_after:
                run = 0
