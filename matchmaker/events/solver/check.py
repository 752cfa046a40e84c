"""Independent plan checker: re-verifies every rule from the problem alone, sharing no planner code."""

from __future__ import annotations

from collections import Counter, defaultdict

from matchmaker.events.solver.model import EventProblem, Meeting, ParticipantId, Plan

SCORE_TOLERANCE = 1e-6


def _key(a: ParticipantId, b: ParticipantId) -> frozenset[ParticipantId]:
    return frozenset((a, b))


def _pair(a: ParticipantId, b: ParticipantId) -> str:
    return f"({a!r}, {b!r})"


def check_plan(problem: EventProblem, plan: Plan) -> list[str]:
    """List every way the plan breaks the event's rules (empty list = valid), in Chinese then English."""
    issues: list[str] = []
    issues.extend(check_meetings(problem, plan.meetings))
    met = {_key(m.a, m.b) for m in plan.meetings}
    declared = {_key(u.a, u.b) for u in plan.unmet_must_meet}
    for ref in problem.must_meet:
        key = _key(ref.a, ref.b)
        if key not in met and key not in declared:
            issues.append(
                f"必见配对 {_pair(ref.a, ref.b)} 未安排且未列入 unmet_must_meet / "
                f"must-meet pair {_pair(ref.a, ref.b)} is missing and not reported as unmet"
            )
    for row in plan.unmet_must_meet:
        if _key(row.a, row.b) in met:
            issues.append(
                f"配对 {_pair(row.a, row.b)} 已安排却列为未满足 / "
                f"pair {_pair(row.a, row.b)} is reported unmet but is in the plan"
            )
    figures = placement_figures(problem, plan.meetings)
    for stat in ("window_misses", "busiest_slot", "slots_used"):
        claimed = plan.stats.get(stat)
        if claimed is not None and claimed != figures[stat]:
            issues.append(
                f"stats.{stat} 为 {claimed}，按会谈重算为 {figures[stat]} / stats.{stat} says "
                f"{claimed}, the meetings give {figures[stat]}"
            )
    total = sum(m.score for m in plan.meetings)
    if abs(total - plan.objective) > SCORE_TOLERANCE * max(1.0, abs(total)):
        issues.append(
            f"目标值 {plan.objective} 与会谈得分之和 {total} 不符 / "
            f"objective {plan.objective} differs from the sum of meeting scores {total}"
        )
    return issues


def placement_figures(problem: EventProblem, meetings: list[Meeting]) -> dict[str, int]:
    """Soft-rule figures recomputed from the problem: meeting sides outside preferred windows
    (``window_misses``), the busiest slot's meetings and the number of slots used."""
    wished = {p.id: p.preferred_slots for p in problem.participants}
    per_slot: Counter[int] = Counter()
    misses = 0
    for m in meetings:
        per_slot[m.slot] += 1
        for who in (m.a, m.b):
            windows = wished.get(who)
            if windows is not None and m.slot not in windows:
                misses += 1
    return {
        "window_misses": misses,
        "busiest_slot": max(per_slot.values(), default=0),
        "slots_used": len(per_slot),
    }


