"""Who sees and changes what of an event.

- Admins, and the event's organiser team (its creator and co-organisers), see and change all of
  it, confidential parts included: internal notes, participants' notes, pair rules (never-meet
  rules above all), pair scores, the planner's working notes (warnings, issues, statistics).
- A participant (an enterprise or institution whose organisation is at the event) sees the event,
  its own entry and its own meetings and agenda, never the confidential parts. Besides, it sees
  what the event shows to participants: the other active participants' names, kinds, cities and
  the titles of the items they bring (``DIRECTORY_FIELDS``), to ask for meetings; it answers its
  invitation and makes meeting requests, wishes and "not interested" marks, and sees the requests
  addressed to it, never other participants' marks.
- An invitee (an organisation invited but not, or no longer, taking part) sees the event and
  answers its invitation. The holder of an invitation's signed e-mail link acts for the invited
  organisation at that event only (``invitation_actor``), without an account.
- Everyone else (readers, organisers of other events, organisations not at the event, visitors)
  sees nothing of the event, not even that it exists.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventOrganiser, EventParticipant
from matchmaker.events.participation_models import EventInvitation
from matchmaker.policy.actor import EVENTS_ALL, EVENTS_CREATE, Actor


class Standing(enum.Enum):
    """An actor's relation to one event."""

    NONE = "none"  # sees nothing of the event
    INVITEE = "invitee"  # invited: the event and its own invitation
    PARTICIPANT = "participant"  # its own entry and agenda
    TEAM = "team"  # the organiser team: everything
    ADMIN = "admin"  # platform admins: everything


class Action(enum.Enum):
    """What is asked of an event."""

    VIEW = "view"  # the event itself (name, date, grid)
    PARTICIPANTS = "participants"  # the participant list (a participant: its own entry)
    PLAN = "plan"  # the current plan (a participant: its own meetings)
    AGENDA = "agenda"  # one participant's agenda (a participant: its own)
    MANAGE = "manage"  # change anything, pair rules, exports of the whole plan, the team
    RSVP = "rsvp"  # answer one's own invitation
    REQUEST = "request"  # the participant directory, meeting requests, wishes, not interested


PARTICIPANT_ACTIONS = frozenset(
    {Action.VIEW, Action.PARTICIPANTS, Action.PLAN, Action.AGENDA, Action.RSVP, Action.REQUEST}
)
INVITEE_ACTIONS = frozenset({Action.VIEW, Action.RSVP})
INVITEE_ROLE = "invitee"  # the role of a signed-link holder: no capability anywhere
DIRECTORY_FIELDS = ("id", "name", "kind", "city", "offers")


@dataclass(frozen=True)
class EventAccess:
    """An actor's standing at an event and, for a participant, its participant id."""

    standing: Standing
    participant_id: int | None = None

    @property
    def whole(self) -> bool:
        """Sees the whole event, confidential parts included (team and admins)."""
        return self.standing in (Standing.TEAM, Standing.ADMIN)

    @property
    def visible(self) -> bool:
        """Knows the event exists."""
        return self.standing is not Standing.NONE

    def allows(self, action: Action) -> bool:
        """Whether the standing permits the action (own-entry limits are the views' job)."""
        if self.whole:
            return True
        if self.standing is Standing.INVITEE:
            return action in INVITEE_ACTIONS
        return self.standing is Standing.PARTICIPANT and action in PARTICIPANT_ACTIONS

    @property
    def own_only(self) -> int | None:
        """The participant id the actor is limited to (None: not limited)."""
        return None if self.whole else self.participant_id


def may_create(actor: Actor) -> bool:
    """Admins and organisers set up events (and join their teams)."""
    return actor.can(EVENTS_CREATE)


def on_team(session: Session, actor: Actor, event_id: int) -> bool:
    """Whether the actor is a member of the event's organiser team."""
    if actor.principal is None or not actor.can(EVENTS_CREATE):
        return False
    found = session.scalar(
        select(EventOrganiser.id).where(
            EventOrganiser.event_id == event_id, EventOrganiser.principal == actor.principal
        )
    )
    return found is not None


def own_participant(session: Session, actor: Actor, event_id: int) -> EventParticipant | None:
    """The participant the actor's organisation is at this event, if any."""
    if actor.organisation_id is None:
        return None
    return session.scalars(
        select(EventParticipant).where(
            EventParticipant.event_id == event_id,
            EventParticipant.organisation_id == actor.organisation_id,
        )
    ).first()


