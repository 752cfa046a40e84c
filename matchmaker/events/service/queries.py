"""What the organiser pages show at once: the events a viewer may see and one event's set-up
(participants, pair rules, plan, and whom the organiser may still invite)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventPairRule, EventParticipant, EventPlan
from matchmaker.events.service.access import Viewer, own_scope
from matchmaker.events.service.events import current_plan, get_event, list_events
from matchmaker.events.service.invitations import invitable_organisations, uninvited_organisations
from matchmaker.events.service.participants import participant_names
from matchmaker.events.service.rules import pair_rules
from matchmaker.store.models import Organisation


@dataclass
class EventListing:
    """Events a viewer may see, newest first, with each one's current plan."""

    total: int
    events: list[Event]
    plans: dict[int, EventPlan | None]


def visible_events(session: Session, viewer: Viewer, *, limit: int = 100) -> EventListing:
    """Every event for organisers and readers; for an enterprise the events it attends."""
    total, events = 0, list[Event]()
    if viewer.full_reader:
        total, events = list_events(session, limit=limit)
    elif viewer.organisation_id is not None:
        total, events = list_events(session, organisation_id=viewer.organisation_id, limit=limit)
    return EventListing(total, events, {e.id: current_plan(session, e) for e in events})


@dataclass
class EventSetup:
    """One event's set-up as a viewer may see it."""

    event: Event
    names: dict[int, str]
    participants: list[EventParticipant]
    plan: EventPlan | None
    rules: list[EventPairRule] | None  # None: not shown to this viewer (never-meet is confidential)
    candidates: list[Organisation]  # suggested invitations (organisers only)
    others: list[Organisation]  # every organisation not yet at the event (organisers only)


def event_setup(session: Session, event_id: int, viewer: Viewer) -> EventSetup:
    """The event's participants, plan and, for organisers, its pair rules and whom to invite;
    an enterprise sees the set-up only of an event its organisation attends."""
    event = get_event(session, event_id)
    own_scope(session, event, viewer)
    organises = viewer.organises
    return EventSetup(
        event=event,
        names=participant_names(session, event),
        participants=list(event.participants),
        plan=current_plan(session, event),
        rules=pair_rules(session, event) if organises else None,
        candidates=invitable_organisations(session, event) if organises else [],
        others=uninvited_organisations(session, event) if organises else [],
    )
