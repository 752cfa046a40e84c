"""Participants of an event: invite an organisation with its constraints and items, change or
remove it, and find and name participants, organisations and items the way people refer to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventMeeting, EventPairRule, EventParticipant
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.events import get_event
from matchmaker.events.service.grid import MAX_SLOTS
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Organisation, Scenario, utcnow

# Fields an update leaves as they are when given null (null clears every other field, e.g. the
# meetings cap falls back to the event's default and null item lists mean the default items).
KEPT_ON_NULL = frozenset({"unavailable_slots", "note", "status"})


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


def find_organisation(session: Session, ref: str) -> int:
    """An organisation's database id from its external id (编号), name or database id."""
    found = list(
        session.scalars(
            select(Organisation.id).where(
                or_(
                    Organisation.external_id == ref,
                    Organisation.name == ref,
                    Organisation.id == (int(ref) if ref.isdigit() else -1),
                )
            )
        )
    )
    if len(found) != 1:
        raise NotFound(
            f"找不到机构“{ref}”（编号、名称或数据库编号）/ no organisation {ref!r}",
            "organisation",
        )
    return found[0]


def find_items(session: Session, kind: str, refs: Sequence[str]) -> list[int]:
    """Database ids of items of one kind from their external ids (编号) or database ids."""
    model = ITEM_MODELS[kind]
    out = []
    for ref in refs:
        found = session.scalar(select(model.id).where(model.external_id == ref))
        if found is None and ref.isdigit():
            found = int(ref)
        if found is None:
            raise NotFound(f"找不到 {kind}“{ref}” / no {kind} {ref!r}", f"{kind}_ids")
        out.append(found)
    return out


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


def in_theme(event: Event, industries: Iterable[str] | None) -> bool:
    """Whether an item with these industries fits the event's theme (every item, without one)."""
    return not event.industries or bool(set(industries or ()) & set(event.industries))


def _default_items(event: Event, owned: list[Any]) -> list[int]:
    """The organisation's active items, those in the event's industries when there are any."""
    active = [item for item in owned if item.status == "active"]
    if event.industries:
        themed = [i for i in active if in_theme(event, i.industries)]
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


def _items_or_default(
    event: Event, kind: str, given: Sequence[int] | None, owned: dict[str, list[Any]]
) -> list[int]:
    if given is None:
        return _default_items(event, owned[kind])
    return _check_items(kind, given, owned[kind])


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


def update_participant(
    session: Session, event_id: int, participant_id: int, values: dict[str, Any]
) -> EventParticipant:
    """Change a participant's constraints or items; takes effect at the next (re-)plan.

    Null leaves the fields in ``KEPT_ON_NULL`` as they are and clears the others.
    """
    event = get_event(session, event_id)
    row = get_participant(session, event, participant_id)
    values = {k: v for k, v in values.items() if v is not None or k not in KEPT_ON_NULL}
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


def organisations_of(session: Session, rows: Iterable[EventParticipant]) -> dict[int, Organisation]:
    """The organisations behind these participants, by organisation id."""
    ids = {p.organisation_id for p in rows}
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def is_small(organisation: Organisation) -> bool:
    """Whether an organisation counts as small (it gets the event's higher fairness floor)."""
    return organisation.size == "small"


def display_name(organisation: Organisation, row: EventParticipant) -> str:
    """The participant's printed name, with the interpreter it needs."""
    if row.language:
        return f"{organisation.name}（需{row.language}翻译）"
    return organisation.name


def participant_names(session: Session, event: Event) -> dict[int, str]:
    """Printed name of every participant (cancelled ones too, for history)."""
    orgs = organisations_of(session, event.participants)
    return {p.id: display_name(orgs[p.organisation_id], p) for p in event.participants}
