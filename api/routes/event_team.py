"""An event's organiser team under /api/v1/events/{id}/organisers: who organises it (its creator
and co-organisers), adding and removing co-organisers. Only the team and admins reach these."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api import problems
from api.deps import OrganiserDep, SessionDep
from api.routes.event_schemas import OrganiserAdd, OrganiserPublic
from api.routes.events import Managing, PathId, use_cases
from matchmaker.events.service import team

router = APIRouter(prefix="/api/v1", tags=["活动 Events"], responses=problems.COMMON_RESPONSES)


# ---- organiser team ----------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/organisers",
    response_model=list[OrganiserPublic],
    summary="组织团队 The event's organiser team",
)
def list_organisers(
    event_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> list[dict[str, Any]]:
    """The keys that organise this event: its creator and co-organisers (the team and admins)."""
    with use_cases(session):
        return [team.member_view(session, m) for m in team.team(session, event_id)]


@router.post(
    "/events/{event_id}/organisers",
    response_model=OrganiserPublic,
    status_code=201,
    summary="添加协办组织者 Add a co-organiser",
)
def add_organiser(
    event_id: PathId, body: OrganiserAdd, session: SessionDep, caller: OrganiserDep, who: Managing
) -> dict[str, Any]:
    """Add an organiser's (or admin's) key to the team: it then sees and manages the event."""
    with use_cases(session):
        row = team.add_organiser(session, event_id, body.key_id, caller.actor.principal)
    return team.member_view(session, row)


@router.delete(
    "/events/{event_id}/organisers/{key_id}",
    status_code=204,
    summary="移出组织团队 Remove a co-organiser",
)
def remove_organiser(
    event_id: PathId, key_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> Response:
    """Take a key off the team (409 for the last member)."""
    with use_cases(session):
        team.remove_organiser(session, event_id, key_id)
    return Response(status_code=204)
