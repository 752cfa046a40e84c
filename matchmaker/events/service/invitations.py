"""Who may be invited to an event: organisations that bring an active item in the event's theme
(the suggested list) and every other organisation not yet at the event (the free choice)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventParticipant
from matchmaker.events.service.errors import Invalid
from matchmaker.events.service.events import get_event
from matchmaker.events.service.participants import add_participant, in_theme
from matchmaker.store.models import Achievement, Need, Organisation, Scenario


def _taken(event: Event) -> set[int]:
    return {p.organisation_id for p in event.participants}


def _themed_owners(session: Session, event: Event) -> set[int]:
    """Organisations owning an active need, achievement or scenario in the event's industries."""
    owners: set[int] = set()
    for column, industries, status in (
        (Need.enterprise_id, Need.industries, Need.status),
        (Achievement.owner_id, Achievement.industries, Achievement.status),
        (Scenario.owner_id, Scenario.industries, Scenario.status),
    ):
        rows = session.execute(
            select(column, industries).where(status == "active", column.is_not(None))
        )
        owners.update(
            int(owner) for owner, found in rows if owner is not None and in_theme(event, found)
        )
    return owners


def invitable_organisations(session: Session, event: Event) -> list[Organisation]:
    """Organisations not yet at the event that bring an active item in the event's industries
    (any industry when the event has no theme), by kind and name: the suggested invitations."""
    wanted = sorted(_themed_owners(session, event) - _taken(event))
    if not wanted:
        return []
    rows = session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(wanted))
        .order_by(Organisation.kind, Organisation.name)
    )
    return list(rows)


def uninvited_organisations(session: Session, event: Event) -> list[Organisation]:
    """Every organisation not yet at the event (cancelled ones count as at it), by kind and name."""
    taken = _taken(event)
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.id.not_in(taken or {-1}))
            .order_by(Organisation.kind, Organisation.name)
        )
    )


def invite(
    session: Session, event_id: int, organisation_ids: Sequence[int]
) -> list[EventParticipant]:
    """Invite several organisations with their default items (all of them or, on a refusal, none
    once the caller rolls back); an organisation given twice is invited once."""
    ids = list(dict.fromkeys(organisation_ids))
    if not ids:
        raise Invalid("请选择至少一个机构 / choose at least one organisation", "organisation_id")
    get_event(session, event_id)
    return [add_participant(session, event_id, org_id) for org_id in ids]
