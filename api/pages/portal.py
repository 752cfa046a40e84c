"""The participant's own page, opened from the invitation e-mail's signed link (no account):
answer the invitation, see recommended partners and make meeting requests, wishes and "not
interested" marks, answer requests, and see and download one's agenda (.ics, CSV).

The link acts for the invited organisation at that event only (``invitation_actor``); what it
may see and do is the policy's. A broken, replaced or expired link is a plain error page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import EventScorerDep
from api.pages import portal_strings  # noqa: F401 - registers the page's strings
from api.pages.events import FormRefused, localise, use_case
from api.pages.forms import FormDep, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.config import CHINA, get_settings
from matchmaker.events.models import EventParticipant
from matchmaker.events.participation_models import EventInvitation
from matchmaker.events.service import (
    agenda,
    checkin_link,
    downloads,
    onsite,
    outcomes,
    requests,
    rsvp,
)
from matchmaker.events.service.events import current_plan
from matchmaker.events.service.grid import slot_label
from matchmaker.policy.events import Action, EventAccess, access, invitation_actor

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
STANCES = ("request", "wish", "not_interested")


def _invitation(page: Page, token: str) -> tuple[EventInvitation, EventAccess]:
    """The invitation a link names and what its holder may do at that event."""
    try:
        row = rsvp.invitation_by_token(page.db, get_settings().secret_key, token)
    except rsvp.LinkError as exc:
        raise PageError(exc.status, localise(exc.message, page.lang)) from exc
    who = access(page.db, invitation_actor(row.organisation_id, row.id), row.event)
    return row, who


def _here(token: str) -> str:
    return f"/events/rsvp/{token}"


@router.get("/events/rsvp/{token}", response_class=HTMLResponse)
def portal(token: str, page: PageDep, scorer: EventScorerDep) -> HTMLResponse:
    """The invitee's page: answer, partners and requests, agenda."""
    row, who = _invitation(page, token)
    event = row.event
    partners: list[Any] = []
    rows: list[agenda.AgendaRow] = []
    if who.participant_id is not None and who.allows(Action.REQUEST):
        partners = requests.partners(page.db, event, who.participant_id, scorer)
        if current_plan(page.db, event) is not None:
            rows = agenda.agenda_rows(page.db, event, who.participant_id)
    deadline = (
        event.rsvp_deadline.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
        if event.rsvp_deadline
        else None
    )
    return page.render(
        "portal.html",
        invitation=row,
        event=event,
        token=token,
        deadline=deadline,
        slots=[slot_label(s) for s in event.slots],
        partners=partners,
        agenda=rows,
        participant=who.participant_id is not None and who.allows(Action.REQUEST),
        checked_in=who.participant_id is not None
        and row.participant is not None
        and row.participant.checked_in_at is not None,
        qr=_qr(page, row) if rows else None,
        after=event.date <= dt.datetime.now(CHINA).date(),
        rated=outcomes.outcomes_of(page.db, event, who.participant_id)
        if who.participant_id is not None
        else {},
    )


def _qr(page: Page, row: EventInvitation) -> str | None:
    """The participant's check-in QR code (inline SVG) once it has an agenda."""
    participant = page.db.get(EventParticipant, row.participant_id) if row.participant_id else None
    if participant is None or participant.status != "active":
        return None
    settings = get_settings()
    url = checkin_link.checkin_url(settings.public_url, settings.secret_key, participant)
    return checkin_link.qr_svg(url)