def access(session: Session, actor: Actor, event: Event) -> EventAccess:
    """The actor's standing at the event."""
    if actor.can(EVENTS_ALL):
        return EventAccess(Standing.ADMIN)
    if on_team(session, actor, event.id):
        return EventAccess(Standing.TEAM)
    row = own_participant(session, actor, event.id)
    if row is not None and (row.status == "active" or not invited(session, actor, event.id)):
        return EventAccess(Standing.PARTICIPANT, row.id)
    if invited(session, actor, event.id):
        return EventAccess(Standing.INVITEE)
    return EventAccess(Standing.NONE)


def invited(session: Session, actor: Actor, event_id: int) -> bool:
    """Whether the actor's organisation was invited to the event."""
    if actor.organisation_id is None:
        return False
    found = session.scalar(
        select(EventInvitation.id).where(
            EventInvitation.event_id == event_id,
            EventInvitation.organisation_id == actor.organisation_id,
        )
    )
    return found is not None


def invitation_actor(organisation_id: int, invitation_id: int) -> Actor:
    """The holder of an invitation's signed link: acts for the invited organisation, with no
    capability of any role (the link's routes reach only the invitation's own event)."""
    return Actor(INVITEE_ROLE, organisation_id, f"invitation:{invitation_id}")


def directory_for(rows: list[dict[str, Any]], who: EventAccess) -> list[dict[str, Any]]:
    """The participant directory as the actor may read it: the team everything, a participant
    the fields the event shows to participants (others only, never notes or constraints)."""
    if who.whole:
        return rows
    if who.standing is not Standing.PARTICIPANT:
        return []
    return [{f: r.get(f) for f in DIRECTORY_FIELDS} for r in rows if r["id"] != who.participant_id]


def visible_condition(actor: Actor) -> Any:
    """The SQL condition on `Event` of the events the actor may see in a listing."""
    if actor.can(EVENTS_ALL):
        return None
    parts: list[Any] = []
    if actor.principal is not None and actor.can(EVENTS_CREATE):
        parts.append(
            Event.id.in_(
                select(EventOrganiser.event_id).where(EventOrganiser.principal == actor.principal)
            )
        )
    if actor.organisation_id is not None:
        parts.append(
            Event.id.in_(
                select(EventParticipant.event_id).where(
                    EventParticipant.organisation_id == actor.organisation_id
                )
            )
        )
        parts.append(
            Event.id.in_(
                select(EventInvitation.event_id).where(
                    EventInvitation.organisation_id == actor.organisation_id
                )
            )
        )
    return or_(*parts) if parts else false()


# ---- what leaves the organisers' views --------------------------------------------------------
CONFIDENTIAL_EVENT_FIELDS = ("internal_note",)
CONFIDENTIAL_PARTICIPANT_FIELDS = ("note",)
CONFIDENTIAL_PLAN_FIELDS = ("objective", "scorer", "warnings", "issues", "stats", "changes")


def event_for(event_view: dict[str, Any], who: EventAccess) -> dict[str, Any]:
    """An event as the actor may read it (no internal note for participants)."""
    if who.whole:
        return event_view
    return {**event_view, **{f: None for f in CONFIDENTIAL_EVENT_FIELDS}}


def participants_for(rows: list[dict[str, Any]], who: EventAccess) -> list[dict[str, Any]]:
    """A participant list as the actor may read it: a participant gets its own entry, unnoted."""
    if who.whole:
        return rows
    own = [r for r in rows if r["id"] == who.participant_id]
    return [{**r, **{f: "" for f in CONFIDENTIAL_PARTICIPANT_FIELDS}} for r in own]


def plan_for(document: dict[str, Any], who: EventAccess) -> dict[str, Any]:
    """A plan document as the actor may read it: a participant gets its own meetings without
    scores, unmet pair rules or the planner's working notes."""
    if who.whole:
        return document
    shown = dict(document)
    shown["meetings"] = [{**m, "score": None} for m in document.get("meetings", [])]
    shown["grid"] = [
        {**row, "cells": [None if c is None else {**c, "score": None} for c in row["cells"]]}
        for row in document.get("grid", [])
    ]
    shown.update(objective=None, scorer=None, warnings=[], issues=[], stats={}, changes={})
    shown["unmet_must_meet"] = []
    return shown
