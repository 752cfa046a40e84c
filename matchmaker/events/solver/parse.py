"""Read an event description (the JSON file format) into an EventProblem, naming every bad field."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from matchmaker.events.solver.model import (
    EventInputError,
    EventProblem,
    Fairness,
    Meeting,
    PairRef,
    Participant,
    ParticipantId,
    ScoredPair,
)
from matchmaker.events.solver.validate import validate_problem

MAX_REPORTED = 20


class _Errors:
    """Collects problems so the user sees them all at once, not one per run."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, zh: str, en: str) -> None:
        """Record one problem: where it is, then the Chinese and English explanation."""
        self.items.append(f"{where}: {zh} / {en}")

    def raise_if_any(self) -> None:
        """Stop with every recorded problem (capped) in one error."""
        if self.items:
            shown = self.items[:MAX_REPORTED]
            more = len(self.items) - len(shown)
            if more:
                shown.append(f"……另有 {more} 处问题 / … and {more} more problem(s)")
            raise EventInputError("\n".join(shown))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return _is_int(value) or (isinstance(value, str) and value != "")


def _int_field(row: dict[str, Any], key: str, where: str, errors: _Errors, minimum: int) -> int:
    if key not in row:
        errors.add(where, f"缺少字段 {key}", f"missing field {key}")
        return minimum
    value = row[key]
    if not _is_int(value) or value < minimum:
        errors.add(
            f"{where}.{key}",
            f"应为不小于 {minimum} 的整数，实际为 {value!r}",
            f"must be an integer >= {minimum}, got {value!r}",
        )
        return minimum
    return int(value)


def _rows(data: dict[str, Any], key: str, errors: _Errors, required: bool) -> list[dict[str, Any]]:
    if key not in data:
        if required:
            errors.add(key, f"缺少字段 {key}", f"missing field {key}")
        return []
    value = data[key]
    if not isinstance(value, list):
        errors.add(key, "应为列表", "must be a list")
        return []
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(value):
        if isinstance(row, dict):
            rows.append(row)
        else:
            errors.add(f"{key}[{index}]", "应为对象", "must be an object")
            rows.append({})
    return rows


def _pair_ids(
    row: dict[str, Any], where: str, errors: _Errors
) -> tuple[ParticipantId, ParticipantId] | None:
    ok = True
    for key in ("a", "b"):
        if key not in row:
            errors.add(where, f"缺少字段 {key}", f"missing field {key}")
            ok = False
        elif not _is_id(row[key]):
            errors.add(
                f"{where}.{key}",
                f"参会方编号应为字符串或整数，实际为 {row[key]!r}",
                f"participant id must be a string or integer, got {row[key]!r}",
            )
            ok = False
    return (row["a"], row["b"]) if ok else None


def _participants(data: dict[str, Any], errors: _Errors) -> list[Participant]:
    result: list[Participant] = []
    for index, row in enumerate(_rows(data, "participants", errors, required=True)):
        where = f"participants[{index}]"
        if "id" not in row:
            errors.add(where, "缺少字段 id", "missing field id")
            continue
        if not _is_id(row["id"]):
            errors.add(
                f"{where}.id",
                f"应为字符串或整数，实际为 {row['id']!r}",
                f"must be a string or integer, got {row['id']!r}",
            )
            continue
        cap = _int_field(row, "max_meetings", where, errors, minimum=0)
        raw_unavailable = row.get("unavailable_slots", [])
        unavailable: set[int] = set()
        if not isinstance(raw_unavailable, list) or not all(_is_int(s) for s in raw_unavailable):
            errors.add(
                f"{where}.unavailable_slots",
                "应为整数列表",
                "must be a list of integers",
            )
        else:
            unavailable = set(raw_unavailable)
        small = row.get("small", False)
        if not isinstance(small, bool):
            errors.add(f"{where}.small", "应为 true 或 false", "must be true or false")
            small = False
        min_meetings = row.get("min_meetings")
        if min_meetings is not None and (not _is_int(min_meetings) or min_meetings < 0):
            errors.add(f"{where}.min_meetings", "应为非负整数", "must be a non-negative integer")
            min_meetings = None
        cancelled = row.get("cancelled", False)
        if not isinstance(cancelled, bool):
            errors.add(f"{where}.cancelled", "应为 true 或 false", "must be true or false")
        elif cancelled:
            cap = -1  # resolved to the number of locked meetings once those are read
        raw_preferred = row.get("preferred_slots")
        preferred: frozenset[int] | None = None
        if raw_preferred is not None:
            if not isinstance(raw_preferred, list) or not all(_is_int(s) for s in raw_preferred):
                errors.add(
                    f"{where}.preferred_slots",
                    "应为整数列表（希望会谈的时段）",
                    "must be a list of integers (the slots it would rather meet in)",
                )
            else:
                preferred = frozenset(raw_preferred)
        name = row.get("name")
        if name is not None and not isinstance(name, str):
            errors.add(f"{where}.name", "应为字符串", "must be a string")
            name = None
        result.append(
            Participant(
                id=row["id"],
                max_meetings=cap,
                unavailable_slots=frozenset(unavailable),
                small=small,
                min_meetings=min_meetings,
                name=name,
                preferred_slots=preferred,
            )
        )
    return result


def _scores(data: dict[str, Any], errors: _Errors) -> list[ScoredPair]:
    result: list[ScoredPair] = []
    for index, row in enumerate(_rows(data, "scores", errors, required=True)):
        where = f"scores[{index}]"
        ids = _pair_ids(row, where, errors)
        score = row.get("score")
        if "score" not in row:
            errors.add(where, "缺少字段 score", "missing field score")
            continue
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not math.isfinite(score)
        ):
            errors.add(
                f"{where}.score",
                f"应为有限数值，实际为 {score!r}",
                f"must be a finite number, got {score!r}",
            )
            continue
        if ids is not None:
            result.append(ScoredPair(ids[0], ids[1], float(score)))
    return result


