"""Event use cases over the database: events, participants, pair rules, planning, edits, exports.

Every plan is made by ``matchmaker.events.solver.planner.plan_event`` from the stored event and checked by
the independent ``matchmaker.events.solver.check.check_plan`` before it is stored: a plan with any issue
is refused (``PlanRejected``) and nothing changes. Rules a user should know:

- Participants needing an interpreter (``language``, e.g. 英语) meet only in slots whose
  ``interpreters`` list that language; their name carries 「需英语翻译」 on every printout. One
  interpreter per listed language and slot is assumed: when a plan puts two such meetings in one
  slot, the plan says so in ``warnings`` (the planner cannot yet limit it).
- Small institutions (``Organisation.size == "small"``) get the event's ``small_min_meetings``
  fairness floor; everyone else ``min_meetings`` (or the participant's own ``min_meetings``).
- Must-meet pairs are always candidates (score 0 when the scorer sees no match between them).
- Re-planning keeps every locked meeting at its slot and table and changes as few others as the
  planner can; scores of pairs whose participants did not change since the last plan are reused,
  so the pairing list does not drift between versions (``rescore=True`` recomputes all).
- Cancelling a participant drops all its meetings (locked ones too) and re-plans to refill them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.events.models import (
    PAIR_RULES,
    Event,
    EventMeeting,
    EventPairRule,
    EventParticipant,
    EventPlan,
)
from matchmaker.events.service.export import ExportContext, agenda_html, write_csv, write_xlsx
from matchmaker.events.service.scoring import (
    TRACK_NAMES,
    ItemScorer,
    LexicalScorer,
    PairKey,
    offers_for,
    pair_scores,
)
from matchmaker.events.solver.check import check_meetings, check_plan
from matchmaker.events.solver.model import (
    EventInputError,
    EventProblem,
    Fairness,
    Meeting,
    PairRef,
    Participant,
    Plan,
    ScoredPair,
)
from matchmaker.events.solver.planner import DEFAULT_TIME_LIMIT, plan_event
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario, utcnow

log = logging.getLogger("matchmaker.events")
MAX_SLOTS = 48
MAX_TABLES = 500
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# ---- errors ------------------------------------------------------------------------------------
class EventError(Exception):
    """A use case refused: the message is for the user (Chinese / English)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(EventError):
    """The event, participant, rule or meeting does not exist (in this event)."""


class Conflict(EventError):
    """The request clashes with the event's current state (duplicate, plan in the way, …)."""


class Invalid(EventError):
    """A value is wrong in itself (bad time, slot out of range, unknown organisation, …)."""


class PlanRejected(Conflict):
    """The checker found rule violations in a new plan; it was not stored."""

    def __init__(self, issues: list[str]) -> None:
        shown = "\n".join(issues[:10])
        super().__init__(
            f"新方案未通过检查，未保存 / the new plan failed the checker, not stored:\n{shown}"
        )
        self.issues = issues


# ---- the grid ----------------------------------------------------------------------------------
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


# ---- events ------------------------------------------------------------------------------------
@dataclass
class EventSpec:
    """What an organiser gives to create an event (slots already expanded)."""

    name: str
    date: dt.date
    slots: list[dict[str, Any]]
    tables: list[str]
    park_id: int | None = None
    venue: str = ""
    description: str = ""
    tracks: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    default_max_meetings: int = 6
    min_meetings: int = 1
    small_min_meetings: int = 2


def _check_tracks(tracks: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(t.strip().lower() for t in tracks))
    unknown = [t for t in chosen if t not in TRACK_NAMES]
    if unknown:
        raise Invalid(
            f"未知的赛道 {unknown}，可选：{'、'.join(TRACK_NAMES)} / unknown track(s)", "tracks"
        )
    return chosen


def _check_counts(default_max: int, min_meetings: int, small_min: int) -> None:
    for name, value in (
        ("default_max_meetings", default_max),
        ("min_meetings", min_meetings),
        ("small_min_meetings", small_min),
    ):
        if not 0 <= value <= MAX_SLOTS:
            raise Invalid(f"{name} 应在 0–{MAX_SLOTS} 之间 / must be 0–{MAX_SLOTS}", name)


def create_event(session: Session, spec: EventSpec, actor: str | None = None) -> Event:
    """Create an event with its slot grid and tables (organisers set it up before inviting)."""
    if spec.park_id is not None and session.get(Park, spec.park_id) is None:
        raise Invalid(f"园区 {spec.park_id} 不存在 / park does not exist", "park_id")
    _check_counts(spec.default_max_meetings, spec.min_meetings, spec.small_min_meetings)
    event = Event(
        name=spec.name.strip(),
        date=spec.date,
        park_id=spec.park_id,
        venue=spec.venue,
        description=spec.description,
        tracks=_check_tracks(spec.tracks),
        industries=list(dict.fromkeys(spec.industries)),
        slots=check_slots(spec.slots),
        tables=check_tables(spec.tables),
        default_max_meetings=spec.default_max_meetings,
        min_meetings=spec.min_meetings,
        small_min_meetings=spec.small_min_meetings,
        created_by=actor,
    )
    if not event.name:
        raise Invalid("活动名称不能为空 / the event needs a name", "name")
    session.add(event)
    session.flush()
    return event