@router.post("/events/rsvp/{token}")
def answer(token: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Accept (with free slots, cap, languages, what we look for) or decline."""
    page.check_csrf(str(form.get("csrf") or ""))
    row, who = _invitation(page, token)
    if not who.allows(Action.RSVP):
        raise PageError(403)
    count = len(row.event.slots)
    ticked = [to_int(v, 1, count) for v in form.getlist("slot")]
    slots = sorted({s - 1 for s in ticked if s is not None}) or None
    liked = [to_int(v, 1, count) for v in form.getlist("prefer")]
    preferred = sorted({s - 1 for s in liked if s is not None}) or None
    cap = to_int(form.get("max_meetings"), 1, count) if form.get("max_meetings") else None
    languages = [x.strip() for x in text(form, "languages", 200).replace("、", ",").split(",")]
    choice = rsvp.Answer(
        accept=form.get("accept") == "yes",
        available_slots=slots,
        max_meetings=cap,
        languages=[x for x in languages if x],
        looking_for=text(form, "looking_for", 1000, multiline=True),
        preferred_slots=preferred,
    )
    try:
        with use_case(page):
            rsvp.respond(page.db, row, choice)
    except FormRefused as exc:
        return page.redirect(_here(token), exc.message, "error")
    return page.redirect(_here(token), page.t("portal.saved"))


@router.post("/events/rsvp/{token}/requests")
def stance(token: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Request, wish, not interested, withdraw; or accept / decline a request made to us."""
    page.check_csrf(str(form.get("csrf") or ""))
    row, who = _invitation(page, token)
    if who.participant_id is None or not who.allows(Action.REQUEST):
        raise PageError(403)
    action = str(form.get("action") or "")
    other = to_int(form.get("to"), 1, MAX_ID)
    asked = to_int(form.get("request_id"), 1, MAX_ID)
    try:
        with use_case(page):
            if action in STANCES and other is not None:
                requests.stance(page.db, row.event, who.participant_id, other, action)
            elif action == "withdraw" and other is not None:
                requests.withdraw(page.db, row.event, who.participant_id, other)
            elif action in ("accept", "decline") and asked is not None:
                requests.answer_request(
                    page.db, row.event, asked, who.participant_id, action == "accept"
                )
            else:
                raise PageError(400)
    except FormRefused as exc:
        return page.redirect(_here(token) + "#partners", exc.message, "error")
    return page.redirect(_here(token) + "#partners", page.t("portal.saved_request"))


@router.post("/events/rsvp/{token}/check-in")
def check_in(token: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """On the day: the participant says it has arrived (its page, opened from the e-mail)."""
    page.check_csrf(str(form.get("csrf") or ""))
    row, who = _invitation(page, token)
    if who.participant_id is None or not who.allows(Action.AGENDA):
        raise PageError(403)
    try:
        with use_case(page):
            onsite.check_in(page.db, row.event_id, who.participant_id)
    except FormRefused as exc:
        return page.redirect(_here(token), exc.message, "error")
    return page.redirect(_here(token) + "#agenda", page.t("portal.checked_in"))


@router.post("/events/rsvp/{token}/outcome")
def outcome(token: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """After the event: met, follow-up or not useful, for one meeting on one's agenda."""
    page.check_csrf(str(form.get("csrf") or ""))
    row, who = _invitation(page, token)
    if who.participant_id is None or not who.allows(Action.REQUEST):
        raise PageError(403)
    partner = to_int(form.get("partner"), 1, MAX_ID)
    choice = str(form.get("outcome") or "")
    if partner is None:
        raise PageError(400)
    try:
        with use_case(page):
            outcomes.record_outcome(page.db, row.event, who.participant_id, partner, choice)
    except FormRefused as exc:
        return page.redirect(_here(token) + "#agenda", exc.message, "error")
    return page.redirect(_here(token) + "#agenda", page.t("portal.outcome_saved"))


@router.get("/events/rsvp/{token}/agenda.{fmt}")
def download(token: str, fmt: str, page: PageDep) -> Response:
    """One's own agenda as an .ics calendar or a CSV table."""
    row, who = _invitation(page, token)
    if fmt not in ("ics", "csv") or who.participant_id is None or not who.allows(Action.AGENDA):
        raise PageError(404)
    try:
        with use_case(page):
            file = downloads.own_file(page.db, row.event, who.participant_id, fmt)
    except FormRefused as exc:
        return page.redirect(_here(token), exc.message, "error")
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