def check_meetings(problem: EventProblem, meetings: list[Meeting]) -> list[str]:
    """Rules about the meetings themselves: ranges, double booking, caps, availability, pairs, locks."""
    issues: list[str] = []
    people = {p.id: p for p in problem.participants}
    scores = {_key(s.a, s.b): s.score for s in problem.scores}
    never = {_key(r.a, r.b) for r in problem.never_meet}
    person_slot: dict[tuple[ParticipantId, int], int] = Counter()
    table_slot: dict[tuple[int, int], int] = Counter()
    pair_count: Counter[frozenset[ParticipantId]] = Counter()
    load: Counter[ParticipantId] = Counter()
    placed: dict[frozenset[ParticipantId], list[tuple[int, int]]] = defaultdict(list)
    for index, m in enumerate(meetings):
        where = f"meetings[{index}] {_pair(m.a, m.b)}"
        if not 0 <= m.slot < problem.slots:
            issues.append(
                f"{where}: 时段 {m.slot} 超出范围 0..{problem.slots - 1} / "
                f"slot {m.slot} out of range 0..{problem.slots - 1}"
            )
        if not 0 <= m.table < problem.tables:
            issues.append(
                f"{where}: 桌号 {m.table} 超出范围 0..{problem.tables - 1} / "
                f"table {m.table} out of range 0..{problem.tables - 1}"
            )
        if m.a == m.b:
            issues.append(f"{where}: 参会方与自己会谈 / a participant meets itself")
        key = _key(m.a, m.b)
        for who in (m.a, m.b):
            if who not in people:
                issues.append(f"{where}: 未知参会方 {who!r} / unknown participant {who!r}")
                continue
            if m.slot in people[who].unavailable_slots:
                issues.append(
                    f"{where}: 参会方 {who!r} 在时段 {m.slot} 不可用 / "
                    f"participant {who!r} is unavailable in slot {m.slot}"
                )
            person_slot[(who, m.slot)] += 1
            load[who] += 1
        table_slot[(m.slot, m.table)] += 1
        pair_count[key] += 1
        placed[key].append((m.slot, m.table))
        if key in never:
            issues.append(f"{where}: 该配对在 never_meet 中 / the pair is in never_meet")
        if key not in scores:
            issues.append(f"{where}: 该配对不在 scores 中 / the pair is not in scores")
        elif abs(scores[key] - m.score) > SCORE_TOLERANCE * max(1.0, abs(scores[key])):
            issues.append(
                f"{where}: 得分 {m.score} 与 scores 中的 {scores[key]} 不符 / "
                f"score {m.score} differs from {scores[key]} in scores"
            )
    for (who, slot), count in sorted(person_slot.items(), key=repr):
        if count > 1:
            issues.append(
                f"参会方 {who!r} 在时段 {slot} 有 {count} 场会谈 / "
                f"participant {who!r} is double-booked in slot {slot} ({count} meetings)"
            )
    for (slot, table), count in sorted(table_slot.items()):
        if count > 1:
            issues.append(
                f"时段 {slot} 的 {table} 号桌被使用 {count} 次 / "
                f"table {table} is used {count} times in slot {slot}"
            )
    for key, count in pair_count.items():
        if count > 1:
            a, b = sorted(key, key=repr)
            issues.append(
                f"配对 {_pair(a, b)} 安排了 {count} 次 / pair {_pair(a, b)} meets {count} times"
            )
    for who, count in sorted(load.items(), key=repr):
        cap = people[who].max_meetings
        if count > cap:
            issues.append(
                f"参会方 {who!r} 有 {count} 场会谈，超过上限 {cap} / "
                f"participant {who!r} has {count} meetings, more than max_meetings {cap}"
            )
    issues.extend(_back_to_back(problem, person_slot))
    for lock in problem.locked:
        spots = placed.get(_key(lock.a, lock.b), [])
        if (lock.slot, lock.table) not in spots:
            issues.append(
                f"锁定会谈 {_pair(lock.a, lock.b)} 不在时段 {lock.slot}、{lock.table} 号桌 / "
                f"locked meeting {_pair(lock.a, lock.b)} is not at slot {lock.slot}, table {lock.table}"
            )
    return issues


def _back_to_back(
    problem: EventProblem, person_slot: dict[tuple[ParticipantId, int], int]
) -> list[str]:
    """Nobody has more than max_back_to_back meetings in consecutive slots (a pause ends a run)."""
    cap = problem.max_back_to_back
    if cap is None:
        return []
    busy: dict[ParticipantId, set[int]] = defaultdict(set)
    for who, slot in person_slot:
        busy[who].add(slot)
    issues = []
    for who, slots in sorted(busy.items(), key=lambda kv: repr(kv[0])):
        run = 0
        for slot in range(problem.slots):
            run = run + 1 if slot in slots else 0
            if run > cap:
                issues.append(
                    f"参会方 {who!r} 到时段 {slot} 连续会谈 {run} 场，超过 {cap} 场 / participant "
                    f"{who!r} has {run} meetings in a row up to slot {slot}, more than {cap}"
                )
                break
            if slot in problem.pauses_after:
                run = 0
    return issues