def get_event(session: Session, event_id: int) -> Event:
    """One event or NotFound."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"活动 {event_id} 不存在 / event {event_id} not found")
    return event


def list_events(
    session: Session,
    *,
    park_id: int | None = None,
    organisation_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[Event]]:
    """Events, newest date first, optionally of one park or attended by one organisation."""
    stmt = select(Event)
    if park_id is not None:
        stmt = stmt.where(Event.park_id == park_id)
    if organisation_id is not None:
        stmt = stmt.where(
            Event.id.in_(
                select(EventParticipant.event_id).where(
                    EventParticipant.organisation_id == organisation_id
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Event.date.desc(), Event.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


def update_event(session: Session, event_id: int, values: dict[str, Any]) -> Event:
    """Change an event; a new grid is accepted only if the current plan still fits it."""
    event = get_event(session, event_id)
    if values.get("park_id") is not None and session.get(Park, values["park_id"]) is None:
        raise Invalid(f"园区 {values['park_id']} 不存在 / park does not exist", "park_id")
    if "tracks" in values:
        values["tracks"] = _check_tracks(values["tracks"] or [])
    if "slots" in values:
        values["slots"] = check_slots(values["slots"] or [])
    if "tables" in values:
        values["tables"] = check_tables(values["tables"] or [])
    _check_counts(
        values.get("default_max_meetings", event.default_max_meetings),
        values.get("min_meetings", event.min_meetings),
        values.get("small_min_meetings", event.small_min_meetings),
    )
    if "name" in values and not str(values["name"]).strip():
        raise Invalid("活动名称不能为空 / the event needs a name", "name")
    plan = current_plan(session, event)
    if plan is not None and ("slots" in values or "tables" in values):
        slots = values.get("slots", event.slots)
        tables = values.get("tables", event.tables)
        outside = [
            m
            for m in plan.meetings
            if not (0 <= m.slot < len(slots) and 0 <= m.table_no < len(tables))
        ]
        if outside:
            raise Conflict(
                f"当前方案有 {len(outside)} 场会谈落在新的时段或桌位之外，请先重新排程或删减 / "
                f"{len(outside)} meeting(s) of the current plan fall outside the new grid",
                "slots",
            )
    for key, value in values.items():
        setattr(event, key, value)
    if "slots" in values:  # a shorter day: forget unavailability in slots that no longer exist
        for row in event.participants:
            kept = [s for s in row.unavailable_slots or [] if s < len(event.slots)]
            if kept != list(row.unavailable_slots or []):
                row.unavailable_slots = kept
    session.flush()
    return event


def delete_event(session: Session, event_id: int) -> None:
    """Delete an event with its participants, rules, plans and meetings."""
    event = get_event(session, event_id)
    session.expunge(event)
    # Meetings first: they also reference participants, which must not vanish under a plan.
    plans = select(EventPlan.id).where(EventPlan.event_id == event_id)
    session.execute(delete(EventMeeting).where(EventMeeting.plan_id.in_(plans)))
    session.execute(delete(Event).where(Event.id == event_id))
    session.flush()


# ---- participants ------------------------------------------------------------------------------
def get_participant(session: Session, event: Event, participant_id: int) -> EventParticipant:
    """A participant of this event or NotFound."""
    row = session.get(EventParticipant, participant_id)
    if row is None or row.event_id != event.id:
        raise NotFound(
            f"活动 {event.id} 没有参会方 {participant_id} / no participant {participant_id} in event"
        )
    return row


def find_participant(session: Session, event: Event, ref: str | int) -> EventParticipant:
    """A participant by its id, its organisation's external id (编号) or its organisation's name."""
    rows = list(
        session.scalars(
            select(EventParticipant)
            .join(Organisation, EventParticipant.organisation_id == Organisation.id)
            .where(EventParticipant.event_id == event.id)
            .where(
                or_(
                    Organisation.external_id == str(ref),
                    Organisation.name == str(ref),
                    EventParticipant.id == (int(ref) if str(ref).isdigit() else -1),
                )
            )
        )
    )
    if len(rows) != 1:
        raise NotFound(f"活动 {event.id} 中找不到参会方“{ref}” / no participant {ref!r}")
    return rows[0]


def participant_of_organisation(
    session: Session, event: Event, organisation_id: int
) -> EventParticipant | None:
    """The participant an organisation is at this event, if any."""
    return session.scalars(
        select(EventParticipant).where(
            EventParticipant.event_id == event.id,
            EventParticipant.organisation_id == organisation_id,
        )
    ).first()


def _owned_items(session: Session, organisation_id: int) -> dict[str, list[Any]]:
    return {
        "need": list(session.scalars(select(Need).where(Need.enterprise_id == organisation_id))),
        "achievement": list(
            session.scalars(select(Achievement).where(Achievement.owner_id == organisation_id))
        ),
        "scenario": list(
            session.scalars(select(Scenario).where(Scenario.owner_id == organisation_id))
        ),
    }


def _default_items(event: Event, owned: list[Any]) -> list[int]:
    """The organisation's active items, those in the event's industries when there are any."""
    active = [item for item in owned if item.status == "active"]
    if event.industries:
        themed = [i for i in active if set(i.industries or ()) & set(event.industries)]
        if themed:
            active = themed
    return [item.id for item in active]


def _check_items(kind: str, given: Sequence[int], owned: list[Any]) -> list[int]:
    mine = {item.id for item in owned}
    foreign = [i for i in given if i not in mine]
    if foreign:
        raise Invalid(
            f"{kind} {foreign} 不存在或不属于该机构 / do not exist or belong to another organisation",
            f"{kind}_ids",
        )
    return list(dict.fromkeys(given))


def _check_slot_list(event: Event, slots: Iterable[int]) -> list[int]:
    chosen = sorted(set(slots))
    bad = [s for s in chosen if not 0 <= s < len(event.slots)]
    if bad:
        raise Invalid(
            f"时段 {bad} 超出范围 0–{len(event.slots) - 1} / slot(s) out of range",
            "unavailable_slots",
        )
    return chosen


def _check_participant_counts(max_meetings: int | None, min_meetings: int | None) -> None:
    for name, value in (("max_meetings", max_meetings), ("min_meetings", min_meetings)):
        if value is not None and not 0 <= value <= MAX_SLOTS:
            raise Invalid(f"{name} 应在 0–{MAX_SLOTS} 之间 / must be 0–{MAX_SLOTS}", name)


def add_participant(
    session: Session,
    event_id: int,
    organisation_id: int,
    *,
    max_meetings: int | None = None,
    min_meetings: int | None = None,
    unavailable_slots: Sequence[int] = (),
    language: str | None = None,
    need_ids: Sequence[int] | None = None,
    achievement_ids: Sequence[int] | None = None,
    scenario_ids: Sequence[int] | None = None,
    note: str = "",
) -> EventParticipant:
    """Invite an organisation; without item lists it brings its active items in the event's theme."""
    event = get_event(session, event_id)
    if session.get(Organisation, organisation_id) is None:
        raise Invalid(
            f"机构 {organisation_id} 不存在 / organisation does not exist", "organisation_id"
        )
    if participant_of_organisation(session, event, organisation_id) is not None:
        raise Conflict(
            f"机构 {organisation_id} 已是本活动的参会方 / the organisation is already a participant"
        )
    _check_participant_counts(max_meetings, min_meetings)
    owned = _owned_items(session, organisation_id)
    row = EventParticipant(
        event_id=event.id,
        organisation_id=organisation_id,
        max_meetings=max_meetings,
        min_meetings=min_meetings,
        unavailable_slots=_check_slot_list(event, unavailable_slots),
        language=(language or "").strip() or None,
        need_ids=_items_or_default(event, "need", need_ids, owned),
        achievement_ids=_items_or_default(event, "achievement", achievement_ids, owned),
        scenario_ids=_items_or_default(event, "scenario", scenario_ids, owned),
        status="active",
        note=note,
    )
    event.participants.append(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent add of the same organisation
        raise Conflict("该机构已是本活动的参会方 / already a participant") from exc
    return row


def _items_or_default(
    event: Event, kind: str, given: Sequence[int] | None, owned: dict[str, list[Any]]
) -> list[int]:
    if given is None:
        return _default_items(event, owned[kind])
    return _check_items(kind, given, owned[kind])


def update_participant(
    session: Session, event_id: int, participant_id: int, values: dict[str, Any]
) -> EventParticipant:
    """Change a participant's constraints or items; takes effect at the next (re-)plan."""
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    _check_participant_counts(
        values.get("max_meetings", row.max_meetings), values.get("min_meetings", row.min_meetings)
    )
    if "unavailable_slots" in values:
        values["unavailable_slots"] = _check_slot_list(event, values["unavailable_slots"] or [])
    if "language" in values:
        values["language"] = (values["language"] or "").strip() or None
    owned = _owned_items(session, row.organisation_id)
    for kind in ("need", "achievement", "scenario"):
        key = f"{kind}_ids"
        if key in values:
            values[key] = _items_or_default(event, kind, values[key], owned)
    if values.get("status") == "active" and row.status == "cancelled":
        values["cancelled_at"] = None
    elif "status" in values and values["status"] != row.status:
        raise Invalid("取消参会请用 cancel 操作 / use cancel to cancel a participant", "status")
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.flush()
    return row


def remove_participant(session: Session, event_id: int, participant_id: int) -> None:
    """Remove a participant that no plan mentions (otherwise it must be cancelled)."""
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    used = session.scalar(
        select(func.count())
        .select_from(EventMeeting)
        .where(or_(EventMeeting.a_id == row.id, EventMeeting.b_id == row.id))
    )
    if used:
        raise Conflict(
            "该参会方已出现在方案中，请改为取消参会（cancel）/ the participant is in a plan: "
            "cancel it instead of removing it"
        )
    session.execute(
        delete(EventPairRule).where(or_(EventPairRule.a_id == row.id, EventPairRule.b_id == row.id))
    )
    event.participants.remove(row)  # delete-orphan: the row goes with it
    session.flush()


def active_participants(event: Event) -> list[EventParticipant]:
    """Participants that have not cancelled, in the order they were added."""
    return [p for p in event.participants if p.status == "active"]


# ---- pair rules --------------------------------------------------------------------------------
def add_pair_rule(
    session: Session, event_id: int, a_id: int, b_id: int, rule: str, note: str = ""
) -> EventPairRule:
    """Say two participants must meet, or must never meet."""
    event = get_event(session, event_id)
    if rule not in PAIR_RULES:
        raise Invalid(f"规则应为 {'/'.join(PAIR_RULES)} / rule must be must or never", "rule")
    if a_id == b_id:
        raise Invalid("参会方不能与自己配对 / a participant cannot be paired with itself", "b")
    low, high = sorted((a_id, b_id))
    for pid in (low, high):
        get_participant(session, event, pid)
    existing = session.scalars(
        select(EventPairRule).where(
            EventPairRule.event_id == event.id,
            EventPairRule.a_id == low,
            EventPairRule.b_id == high,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"该配对已有规则（{PAIR_RULES[existing.rule]}），请先删除 / the pair already has a rule"
        )
    row = EventPairRule(event_id=event.id, a_id=low, b_id=high, rule=rule, note=note)
    session.add(row)
    session.flush()
    return row


def pair_rules(session: Session, event: Event) -> list[EventPairRule]:
    """The event's must-meet and never-meet rules."""
    return list(
        session.scalars(
            select(EventPairRule)
            .where(EventPairRule.event_id == event.id)
            .order_by(EventPairRule.id)
        )
    )


def remove_pair_rule(session: Session, event_id: int, rule_id: int) -> None:
    """Delete one pair rule."""
    event = get_event(session, event_id)
    row = session.get(EventPairRule, rule_id)
    if row is None or row.event_id != event.id:
        raise NotFound(f"活动 {event.id} 没有规则 {rule_id} / no rule {rule_id} in event")
    session.delete(row)
    session.flush()


# ---- building the planner's problem ------------------------------------------------------------
def current_plan(session: Session, event: Event) -> EventPlan | None:
    """The newest plan of the event (None before the first one)."""
    return session.scalars(
        select(EventPlan).where(EventPlan.event_id == event.id).order_by(EventPlan.version.desc())
    ).first()


def _organisations(session: Session, rows: Iterable[EventParticipant]) -> dict[int, Organisation]:
    ids = {p.organisation_id for p in rows}
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def interpreter_blocked(event: Event, language: str | None) -> set[int]:
    """Slots without an interpreter for the language (all free when no interpreter is needed)."""
    if not language:
        return set()
    return {
        s for s, slot in enumerate(event.slots) if language not in (slot.get("interpreters") or [])
    }


def display_name(organisation: Organisation, row: EventParticipant) -> str:
    """The participant's printed name, with the interpreter it needs."""
    if row.language:
        return f"{organisation.name}（需{row.language}翻译）"
    return organisation.name


def _meeting(m: EventMeeting) -> Meeting:
    return Meeting(m.a_id, m.b_id, m.slot, m.table_no, m.score)


def build_problem(
    session: Session,
    event: Event,
    scores: dict[PairKey, float],
    locked: Sequence[EventMeeting] = (),
    previous: Sequence[EventMeeting] = (),
) -> EventProblem:
    """The planner's input from the stored event: active participants, scores, rules, locks."""
    active = active_participants(event)
    orgs = _organisations(session, active)
    ids = {p.id for p in active}
    participants = [
        Participant(
            id=p.id,
            max_meetings=p.max_meetings
            if p.max_meetings is not None
            else event.default_max_meetings,
            unavailable_slots=frozenset(
                set(p.unavailable_slots or []) | interpreter_blocked(event, p.language)
            ),
            small=orgs[p.organisation_id].size == "small",
            min_meetings=p.min_meetings,
            name=display_name(orgs[p.organisation_id], p),
        )
        for p in active
    ]
    table = {key: value for key, value in scores.items() if key[0] in ids and key[1] in ids}
    rules = [r for r in pair_rules(session, event) if r.a_id in ids and r.b_id in ids]
    for r in rules:
        if r.rule == "must":
            table.setdefault((r.a_id, r.b_id), 0.0)
    kept_locks = [m for m in locked if m.a_id in ids and m.b_id in ids]
    for m in kept_locks:
        table.setdefault(_pair(m.a_id, m.b_id), m.score)
    return EventProblem(
        slots=len(event.slots),
        tables=len(event.tables),
        participants=participants,
        scores=[ScoredPair(a, b, s) for (a, b), s in sorted(table.items())],
        must_meet=[PairRef(r.a_id, r.b_id) for r in rules if r.rule == "must"],
        never_meet=[PairRef(r.a_id, r.b_id) for r in rules if r.rule == "never"],
        locked=[_meeting(m) for m in kept_locks],
        previous=[_meeting(m) for m in previous if m.a_id in ids and m.b_id in ids],
        fairness=Fairness(
            min_meetings=event.min_meetings, small_min_meetings=event.small_min_meetings
        ),
        slot_labels=[slot_label(s) for s in event.slots],
    )


def _pair(a: Any, b: Any) -> PairKey:
    return (int(a), int(b)) if int(a) < int(b) else (int(b), int(a))


def stored_scores(plan: EventPlan) -> dict[PairKey, float]:
    """The pair scores a plan was made from."""
    return {_pair(int(a), int(b)): float(s) for a, b, s in plan.scores}


def event_scores(
    session: Session,
    event: Event,
    scorer: ItemScorer,
    previous: EventPlan | None = None,
    rescore: bool = False,
) -> dict[PairKey, float]:
    """Pair scores for the active participants, reusing the previous plan's for unchanged pairs.

    Pairs are rescored when either participant was added or changed since the previous plan,
    and all of them when the event itself was edited (tracks, industries) or the scorer differs.
    """
    active = active_participants(event)
    reuse = (
        previous is not None
        and not rescore
        and previous.scorer == scorer.name
        and event.updated_at <= previous.created_at
    )
    if not reuse or previous is None:
        return pair_scores(session, offers_for(session, active), event.tracks, scorer)
    since = previous.created_at
    stored = stored_scores(previous)
    known = {p for pair in stored for p in pair}
    changed = {p.id for p in active if p.updated_at > since or p.created_at > since}
    old = {  # score-0 rows were must-meet fillers: build_problem adds them back while the rule holds
        key: value
        for key, value in stored.items()
        if key[0] not in changed and key[1] not in changed and value > 0
    }
    fresh_ids = (changed | {p.id for p in active if p.id not in known}) & {p.id for p in active}
    if not fresh_ids:
        return old
    fresh = pair_scores(session, offers_for(session, active), event.tracks, scorer, only=fresh_ids)
    old.update(fresh)
    return old


# ---- planning ----------------------------------------------------------------------------------
@dataclass
class PlanOutcome:
    """A stored plan and what changed against the one before it."""

    plan: EventPlan
    changes: dict[str, int]
    seconds: float


def compare_meetings(
    before: Iterable[tuple[Any, Any, int, int]], after: Iterable[tuple[Any, Any, int, int]]
) -> dict[str, int]:
    """Counts of kept / moved / added / removed meetings between two plans ((a, b, slot, table))."""
    old = {_pair(a, b): (s, t) for a, b, s, t in before}
    new = {_pair(a, b): (s, t) for a, b, s, t in after}
    both = old.keys() & new.keys()
    return {
        "kept": sum(1 for k in both if old[k] == new[k]),
        "moved": sum(1 for k in both if old[k] != new[k]),
        "added": len(new.keys() - old.keys()),
        "removed": len(old.keys() - new.keys()),
    }


def _rows(meetings: Iterable[EventMeeting]) -> list[tuple[int, int, int, int]]:
    return [(m.a_id, m.b_id, m.slot, m.table_no) for m in meetings]


def interpreter_warnings(event: Event, plan: Plan) -> list[str]:
    """Slots where more meetings need an interpreter of one language than the one on duty."""
    language: dict[Any, str | None] = {row.id: row.language for row in event.participants}
    need: Counter[tuple[int, str]] = Counter()
    for m in plan.meetings:
        langs = {language.get(m.a), language.get(m.b)} - {None}
        if language.get(m.a) and language.get(m.a) == language.get(m.b):
            continue  # both speak it: no interpreter needed
        for lang in langs:
            assert lang is not None
            need[(m.slot, lang)] += 1
    warnings = []
    for row in active_participants(event):
        if row.language and len(interpreter_blocked(event, row.language)) == len(event.slots):
            warnings.append(
                f"没有任何时段安排{row.language}翻译，{row.organisation.name} 无法会谈 / no slot "
                f"has a {row.language} interpreter, so {row.organisation.name} cannot meet anyone"
            )
    for (slot, lang), count in sorted(need.items()):
        if count > 1:
            label = slot_label(event.slots[slot])
            warnings.append(
                f"{label} 有 {count} 场会谈需要{lang}翻译，请确认翻译人数 / "
                f"{count} meetings in {label} need a {lang} interpreter"
            )
    return warnings


def _clean_stats(stats: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, float):
            out[key] = (
                None
                if value != value or value in (float("inf"), float("-inf"))
                else round(value, 6)
            )
        elif isinstance(value, int | str | bool) or value is None:
            out[key] = value
    return out


def _run_planner(
    session: Session,
    event: Event,
    scorer: ItemScorer,
    *,
    kind: str,
    keep_previous: bool,
    time_limit: float,
    actor: str | None,
    rescore: bool,
) -> PlanOutcome:
    started = time.monotonic()
    before = current_plan(session, event)
    locked = [m for m in before.meetings if m.locked] if before is not None else []
    previous = (
        [m for m in before.meetings if not m.locked] if before is not None and keep_previous else []
    )
    notes: list[str] = []
    try:
        scores = event_scores(session, event, scorer, before, rescore)
    except Exception:  # the pairing engine failed: plan on the fallback rather than not at all
        if isinstance(scorer, LexicalScorer):
            raise
        log.exception("pairing engine failed while scoring event %s", event.id)
        scorer = LexicalScorer()
        scores = event_scores(session, event, scorer, before, rescore)
        notes.append(
            "配对引擎评分出错，本版方案改用关键词评分 / the pairing engine failed: this plan "
            "uses the keyword (lexical) scores"
        )
    problem = build_problem(session, event, scores, locked, previous)
    try:
        plan = plan_event(problem, time_limit=time_limit)
    except EventInputError as exc:
        raise Conflict(
            f"活动设置与锁定会谈或规则冲突，请先调整 / the event's settings clash with locked "
            f"meetings or rules:\n{exc}"
        ) from exc
    issues = check_plan(problem, plan)
    if issues:
        raise PlanRejected(issues)
    locked_places = {(m.a, m.b, m.slot, m.table) for m in problem.locked} | {
        (m.b, m.a, m.slot, m.table) for m in problem.locked
    }
    after = [(m.a, m.b, m.slot, m.table) for m in plan.meetings]
    changes = compare_meetings(_rows(before.meetings) if before is not None else [], after)
    record = EventPlan(
        event_id=event.id,
        version=(before.version + 1) if before is not None else 1,
        kind=kind,
        scorer=scorer.name,
        objective=round(plan.objective, 6),
        scores=[[p.a, p.b, p.score] for p in problem.scores],
        unmet=[
            {"a": u.a, "b": u.b, "reason": u.reason, "message": u.message}
            for u in plan.unmet_must_meet
        ],
        warnings=notes + interpreter_warnings(event, plan),
        changes=changes,
        stats=_clean_stats(plan.stats),
        created_by=actor,
    )
    record.meetings = [
        EventMeeting(
            a_id=int(m.a),
            b_id=int(m.b),
            slot=m.slot,
            table_no=m.table,
            score=m.score,
            locked=(m.a, m.b, m.slot, m.table) in locked_places,
        )
        for m in plan.meetings
    ]
    event.plans.append(record)
    session.flush()
    return PlanOutcome(record, changes, round(time.monotonic() - started, 3))


def generate_plan(
    session: Session,
    event_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
    rescore: bool = False,
) -> PlanOutcome:
    """Plan the event from scratch (keeping only locked meetings) and store it as a new version."""
    event = get_event(session, event_id)
    return _run_planner(
        session,
        event,
        scorer,
        kind="generate",
        keep_previous=False,
        time_limit=time_limit,
        actor=actor,
        rescore=rescore,
    )


def replan(
    session: Session,
    event_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
    rescore: bool = False,
    kind: str = "replan",
) -> PlanOutcome:
    """Re-plan after changes: locked meetings stay put, as few other meetings change as possible."""
    event = get_event(session, event_id)
    if current_plan(session, event) is None:
        raise Conflict("活动还没有方案，请先生成 / the event has no plan yet: generate one first")
    return _run_planner(
        session,
        event,
        scorer,
        kind=kind,
        keep_previous=True,
        time_limit=time_limit,
        actor=actor,
        rescore=rescore,
    )


def cancel_participant(
    session: Session,
    event_id: int,
    participant_id: int,
    scorer: ItemScorer,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    actor: str | None = None,
) -> PlanOutcome | None:
    """Cancel a participant: its meetings go and the freed places are refilled by a re-plan."""
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    if row.status == "cancelled":
        raise Conflict("该参会方已取消 / the participant is already cancelled")
    row.status = "cancelled"
    row.cancelled_at = utcnow()
    session.flush()
    if current_plan(session, event) is None:
        return None
    return replan(session, event_id, scorer, time_limit=time_limit, actor=actor, kind="cancel")


# ---- organisers' edits -------------------------------------------------------------------------
def get_meeting(session: Session, event: Event, meeting_id: int) -> tuple[EventPlan, EventMeeting]:
    """A meeting of the event's current plan (edits apply to the current plan only)."""
    plan = current_plan(session, event)
    meeting = session.get(EventMeeting, meeting_id)
    if plan is None or meeting is None or meeting.plan_id != plan.id:
        raise NotFound(
            f"会谈 {meeting_id} 不在活动 {event.id} 的当前方案中 / meeting {meeting_id} is not in "
            "the event's current plan"
        )
    return plan, meeting


def set_locked(session: Session, event_id: int, meeting_id: int, locked: bool) -> EventMeeting:
    """Lock a meeting where it is (re-plans will not move it) or unlock it."""
    event = get_event(session, event_id)
    plan, meeting = get_meeting(session, event, meeting_id)
    meeting.locked = locked
    plan.updated_at = utcnow()
    session.flush()
    return meeting


def plan_issues(session: Session, event: Event, plan: EventPlan) -> list[str]:
    """What the checker finds wrong with a stored plan under the event's current settings."""
    problem = build_problem(
        session, event, stored_scores(plan), [m for m in plan.meetings if m.locked]
    )
    meetings = [_meeting(m) for m in plan.meetings]
    stored = Plan(meetings=meetings, objective=sum(m.score for m in meetings))
    stored.unmet_must_meet = [_unmet_row(row) for row in plan.unmet if isinstance(row, dict)]
    return check_plan(problem, stored)


def _unmet_row(row: dict[str, Any]) -> Any:
    from matchmaker.events.solver.model import UnmetPair

    return UnmetPair(row["a"], row["b"], str(row.get("reason", "")), str(row.get("message", "")))


def move_meeting(
    session: Session,
    event_id: int,
    meeting_id: int,
    slot: int,
    table: int,
    *,
    lock: bool = True,
) -> EventMeeting:
    """Move a meeting to another slot/table if every rule still holds there (locked by default)."""
    event = get_event(session, event_id)
    plan, meeting = get_meeting(session, event, meeting_id)
    if not 0 <= slot < len(event.slots):
        raise Invalid(f"时段 {slot} 超出范围 0–{len(event.slots) - 1} / slot out of range", "slot")
    if not 0 <= table < len(event.tables):
        raise Invalid(
            f"桌号 {table} 超出范围 0–{len(event.tables) - 1} / table out of range", "table"
        )
    taken = next(
        (m for m in plan.meetings if m.slot == slot and m.table_no == table and m.id != meeting.id),
        None,
    )
    if taken is not None:
        raise Conflict(
            f"{slot_label(event.slots[slot])} 的 {table_label(event, table)} 号桌已有会谈 / "
            "that table is already taken in that slot"
        )
    scores = stored_scores(plan)
    locks = [m for m in plan.meetings if m.locked and m.id != meeting.id]
    problem = build_problem(session, event, scores, locks)
    before_issues = set(check_meetings(problem, [_meeting(m) for m in plan.meetings]))
    moved = [
        Meeting(m.a_id, m.b_id, slot, table, m.score) if m.id == meeting.id else _meeting(m)
        for m in plan.meetings
    ]
    new_issues = [i for i in check_meetings(problem, moved) if i not in before_issues]
    if new_issues:
        raise Conflict("无法移到该位置 / cannot move there:\n" + "\n".join(new_issues[:10]))
    meeting.slot = slot
    meeting.table_no = table
    meeting.locked = lock
    plan.updated_at = utcnow()
    session.flush()
    return meeting


# ---- views -------------------------------------------------------------------------------------
def participant_names(session: Session, event: Event) -> dict[int, str]:
    """Printed name of every participant (cancelled ones too, for history)."""
    orgs = _organisations(session, event.participants)
    return {p.id: display_name(orgs[p.organisation_id], p) for p in event.participants}


def meeting_view(event: Event, names: dict[int, str], m: EventMeeting) -> dict[str, Any]:
    """One meeting as people read it: who, when, where."""
    return {
        "id": m.id,
        "a": m.a_id,
        "b": m.b_id,
        "a_name": names.get(m.a_id, str(m.a_id)),
        "b_name": names.get(m.b_id, str(m.b_id)),
        "slot": m.slot,
        "time": slot_label(event.slots[m.slot]) if m.slot < len(event.slots) else "",
        "table": m.table_no,
        "table_label": table_label(event, m.table_no),
        "score": round(m.score, 4),
        "locked": m.locked,
    }


def plan_document(
    session: Session, event: Event, plan: EventPlan, *, only: int | None = None
) -> dict[str, Any]:
    """The plan as a grid (slots × tables) and per participant; `only` keeps one participant's."""
    names = participant_names(session, event)
    meetings = [m for m in plan.meetings if only is None or only in (m.a_id, m.b_id)]
    views = [meeting_view(event, names, m) for m in meetings]
    by_place = {(v["slot"], v["table"]): v for v in views}
    grid = [
        {
            "slot": s,
            "time": slot_label(slot),
            "session": slot.get("session", ""),
            "cells": [by_place.get((s, t)) for t in range(len(event.tables))],
        }
        for s, slot in enumerate(event.slots)
    ]
    people = []
    for row in event.participants:
        if only is not None and row.id != only:
            continue
        own = sorted((v for v in views if row.id in (v["a"], v["b"])), key=lambda v: v["slot"])
        people.append(
            {
                "participant_id": row.id,
                "name": names[row.id],
                "status": row.status,
                "meetings": [
                    {
                        "meeting_id": v["id"],
                        "slot": v["slot"],
                        "time": v["time"],
                        "table_label": v["table_label"],
                        "partner_id": v["b"] if v["a"] == row.id else v["a"],
                        "partner": v["b_name"] if v["a"] == row.id else v["a_name"],
                        "locked": v["locked"],
                    }
                    for v in own
                ],
            }
        )
    return {
        "event_id": event.id,
        "plan_id": plan.id,
        "version": plan.version,
        "kind": plan.kind,
        "scorer": plan.scorer,
        "created_at": plan.created_at,
        "objective": round(plan.objective, 4),
        "meetings": views,
        "tables": list(event.tables),
        "grid": grid,
        "participants": people,
        "unmet_must_meet": list(plan.unmet),
        "warnings": list(plan.warnings),
        "changes": dict(plan.changes),
        "stats": dict(plan.stats),
        "issues": plan_issues(session, event, plan),
    }


# ---- exports -----------------------------------------------------------------------------------
EXPORT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@dataclass
class ExportFile:
    """A file to hand to the user."""

    filename: str
    content: bytes
    media_type: str


@dataclass
class _EventContext(ExportContext):
    """Export context with the event's table labels and everyone's names for partners."""

    labels: list[str] = field(default_factory=list)
    everyone: dict[Any, str] = field(default_factory=dict)

    def name(self, who: Any) -> str:
        """Display name of any participant (agendas list only ``names``)."""
        return self.everyone.get(who) or self.names.get(who) or str(who)

    def table(self, table: int) -> str:  # type: ignore[override]
        """The table's printed label."""
        return self.labels[table] if 0 <= table < len(self.labels) else str(table + 1)


def _export_plan(plan: EventPlan, only: int | None) -> Plan:
    meetings = [_meeting(m) for m in plan.meetings if only is None or only in (m.a_id, m.b_id)]
    return Plan(meetings=meetings, objective=sum(m.score for m in meetings))


def export_file(
    session: Session, event_id: int, fmt: str, *, participant_id: int | None = None
) -> ExportFile:
    """The current plan as CSV, XLSX or printable HTML (one participant's agenda when asked)."""
    event = get_event(session, event_id)
    if fmt not in EXPORT_TYPES:
        raise Invalid(
            f"导出格式应为 {'/'.join(EXPORT_TYPES)} / format must be csv, xlsx or html", "fmt"
        )
    plan = current_plan(session, event)
    if plan is None:
        raise Conflict("活动还没有方案 / the event has no plan yet")
    names: dict[Any, str] = dict(participant_names(session, event))
    active = {p.id for p in active_participants(event)}
    shown = {pid: n for pid, n in names.items() if pid in active}
    if participant_id is not None:
        get_participant(session, event, participant_id)
        shown = {participant_id: names[participant_id]}
    ctx = _EventContext(
        names=shown,
        slot_labels=[slot_label(s) for s in event.slots],
        tables=len(event.tables),
        title=f"{event.name}（{event.date:%Y年%m月%d日}）",
        labels=list(event.tables),
        everyone=names,
    )
    chosen = _export_plan(plan, participant_id)
    stem = f"event-{event.id}-v{plan.version}" + (f"-p{participant_id}" if participant_id else "")
    if fmt == "html":
        html = agenda_html(chosen, ctx)
        if participant_id is not None:
            html = _without_table_plan(html)
        return ExportFile(f"{stem}-agenda.html", html.encode("utf-8"), EXPORT_TYPES["html"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"meetings.{fmt}"
        if fmt == "csv":
            write_csv(path, chosen, ctx)
        else:
            write_xlsx(path, chosen, ctx)
        return ExportFile(f"{stem}-meetings.{fmt}", path.read_bytes(), EXPORT_TYPES[fmt])


def _without_table_plan(html: str) -> str:
    """One participant's agenda does not need the venue's table plan."""
    start = html.find('<section class="table-plan">')
    end = html.find("</section>", start)
    if start < 0 or end < 0:
        return html
    return html[:start] + html[end + len("</section>") :]
