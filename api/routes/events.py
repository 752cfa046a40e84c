"""Matchmaking events under /api/v1/events: set-up, participants, pair rules, plans, edits, exports.

Who may do what is the policy's (``matchmaker.policy.events``): admins and the event's organiser
team (its creator and co-organisers) see and do everything; a participant's key reads the event,
its own entry, its own meetings and agenda, never notes, scores or pair rules; everyone else gets
404 for the event, as if it did not exist. Role-level refusals (a reader creating an event) are
403. Each handler parses its input, makes one call into ``matchmaker.events.service`` and renders
the answer; the bodies are in ``api/routes/event_schemas.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import problems
from api.deps import Caller, CallerDep, EventScorerDep, OrganiserDep, SessionDep
from api.problems import Problem
from api.routes.event_schemas import (
    FILE_RESPONSES,
    HTML_RESPONSES,
    MAX_ID,
    EventCreate,
    EventPage,
    EventPublic,
    EventUpdate,
    ExportFormat,
    MeetingMove,
    MeetingOut,
    PairRuleCreate,
    PairRulePublic,
    ParticipantCreate,
    ParticipantPublic,
    ParticipantUpdate,
    PlanPublic,
    PlanRequest,
    PlanSummary,
)
from matchmaker.events.service import (
    downloads,
    edits,
    events,
    participants,
    planning,
    rules,
    views,
)
from matchmaker.events.service.access import authorise
from matchmaker.events.service.downloads import ExportFile
from matchmaker.events.service.errors import Conflict, Forbidden, Invalid, NotFound
from matchmaker.policy.events import Action, EventAccess, access, event_for, participants_for

router = APIRouter(prefix="/api/v1", tags=["活动 Events"], responses=problems.COMMON_RESPONSES)

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="数据库编号 database id")]
Limit = Annotated[int, Query(ge=1, le=100, description="每页条数 page size (1–100)")]
Offset = Annotated[int, Query(ge=0, le=100000, description="偏移 offset")]


# ---- helpers -----------------------------------------------------------------------------------
@contextmanager
def use_cases(session: Session) -> Iterator[None]:
    """Turn the service's refusals into problem documents, rolling back what was started."""
    try:
        yield
        session.commit()
    except NotFound as exc:
        session.rollback()
        raise Problem(404, exc.message) from exc
    except Invalid as exc:
        session.rollback()
        errors = [{"field": exc.field or "", "in": "body", "message": exc.message}]
        raise Problem(422, exc.message, errors) from exc
    except Forbidden as exc:
        session.rollback()
        raise Problem(403, exc.message) from exc
    except Conflict as exc:
        session.rollback()
        raise Problem(409, exc.message) from exc
    except IntegrityError as exc:
        session.rollback()
        raise Problem(409, "与已有记录冲突 / conflicts with an existing record") from exc


def _actor(caller: Caller) -> str:
    return f"{caller.role}:{caller.key_id}"


def access_to(action: Action):
    """A dependency: the caller's standing at the path's event if the policy allows the action
    (404 when the caller may not see the event, 403 when it may see but not do this)."""

    def check(event_id: PathId, session: SessionDep, caller: CallerDep) -> EventAccess:
        with use_cases(session):
            _, who = authorise(session, caller.actor, event_id, action)
        return who

    return check


Viewing = Annotated[EventAccess, Depends(access_to(Action.VIEW))]
ListingParticipants = Annotated[EventAccess, Depends(access_to(Action.PARTICIPANTS))]
Managing = Annotated[EventAccess, Depends(access_to(Action.MANAGE))]


def _inline(file: ExportFile) -> dict[str, str]:
    """A printable file shown in the browser (its sandboxed CSP comes with Content-Disposition)."""
    return {"Content-Disposition": f'inline; filename="{file.filename}"'}


def _download(file: ExportFile) -> Response:
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


