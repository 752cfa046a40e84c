"""What the organiser pages show at once: the events a viewer may see and one event's set-up
(participants, pair rules, plan, and whom the organiser may still invite)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventPairRule, EventParticipant, EventPlan
from matchmaker.events.service.access import authorise
from matchmaker.events.service.events import current_plan, list_events
from matchmaker.events.service.invitations import invitable_organisations, uninvited_organisations
from matchmaker.events.service.participants import participant_names
from matchmaker.events.service.rules import pair_rules
from matchmaker.policy.actor import Actor
from matchmaker.policy.events import Action, EventAccess
from matchmaker.store.models import Organisation


@dataclass
class EventListing:
    """Events a viewer may see, newest first, with each one's current plan."""

    total: int
    events: list[Event]
    plans: dict[int, EventPlan | None]


def visible_events(session: Session, viewer: Actor, *, limit: int = 100) -> EventListing:
    """The events the viewer may see (policy): its team's, the ones its organisation attends,
    every one for admins."""
    total, events = list_events(session, limit=limit, viewer=viewer)
    return EventListing(total, events, {e.id: current_plan(session, e) for e in events})


@dataclass
class EventSetup:
    """One event's set-up as a viewer may see it."""

    event: Event
    access: EventAccess
    names: dict[int, str]
    participants: list[EventParticipant]  # a participant sees only its own entry
    plan: EventPlan | None
    rules: list[EventPairRule] | None  # None: not shown to this viewer (never-meet is confidential)
    candidates: list[Organisation]  # suggested invitations (organisers only)
    others: list[Organisation]  # every organisation not yet at the event (organisers only)


def event_setup(session: Session, event_id: int, viewer: Actor) -> EventSetup:
    """The event's participants, plan and, for its organiser team, its pair rules and whom to
    invite; a participant sees its own entry only."""
    event, who = authorise(session, viewer, event_id, Action.VIEW)
    organises = who.whole
    rows = [p for p in event.participants if organises or p.id == who.participant_id]
    return EventSetup(
        event=event,
        access=who,
        names=participant_names(session, event),
        participants=rows,
        plan=current_plan(session, event),
        rules=pair_rules(session, event) if organises else None,
        candidates=invitable_organisations(session, event) if organises else [],
        others=uninvited_organisations(session, event) if organises else [],
    )