def _pairs(data: dict[str, Any], key: str, errors: _Errors) -> list[PairRef]:
    result: list[PairRef] = []
    for index, row in enumerate(_rows(data, key, errors, required=False)):
        ids = _pair_ids(row, f"{key}[{index}]", errors)
        if ids is not None:
            result.append(PairRef(ids[0], ids[1]))
    return result


def _meetings(data: dict[str, Any], key: str, errors: _Errors) -> list[Meeting]:
    result: list[Meeting] = []
    for index, row in enumerate(_rows(data, key, errors, required=False)):
        where = f"{key}[{index}]"
        ids = _pair_ids(row, where, errors)
        slot = _int_field(row, "slot", where, errors, minimum=0)
        table = _int_field(row, "table", where, errors, minimum=0)
        score = row.get("score", 0.0)
        if isinstance(score, bool) or not isinstance(score, int | float):
            score = 0.0
        if ids is not None:
            result.append(Meeting(ids[0], ids[1], slot, table, float(score)))
    return result


def _fairness(data: dict[str, Any], errors: _Errors) -> Fairness:
    raw = data.get("fairness")
    if raw is None:
        return Fairness()
    if not isinstance(raw, dict):
        errors.add("fairness", "应为对象", "must be an object")
        return Fairness()
    default = Fairness()
    floor = raw.get("min_meetings", default.min_meetings)
    small_floor = raw.get("small_min_meetings", default.small_min_meetings)
    weight = raw.get("weight", default.weight)
    for key, value in (("min_meetings", floor), ("small_min_meetings", small_floor)):
        if not _is_int(value) or value < 0:
            errors.add(f"fairness.{key}", "应为非负整数", "must be a non-negative integer")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
        errors.add("fairness.weight", "应为非负数", "must be a non-negative number")
        weight = default.weight
    if errors.items:
        return default
    return Fairness(int(floor), int(small_floor), float(weight))


def _slot_labels(data: dict[str, Any], errors: _Errors) -> list[str] | None:
    raw = data.get("slot_labels")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        errors.add("slot_labels", "应为字符串列表", "must be a list of strings")
        return None
    return list(raw)


def _back_to_back(data: dict[str, Any], errors: _Errors) -> int | None:
    raw = data.get("max_back_to_back")
    if raw is None:
        return None
    if not _is_int(raw) or raw < 1:
        errors.add("max_back_to_back", "应为正整数或 null", "must be a positive integer or null")
        return None
    return int(raw)


def _pauses(data: dict[str, Any], errors: _Errors, slots: int) -> frozenset[int]:
    raw = data.get("pauses_after")
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        errors.add("pauses_after", "应为时段序号列表", "must be a list of slot numbers")
        return frozenset()
    out: set[int] = set()
    for index, value in enumerate(raw):
        if not _is_int(value) or not 0 <= value < max(slots, 1):
            errors.add(
                f"pauses_after[{index}]",
                f"应为 0–{slots - 1} 的时段序号",
                f"must be a slot number 0–{slots - 1}",
            )
        else:
            out.add(int(value))
    return frozenset(out)


def _placement(data: dict[str, Any], errors: _Errors) -> tuple[str, float]:
    placement = data.get("placement", "compact")
    if placement not in ("compact", "spread"):
        errors.add(
            "placement",
            f"应为 compact（集中）或 spread（分散），实际为 {placement!r}",
            f"must be compact or spread, got {placement!r}",
        )
        placement = "compact"
    weight = data.get("preferred_weight", 4.0)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or weight < 0
    ):
        errors.add("preferred_weight", "应为非负数", "must be a non-negative number")
        weight = 4.0
    return str(placement), float(weight)


def parse_problem(data: Any) -> EventProblem:
    """Turn the decoded JSON of an event file into a checked EventProblem (or one clear error)."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise EventInputError("顶层应为 JSON 对象 / the top level must be a JSON object")
    slots = _int_field(data, "slots", "(顶层 top level)", errors, minimum=1)
    tables = _int_field(data, "tables", "(顶层 top level)", errors, minimum=1)
    problem = EventProblem(
        slots=slots,
        tables=tables,
        participants=_participants(data, errors),
        scores=_scores(data, errors),
        must_meet=_pairs(data, "must_meet", errors),
        never_meet=_pairs(data, "never_meet", errors),
        locked=_meetings(data, "locked", errors),
        previous=_meetings(data, "previous", errors),
        fairness=_fairness(data, errors),
        slot_labels=_slot_labels(data, errors),
        max_back_to_back=_back_to_back(data, errors),
        pauses_after=_pauses(data, errors, slots if isinstance(slots, int) else 0),
    )
    problem.placement, problem.preferred_weight = _placement(data, errors)
    errors.raise_if_any()
    _resolve_cancelled(problem)
    validate_problem(problem)
    return problem


def _resolve_cancelled(problem: EventProblem) -> None:
    """A cancelled participant keeps only its locked (already held) meetings and gets no new ones."""
    for index, person in enumerate(problem.participants):
        if person.max_meetings == -1:
            held = sum(1 for m in problem.locked if person.id in (m.a, m.b))
            problem.participants[index] = replace(person, max_meetings=held)


def previous_from_plan_json(data: Any) -> list[Meeting]:
    """Read the meetings of an earlier `event plan --json` output, to re-plan with few changes."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise EventInputError("上一版方案应为 JSON 对象 / the previous plan must be a JSON object")
    meetings = _meetings(data, "meetings", errors)
    errors.raise_if_any()
    return meetings
