"""The participant side of events under /api/v1/events: whom to invite (ranked by fit),
invitations and their e-mails, the RSVP status, and an invited organisation's own answer.

The organiser team (and admins) invite and see every answer; an organisation's enterprise key
answers its own invitation (the same as the e-mailed signed link, which needs no account).
Decisions are the policy's (``matchmaker.policy.events``) and the service's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from api import problems
from api.deps import CallerDep, EventScorerDep, SessionDep
from api.problems import Problem
from api.routes.event_schemas import ParticipantPublic, PlanSummary
from api.routes.events import PathId, access_to, use_cases
from api.routes.participation_schemas import (
    AnswerIn,
    CandidatePage,
    InvitationList,
    InvitationsCreate,
    Mailing,
    OutcomeIn,
    OutcomeOut,
    OwnInvitation,
    PartnerOut,
    RegeneratePreview,
    RequestAnswer,
    RequestOut,
    ScheduleRulesIn,
    ScheduleRulesOut,
    StanceIn,
)
from matchmaker.core.config import get_settings
from matchmaker.core.text import Line
from matchmaker.events.service import (
    fit,
    humane,
    mail,
    onsite,
    outcomes,
    planning,
    requests,
    rsvp,
    views,
)
from matchmaker.events.service.events import get_event
from matchmaker.events.service.participants import participant_names
from matchmaker.events.service.views import participant_view
from matchmaker.policy.events import Action, EventAccess

router = APIRouter(
    prefix="/api/v1", tags=["活动参会方 Event participants"], responses=problems.COMMON_RESPONSES
)

Managing = Annotated[EventAccess, Depends(access_to(Action.MANAGE))]
Answering = Annotated[EventAccess, Depends(access_to(Action.RSVP))]
Requesting = Annotated[EventAccess, Depends(access_to(Action.REQUEST))]


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
    q: Annotated[Line, Query(max_length=100, description="名称或编号 name or 编号")] = "",
    kind: Annotated[Line | None, Query(max_length=32, description="机构类型 kind")] = None,
    province: Annotated[Line | None, Query(max_length=32, description="省份 province")] = None,
    themed_only: Annotated[bool, Query(description="只看有本活动行业条目的机构")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """Every organisation, best fit to the event's theme first, with the reasons; already
    invited or participating ones are flagged (the event's organiser team and admins)."""
    with use_cases(session):
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
    with use_cases(session):
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
    with use_cases(session):
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
        with use_cases(session):
            done = mail.send_invitations(session, post, event_id)
        post.transport.close()
    with use_cases(session):
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
    with use_cases(session):
        done = mail.send_invitations(session, post, event_id)
        more = mail.send_reminders(session, post, event_id=event_id)
    post.transport.close()
    done.sent += more.sent
    done.failed += more.failed
    done.errors += more.errors
    with use_cases(session):
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
    with use_cases(session):
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
                body.preferred_slots,
            ),
        )
        view = rsvp.invitation_view(session, row)
    return view


# ---- meeting requests and wishes ---------------------------------------------------------------
def _own(who: EventAccess) -> int:
    """The caller's participant id (the organiser team has none: it sets pair rules instead)."""
    if who.participant_id is None:
        raise Problem(
            403,
            "只有参会方可以发出邀约；组织者请设置配对规则 / only participants make requests; "
            "organisers set pair rules",
        )
    return who.participant_id


@router.get(
    "/events/{event_id}/partners",
    response_model=list[PartnerOut],
    summary="推荐洽谈对象 Recommended partners among the other participants",
)
def list_partners(
    event_id: PathId, session: SessionDep, who: Requesting, scorer: EventScorerDep
) -> list[dict[str, Any]]:
    """The other participants, best fit first, with the topic and reasons, your stance towards
    each and their requests to you (a participant's key)."""
    own = _own(who)
    with use_cases(session):
        event = get_event(session, event_id)
        return [p.as_dict() for p in requests.partners(session, event, own, scorer)]


@router.post(
    "/events/{event_id}/requests",
    response_model=RequestOut,
    status_code=201,
    summary="发出会谈邀约、希望会谈或不感兴趣 Request a meeting, wish, or not interested",
)
def make_request(
    event_id: PathId, body: StanceIn, session: SessionDep, who: Requesting
) -> dict[str, Any]:
    """Replaces your earlier stance towards that participant; a request waits for the other side."""
    own = _own(who)
    with use_cases(session):
        event = get_event(session, event_id)
        row = requests.stance(session, event, own, body.to, body.kind, body.message)
        return requests.request_view(row, participant_names(session, event))


@router.post(
    "/events/{event_id}/requests/{request_id}/answer",
    response_model=RequestOut,
    summary="接受或谢绝会谈邀约 Accept or decline a meeting request",
)
def answer_request(
    event_id: PathId,
    request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: RequestAnswer,
    session: SessionDep,
    who: Requesting,
) -> dict[str, Any]:
    """An accepted request becomes a must-meet pair at the next plan (the addressee only)."""
    own = _own(who)
    with use_cases(session):
        event = get_event(session, event_id)
        row = requests.answer_request(session, event, request_id, own, body.accept)
        return requests.request_view(row, participant_names(session, event))


