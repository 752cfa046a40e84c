"""Events themselves: create, find, list, change and delete an event with its grid and theme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from matchmaker.catalog.parsers import parse_industries
from matchmaker.core.kinds import TRACK_NAMES
from matchmaker.core.text import TextError, clean_text
from matchmaker.events.models import (
    Event,
    EventMeeting,
    EventOrganiser,
    EventParticipant,
    EventPlan,
)
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.grid import (
    MAX_SLOTS,
    SessionSpec,
    check_slots,
    check_tables,
    numbered_tables,
    slots_from_sessions,
)
from matchmaker.policy.actor import Actor
from matchmaker.policy.events import visible_condition
from matchmaker.store.models import Park

DEFAULT_MAX_MEETINGS = 6
DEFAULT_MIN_MEETINGS = 1
DEFAULT_SMALL_MIN_MEETINGS = 2
# Fields an update may clear with null; for every other field null means "leave as it is".
CLEARABLE_FIELDS = frozenset({"park_id"})


@dataclass
class EventSpec:
    """What an organiser gives to create an event.

    The grid is either explicit ``slots`` or ``sessions`` cut into slots; tables are either
    ``tables`` (labels) or ``table_count`` (labelled 1, 2, 3, …).
    """

    name: str
    date: dt.date
    slots: list[dict[str, Any]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    park_id: int | None = None
    venue: str = ""
    description: str = ""
    internal_note: str = ""  # the organisers' own note: never shown to participants
    tracks: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    default_max_meetings: int = DEFAULT_MAX_MEETINGS
    min_meetings: int = DEFAULT_MIN_MEETINGS
    small_min_meetings: int = DEFAULT_SMALL_MIN_MEETINGS
    sessions: list[SessionSpec] | None = None
    table_count: int | None = None


def _check_tracks(tracks: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(t.strip().lower() for t in tracks))
    unknown = [t for t in chosen if t not in TRACK_NAMES]
    if unknown:
        raise Invalid(
            f"未知的赛道 {unknown}，可选：{'、'.join(TRACK_NAMES)} / unknown track(s)", "tracks"
        )
    return chosen


def _check_industries(industries: Iterable[str]) -> list[str]:
    """Industry codes from codes or Chinese names (the catalogue's rule), naming the field."""
    try:
        return parse_industries(list(industries))
    except ValueError as exc:
        raise Invalid(str(exc), "industries") from exc


def _check_counts(default_max: int, min_meetings: int, small_min: int) -> None:
    for name, value in (
        ("default_max_meetings", default_max),
        ("min_meetings", min_meetings),
        ("small_min_meetings", small_min),
    ):
        if not 0 <= value <= MAX_SLOTS:
            raise Invalid(f"{name} 应在 0–{MAX_SLOTS} 之间 / must be 0–{MAX_SLOTS}", name)


TEXT_FIELDS = {
    "name": "活动名称",
    "venue": "地点",
    "description": "简介",
    "internal_note": "内部备注",
}


def _clean_text_fields(values: dict[str, Any]) -> None:
    """Apply the boundary text rules (core.text) to the event's text fields, in place, so the
    CLI and the pages refuse what the API refuses, naming the field."""
    for name, label in TEXT_FIELDS.items():
        if isinstance(values.get(name), str):
            try:
                values[name] = clean_text(
                    values[name], multiline=name in ("description", "internal_note"), label=label
                )
            except TextError as exc:
                raise Invalid(str(exc), name) from exc


def _grid(spec: EventSpec) -> tuple[list[dict[str, Any]], list[str]]:
    """The spec's slots (sessions cut into slots) and table labels (numbered from a count)."""
    if spec.sessions is not None and spec.slots:
        raise Invalid("请给出 sessions 或 slots（二选一）/ give either sessions or slots", "slots")
    slots = slots_from_sessions(spec.sessions) if spec.sessions is not None else spec.slots
    tables = spec.tables or numbered_tables(spec.table_count or 0)
    return slots, tables


def create_event(
    session: Session, spec: EventSpec, actor: str | None = None, *, organiser: str | None = None
) -> Event:
    """Create an event with its slot grid and tables (organisers set it up before inviting);
    `organiser` (a principal, e.g. "key:12") becomes the first member of its organiser team."""
    texts: dict[str, Any] = {
        "name": spec.name,
        "venue": spec.venue,
        "description": spec.description,
        "internal_note": spec.internal_note,
    }
    _clean_text_fields(texts)
    slots, tables = _grid(spec)
    if spec.park_id is not None and session.get(Park, spec.park_id) is None:
        raise Invalid(f"园区 {spec.park_id} 不存在 / park does not exist", "park_id")
    _check_counts(spec.default_max_meetings, spec.min_meetings, spec.small_min_meetings)
    event = Event(
        name=texts["name"].strip(),
        date=spec.date,
        park_id=spec.park_id,
        venue=texts["venue"],
        description=texts["description"],
        internal_note=texts["internal_note"],
        tracks=_check_tracks(spec.tracks),
        industries=_check_industries(spec.industries),
        slots=check_slots(slots),
        tables=check_tables(tables),
        default_max_meetings=spec.default_max_meetings,
        min_meetings=spec.min_meetings,
        small_min_meetings=spec.small_min_meetings,
        created_by=actor,
    )
    if not event.name:
        raise Invalid("活动名称不能为空 / the event needs a name", "name")
    if organiser is not None:
        event.organisers.append(EventOrganiser(principal=organiser, added_by=organiser))
    session.add(event)
    session.flush()
    return event


def find_park(session: Session, external_id: str) -> int:
    """The database id of the park with this external id (编号)."""
    found = session.scalar(select(Park.id).where(Park.external_id == external_id))
    if found is None:
        raise NotFound(f"找不到园区“{external_id}” / no park {external_id!r}", "park")
    return found


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
    viewer: Actor | None = None,
) -> tuple[int, list[Event]]:
    """Events, newest date first, optionally of one park or attended by one organisation; with
    a viewer, only the events the policy lets it see (None: all, for the CLI)."""
    stmt = select(Event)
    if viewer is not None:
        condition = visible_condition(viewer)
        if condition is not None:
            stmt = stmt.where(condition)
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


def current_plan(session: Session, event: Event) -> EventPlan | None:
    """The newest plan of the event (None before the first one)."""
    return session.scalars(
        select(EventPlan).where(EventPlan.event_id == event.id).order_by(EventPlan.version.desc())
    ).first()


def update_event(session: Session, event_id: int, values: dict[str, Any]) -> Event:
    """Change an event; a new grid is accepted only if the current plan still fits it.

    A null value leaves the field as it is, except for the fields in ``CLEARABLE_FIELDS``.
    """
    event = get_event(session, event_id)
    values = {k: v for k, v in values.items() if v is not None or k in CLEARABLE_FIELDS}
    _clean_text_fields(values)
    if values.get("park_id") is not None and session.get(Park, values["park_id"]) is None:
        raise Invalid(f"园区 {values['park_id']} 不存在 / park does not exist", "park_id")
    if "tracks" in values:
        values["tracks"] = _check_tracks(values["tracks"] or [])
    if "industries" in values:
        values["industries"] = _check_industries(values["industries"] or [])
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
