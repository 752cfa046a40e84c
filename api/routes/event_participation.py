"""The participant side of events under /api/v1/events: whom to invite (ranked by fit),
invitations and their e-mails, the RSVP status, and an invited organisation's own answer.

The organiser team (and admins) invite and see every answer; an organisation's enterprise key
answers its own invitation (the same as the e-mailed signed link, which needs no account).
Decisions are the policy's (``matchmaker.policy.events``) and the service's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api import problems
from api.deps import CallerDep, SessionDep
from api.problems import Problem
from api.routes.events import PathId, _access, _use_cases
from api.routes.participation_schemas import (
    AnswerIn,
    CandidatePage,
    InvitationList,
    InvitationsCreate,
    OwnInvitation,
)
from matchmaker.core.config import get_settings
from matchmaker.events.service import fit, mail, rsvp
from matchmaker.events.service.events import get_event
from matchmaker.policy.events import Action, EventAccess

router = APIRouter(
    prefix="/api/v1", tags=["活动参会方 Event participants"], responses=problems.COMMON_RESPONSES
)

Managing = Annotated[EventAccess, Depends(_access(Action.MANAGE))]
Answering = Annotated[EventAccess, Depends(_access(Action.RSVP))]


def mailer() -> mail.Mailer:
    """A mailer on the configured SMTP server."""
    return mail.Mailer.smtp(get_settings())


MailerDep = Annotated[mail.Mailer, Depends(mailer)]


def _listing(session: Any, event_id: int, done: mail.Sent | None = None) -> dict[str, Any]:
    return {
        "summary": rsvp.rsvp_summary(session, event_id),
        "items": [rsvp.invitation_view(session, r) for r in rsvp.invitations(session, event_id)],
        "mailing": None if done is None else done.__dict__,
    }


@router.get(
    "/events/{event_id}/candidates",
    response_model=CandidatePage,
    summary="按契合度排序的可邀请机构 Organisations ranked by fit to the event",
)
def candidates(
    event_id: PathId,
    session: SessionDep,
    who: Managing,
    q: Annotated[str, Query(max_length=100, description="名称或编号 name or 编号")] = "",
    kind: Annotated[str | None, Query(max_length=32, description="机构类型 kind")] = None,
    province: Annotated[str | None, Query(max_length=32, description="省份 province")] = None,
    themed_only: Annotated[bool, Query(description="只看有本活动行业条目的机构")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """Every organisation, best fit to the event's theme first, with the reasons; already
    invited or participating ones are flagged (the event's organiser team and admins)."""
    with _use_cases(session):
        event = get_event(session, event_id)
        total, found = fit.ranked_candidates(
            session,
            event,
            query=q,
            kind=kind,
            province=province,
            themed_only=themed_only,
            limit=limit,
            offset=offset,
        )
    return {"items": [c.as_dict() for c in found], "total": total, "limit": limit, "offset": offset}


@router.get(
    "/events/{event_id}/invitations",
    response_model=InvitationList,
    summary="邀请与回复状态 Invitations and RSVP status",
)
def list_invitations(event_id: PathId, session: SessionDep, who: Managing) -> dict[str, Any]:
    """Counts of pending / accepted / declined answers and every invitation with its answer and
    the e-mails sent (the event's organiser team and admins)."""
    with _use_cases(session):
        return _listing(session, event_id)


@router.post(
    "/events/{event_id}/invitations",
    response_model=InvitationList,
    status_code=201,
    summary="邀请机构并发送邀请邮件 Invite organisations and e-mail them",
)
def create_invitations(
    event_id: PathId,
    body: InvitationsCreate,
    session: SessionDep,
    caller: CallerDep,
    who: Managing,
    post: MailerDep,
) -> dict[str, Any]:
    """Invite organisations (all or none: each problem names its row); each gets one e-mail with
    a signed link to accept or decline. Delivery failures are listed and retried by the next send."""
    with _use_cases(session):
        if body.rsvp_deadline is not None:
            rsvp.set_rsvp_deadline(session, event_id, body.rsvp_deadline)
        rsvp.invite_organisations(
            session,
            event_id,
            [rsvp.Invitee(i.organisation_id, i.email, i.contact_name) for i in body.invitations],
            invited_by=caller.actor.principal,
        )
    done = None
    if body.send:
        with _use_cases(session):
            done = mail.send_invitations(session, post, event_id)
        post.transport.close()
    with _use_cases(session):
        return _listing(session, event_id, done)


@router.post(
    "/events/{event_id}/invitations/send",
    response_model=InvitationList,
    summary="发送未发出的邀请与到期提醒 Send unsent invitations and due reminders",
)
def send_invitations(
    event_id: PathId, session: SessionDep, who: Managing, post: MailerDep
) -> dict[str, Any]:
    """Send invitations not yet delivered and the reminders due now (each e-mail goes once)."""
    with _use_cases(session):
        done = mail.send_invitations(session, post, event_id)
        more = mail.send_reminders(session, post, event_id=event_id)
    post.transport.close()
    done.sent += more.sent
    done.failed += more.failed
    done.errors += more.errors
    with _use_cases(session):
        return _listing(session, event_id, done)


@router.post(
    "/events/{event_id}/rsvp",
    response_model=OwnInvitation,
    summary="回复本机构的邀请 Answer your organisation's invitation",
)
def answer_invitation(
    event_id: PathId, body: AnswerIn, session: SessionDep, caller: CallerDep, who: Answering
) -> dict[str, Any]:
    """Accept (with free slots, meeting cap, languages, what you look for) or decline; the same
    answer as the e-mail's signed link gives."""
    organisation = caller.actor.organisation_id
    if organisation is None:
        raise Problem(403, "只有受邀机构可以回复 / only the invited organisation may answer")
    with _use_cases(session):
        row = rsvp.invitation_of(session, event_id, organisation)
        rsvp.respond(
            session,
            row,
            rsvp.Answer(
                body.accept,
                body.available_slots,
                body.max_meetings,
                list(body.languages),
                body.looking_for,
            ),
        )
        view = rsvp.invitation_view(session, row)
    return view