@router.delete(
    "/events/{event_id}/requests/{to_id}",
    status_code=204,
    summary="撤回邀约或标记 Withdraw a request or mark",
)
def withdraw_request(
    event_id: PathId,
    to_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    who: Requesting,
) -> Response:
    """Take back your request, wish or "not interested" towards that participant."""
    own = _own(who)
    with use_cases(session):
        requests.withdraw(session, get_event(session, event_id), own, to_id)
    return Response(status_code=204)


@router.get(
    "/events/{event_id}/requests",
    response_model=list[RequestOut],
    summary="参会方的邀约与标记 Participants' requests and marks",
)
def list_requests(event_id: PathId, session: SessionDep, who: Managing) -> list[dict[str, Any]]:
    """Every request, wish and "not interested" mark (the event's organiser team and admins)."""
    with use_cases(session):
        event = get_event(session, event_id)
        names = participant_names(session, event)
        return [requests.request_view(r, names) for r in requests.requests_of(session, event)]


# ---- agendas -----------------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/agendas/send",
    response_model=Mailing,
    summary="发送个人日程与变更通知 E-mail agendas and change notices",
)
def send_agendas(
    event_id: PathId, session: SessionDep, who: Managing, post: MailerDep
) -> dict[str, Any]:
    """Each accepted invitee gets its agenda (with .ics) once, then one e-mail per change with
    only what changed for it; nothing is sent twice."""
    with use_cases(session):
        done = mail.send_agendas(session, post, event_id)
    post.transport.close()
    return done.__dict__


# ---- after the event ---------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/outcomes",
    response_model=OutcomeOut,
    summary="记录会谈结果 Record what came of a meeting",
)
def record_outcome(
    event_id: PathId, body: OutcomeIn, session: SessionDep, who: Requesting
) -> dict[str, Any]:
    """After the event, each side rates its meeting with a partner: met, follow-up or not useful
    (a new answer replaces the old one). Feeds the event statistics and the re-ranker."""
    own = _own(who)
    with use_cases(session):
        event = get_event(session, event_id)
        row = outcomes.record_outcome(session, event, own, body.partner, body.outcome, body.note)
        return {
            "partner": row.partner_id,
            "outcome": row.outcome,
            "note": row.note,
            "feedback_id": row.feedback_id,
        }


# ---- humane schedules --------------------------------------------------------------------------
@router.put(
    "/events/{event_id}/schedule-rules",
    response_model=ScheduleRulesOut,
    summary="人性化排程设置 Humane-schedule settings",
)
def set_schedule_rules(
    event_id: PathId, body: ScheduleRulesIn, session: SessionDep, who: Managing
) -> dict[str, Any]:
    """Spread (nobody has more than `max_back_to_back` meetings in a row; a pause such as lunch
    ends a run) or compact; break slots nobody meets in. Applies from the next plan."""
    with use_cases(session):
        rules = humane.set_schedule_rules(
            session,
            event_id,
            placement=body.placement,
            max_back_to_back=body.max_back_to_back,
            breaks=body.breaks,
            requests_deadline=body.requests_deadline,
        )
        deadline = get_event(session, event_id).requests_deadline
    return {**rules.as_dict(), "requests_deadline": deadline}


@router.post(
    "/events/{event_id}/plan/preview",
    response_model=RegeneratePreview,
    summary="预览重新生成的影响 What a full regenerate would change",
)
def preview_regenerate(
    event_id: PathId, session: SessionDep, who: Managing, scorer: EventScorerDep
) -> dict[str, Any]:
    """Plans from scratch without storing: how many meetings would be kept, moved, added and
    removed, and how many participants' agendas would change (ask before regenerating)."""
    with use_cases(session):
        preview = planning.preview_generate(session, event_id, scorer, time_limit=8.0)
        session.rollback()
    return preview


# ---- on the day --------------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/participants/{participant_id}/check-in",
    response_model=ParticipantPublic,
    summary="签到 Check a participant in",
)
def check_in(
    event_id: PathId,
    participant_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    who: Managing,
    undo: Annotated[bool, Query(description="撤销签到 undo a check-in")] = False,
) -> dict[str, Any]:
    """Mark a participant as arrived (the organiser team); a no-show is cancelled instead
    (`POST …/cancel`: a minimal-change re-plan refills its places)."""
    with use_cases(session):
        if undo:
            row = onsite.undo_check_in(session, event_id, participant_id)
        else:
            row = onsite.check_in(session, event_id, participant_id)
        return participant_view(get_event(session, event_id), row)


@router.post(
    "/events/{event_id}/participants/{participant_id}/no-show",
    response_model=PlanSummary | None,
    summary="未到场：释放其桌位并补位 A no-show: free its places and refill them",
)
def no_show(
    event_id: PathId,
    participant_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    caller: CallerDep,
    who: Managing,
    scorer: EventScorerDep,
) -> dict[str, Any] | None:
    """Every other meeting stays exactly where it is (locked); the participant is cancelled and
    its freed places go to pairs that fit around them (null before the first plan)."""
    with use_cases(session):
        outcome = onsite.no_show(
            session, event_id, participant_id, scorer, actor=caller.actor.principal
        )
    return views.outcome_summary(outcome) if outcome is not None else None