# ---- events ------------------------------------------------------------------------------------
@router.get("/events", response_model=EventPage, summary="活动列表 List events")
def list_events(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    park_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="参会机构")] = None,
) -> dict[str, Any]:
    """The events the caller may see (its team's, those its organisation attends; all for
    admins), newest first, optionally of one park or attended by one organisation."""
    actor = caller.actor
    total, rows = events.list_events(
        session,
        park_id=park_id,
        organisation_id=organisation_id,
        limit=limit,
        offset=offset,
        viewer=actor,
    )
    return {
        "items": [event_for(views.event_view(session, e), access(session, actor, e)) for e in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.post(
    "/events", response_model=EventPublic, status_code=201, summary="新建活动 Create an event"
)
def create_event(body: EventCreate, session: SessionDep, caller: OrganiserDep) -> dict[str, Any]:
    """Create an event with its sessions/slots and tables (admin, organiser); the caller's key
    becomes the first member of its organiser team."""
    with use_cases(session):
        event = events.create_event(
            session, body.spec(), actor=_actor(caller), organiser=caller.actor.principal
        )
    return views.event_view(session, event)


@router.get("/events/{event_id}", response_model=EventPublic, summary="活动详情 Get an event")
def get_event(event_id: PathId, session: SessionDep, who: Viewing) -> dict[str, Any]:
    """One event with its grid (its organiser team and admins also get the internal note)."""
    with use_cases(session):
        event = events.get_event(session, event_id)
    return event_for(views.event_view(session, event), who)


@router.patch("/events/{event_id}", response_model=EventPublic, summary="修改活动 Update an event")
def update_event(
    event_id: PathId, body: EventUpdate, session: SessionDep, caller: OrganiserDep, who: Managing
) -> dict[str, Any]:
    """Change an event (admin, organiser); 409 when a new grid would cut the current plan."""
    with use_cases(session):
        event = events.update_event(session, event_id, body.values())
    return views.event_view(session, event)


@router.delete("/events/{event_id}", status_code=204, summary="删除活动 Delete an event")
def delete_event(
    event_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> Response:
    """Delete an event with its participants and plans (admin, organiser)."""
    with use_cases(session):
        events.delete_event(session, event_id)
    return Response(status_code=204)


# ---- participants ------------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/participants",
    response_model=list[ParticipantPublic],
    summary="参会方列表 List participants",
)
def list_participants(
    event_id: PathId, session: SessionDep, who: ListingParticipants
) -> list[dict[str, Any]]:
    """Everyone invited, cancelled ones included (status tells); a participant's key gets its
    own entry only, without the organisers' note."""
    with use_cases(session):
        return participants_for(views.participant_list(session, event_id), who)


@router.post(
    "/events/{event_id}/participants",
    response_model=ParticipantPublic,
    status_code=201,
    summary="添加参会方 Add a participant",
)
def add_participant(
    event_id: PathId,
    body: ParticipantCreate,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
) -> dict[str, Any]:
    """Invite an organisation with its constraints (admin, organiser)."""
    with use_cases(session):
        row = participants.add_participant(
            session,
            event_id,
            body.organisation_id,
            max_meetings=body.max_meetings,
            min_meetings=body.min_meetings,
            unavailable_slots=body.unavailable_slots,
            language=body.language,
            need_ids=body.need_ids,
            achievement_ids=body.achievement_ids,
            scenario_ids=body.scenario_ids,
            note=body.note,
        )
    return views.participant_view(row.event, row)


@router.patch(
    "/events/{event_id}/participants/{participant_id}",
    response_model=ParticipantPublic,
    summary="修改参会方 Update a participant",
)
def update_participant(
    event_id: PathId,
    participant_id: PathId,
    body: ParticipantUpdate,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
) -> dict[str, Any]:
    """Change constraints or items (admin, organiser); applies at the next (re-)plan."""
    with use_cases(session):
        row = participants.update_participant(
            session, event_id, participant_id, body.model_dump(exclude_unset=True)
        )
    return views.participant_view(row.event, row)


@router.delete(
    "/events/{event_id}/participants/{participant_id}",
    status_code=204,
    summary="移除参会方 Remove a participant",
)
def remove_participant(
    event_id: PathId,
    participant_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
) -> Response:
    """Remove a participant no plan mentions (admin, organiser); 409: cancel it instead."""
    with use_cases(session):
        participants.remove_participant(session, event_id, participant_id)
    return Response(status_code=204)


@router.post(
    "/events/{event_id}/participants/{participant_id}/cancel",
    response_model=PlanSummary | None,
    summary="取消参会并重排 Cancel a participant and refill its places",
)
def cancel_participant(
    event_id: PathId,
    participant_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
    scorer: EventScorerDep,
    body: PlanRequest | None = None,
) -> dict[str, Any] | None:
    """Cancel (admin, organiser): its meetings go, the freed places are refilled by a re-plan
    (the summary says what changed; null when the event had no plan yet)."""
    options = body or PlanRequest()
    with use_cases(session):
        outcome = planning.cancel_participant(
            session,
            event_id,
            participant_id,
            scorer,
            time_limit=options.time_limit,
            actor=_actor(caller),
        )
    return views.outcome_summary(outcome) if outcome is not None else None


@router.get(
    "/events/{event_id}/participants/{participant_id}/agenda",
    response_class=Response,
    responses=HTML_RESPONSES,
    summary="参会方日程（可打印） One participant's printable agenda",
)
def participant_agenda(
    event_id: PathId, participant_id: PathId, session: SessionDep, caller: CallerDep
) -> Response:
    """Printable HTML agenda of one participant (a participant's key: its own only)."""
    with use_cases(session):
        file = downloads.agenda_file(session, event_id, participant_id, caller.actor)
    return Response(content=file.content, media_type=file.media_type, headers=_inline(file))


# ---- pair rules --------------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/pairs", response_model=list[PairRulePublic], summary="配对规则 Pair rules"
)
def list_pair_rules(
    event_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> list[dict[str, Any]]:
    """Must-meet and never-meet rules (admin, organiser: never-meet rules are confidential)."""
    with use_cases(session):
        return views.rule_list(session, event_id)


@router.post(
    "/events/{event_id}/pairs",
    response_model=PairRulePublic,
    status_code=201,
    summary="添加配对规则 Add a must-meet / never-meet rule",
)
def add_pair_rule(
    event_id: PathId,
    body: PairRuleCreate,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
) -> dict[str, Any]:
    """Two participants must meet, or never meet (admin, organiser)."""
    with use_cases(session):
        rule = rules.add_pair_rule(session, event_id, body.a, body.b, body.rule, body.note)
    return views.rule_of(session, rule)


@router.delete(
    "/events/{event_id}/pairs/{rule_id}", status_code=204, summary="删除配对规则 Delete a rule"
)
def remove_pair_rule(
    event_id: PathId, rule_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> Response:
    """Delete one rule (admin, organiser)."""
    with use_cases(session):
        rules.remove_pair_rule(session, event_id, rule_id)
    return Response(status_code=204)


# ---- plans -------------------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/plan",
    response_model=PlanSummary,
    status_code=201,
    summary="生成方案 Generate the pairing list and schedule",
)
def generate_plan(
    event_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
    scorer: EventScorerDep,
    body: PlanRequest | None = None,
) -> dict[str, Any]:
    """Plan from scratch, keeping locked meetings (admin, organiser); checked before it is stored."""
    options = body or PlanRequest()
    with use_cases(session):
        outcome = planning.generate_plan(
            session,
            event_id,
            scorer,
            time_limit=options.time_limit,
            actor=_actor(caller),
            rescore=options.rescore,
        )
    return views.outcome_summary(outcome)


@router.post(
    "/events/{event_id}/replan",
    response_model=PlanSummary,
    status_code=201,
    summary="重新排程 Re-plan with as few changes as possible",
)
def replan(
    event_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
    scorer: EventScorerDep,
    body: PlanRequest | None = None,
) -> dict[str, Any]:
    """Re-plan (admin, organiser): locked meetings stay, few others move; 409 without a plan."""
    options = body or PlanRequest()
    with use_cases(session):
        outcome = planning.replan(
            session,
            event_id,
            scorer,
            time_limit=options.time_limit,
            actor=_actor(caller),
            rescore=options.rescore,
        )
    return views.outcome_summary(outcome)


@router.get(
    "/events/{event_id}/plan",
    response_model=PlanPublic,
    summary="当前方案 The current plan (grid and per participant)",
)
def get_plan(event_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """The current plan as a slot × table grid and per participant; a participant's key gets
    only its own meetings, without scores. 404 before the first plan."""
    with use_cases(session):
        shown = views.plan_view(session, event_id, caller.actor)
    if shown.document is None:
        raise Problem(404, f"活动 {event_id} 还没有方案 / event {event_id} has no plan yet")
    return shown.document


@router.post(
    "/events/{event_id}/meetings/{meeting_id}/lock",
    response_model=MeetingOut,
    summary="锁定会谈 Lock a meeting in place",
)
def lock_meeting(
    event_id: PathId, meeting_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> dict[str, Any]:
    """Lock a meeting of the current plan: re-plans keep it at its slot and table."""
    return _set_locked(session, event_id, meeting_id, True)


@router.post(
    "/events/{event_id}/meetings/{meeting_id}/unlock",
    response_model=MeetingOut,
    summary="解锁会谈 Unlock a meeting",
)
def unlock_meeting(
    event_id: PathId, meeting_id: PathId, session: SessionDep, caller: OrganiserDep, who: Managing
) -> dict[str, Any]:
    """Unlock a meeting: re-plans may move it again."""
    return _set_locked(session, event_id, meeting_id, False)


def _set_locked(session: Session, event_id: int, meeting_id: int, locked: bool) -> dict[str, Any]:
    with use_cases(session):
        meeting = edits.set_locked(session, event_id, meeting_id, locked)
    return views.meeting_of(session, meeting.plan.event, meeting)


@router.patch(
    "/events/{event_id}/meetings/{meeting_id}",
    response_model=MeetingOut,
    summary="移动会谈 Move a meeting to another slot / table",
)
def move_meeting(
    event_id: PathId,
    meeting_id: PathId,
    body: MeetingMove,
    session: SessionDep,
    caller: OrganiserDep,
    who: Managing,
) -> dict[str, Any]:
    """Move a meeting (admin, organiser) if every rule holds there; locked unless lock=false."""
    with use_cases(session):
        meeting = edits.move_meeting(
            session, event_id, meeting_id, body.slot, body.table, lock=body.lock
        )
    return views.meeting_of(session, meeting.plan.event, meeting)


# ---- exports -----------------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/export/{fmt}",
    response_class=Response,
    responses=FILE_RESPONSES,
    summary="导出方案或本机构日程 Download the plan, or your own agenda (CSV, XLSX, HTML, .ics)",
)
def export_plan(
    event_id: PathId,
    fmt: Annotated[ExportFormat, Path(description="csv | xlsx | html | ics")],
    session: SessionDep,
    caller: CallerDep,
) -> Response:
    """The full meeting list (CSV, XLSX) or every agenda plus the table plan (HTML), in Chinese
    (the event's organiser team and admins; ics is per participant: 422); a participant's key
    gets its own agenda in that format, .ics (RFC 5545) included, without scores; 409 before
    the first plan."""
    with use_cases(session):
        file = downloads.plan_file(session, event_id, fmt, caller.actor)
    return _download(file)
