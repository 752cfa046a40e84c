"""Who sees what of an event, as the event use cases apply it: the decisions are the policy's
(`matchmaker.policy.events`); this module looks the event up and turns a refusal into the
service's errors. An event the actor may not see is "not found", like one that does not exist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matchmaker.events.models import Event
from matchmaker.events.service.errors import Forbidden, NotFound
from matchmaker.events.service.events import get_event
from matchmaker.policy.actor import Actor
from matchmaker.policy.events import Action, EventAccess, Standing, access

Viewer = Actor  # the name older callers use

__all__ = [
    "Action",
    "EventAccess",
    "Standing",
    "Viewer",
    "authorise",
    "check_agenda",
    "hidden",
]


def hidden(event_id: int) -> NotFound:
    """The refusal of an event the actor may not know about (the same as a missing one)."""
    return NotFound(f"活动 {event_id} 不存在 / event {event_id} not found")


def authorise(
    session: Session, actor: Actor, event_id: int, action: Action
) -> tuple[Event, EventAccess]:
    """The event and the actor's standing at it, if the actor may do this; NotFound when the
    actor may not see the event at all, Forbidden when it sees it but may not do this."""
    event = get_event(session, event_id)
    who = access(session, actor, event)
    if not who.visible:
        raise hidden(event_id)
    if not who.allows(action):
        raise Forbidden(
            "只有本活动的组织团队和管理员可以执行此操作 / only the event's organiser team and "
            "admins may do this"
        )
    return event, who


def check_agenda(who: EventAccess, participant_id: int) -> None:
    """Refuse another participant's agenda to a participant (its own is fine)."""
    own = who.own_only
    if own is not None and own != participant_id:
        raise Forbidden("只能查看本机构的日程 / you may see only your own agenda")
