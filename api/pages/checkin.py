"""QR check-in at the venue: the participant's signed check-in link (its QR code is on the agenda
page and in the agenda e-mail). Opening it shows who checks in and one button; a tampered or
expired link, or a cancelled participation, is a plain error page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import portal_strings  # noqa: F401 - registers the page's strings
from api.pages.events import FormRefused, localise, use_case
from api.pages.forms import FormDep
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.config import get_settings
from matchmaker.events.models import EventParticipant
from matchmaker.events.service import checkin_link, onsite, rsvp
from matchmaker.events.service.participants import participant_names

router = APIRouter(include_in_schema=False)


def _participant(page: Page, token: str) -> EventParticipant:
    """The participant the link names (or the plain error page)."""
    try:
        return checkin_link.participant_by_token(page.db, get_settings().secret_key, token)
    except rsvp.LinkError as exc:
        raise PageError(exc.status, localise(exc.message, page.lang)) from exc


def _page(page: Page, token: str, row: EventParticipant, done: bool = False) -> HTMLResponse:
    names = participant_names(page.db, row.event)
    return page.render(
        "checkin.html",
        event=row.event,
        who=names.get(row.id, ""),
        token=token,
        checked_in=row.checked_in_at is not None,
        just_done=done,
    )


@router.get("/events/checkin/{token}", response_class=HTMLResponse)
def checkin_page(token: str, page: PageDep) -> HTMLResponse:
    """Who is checking in, and the button (opening the link changes nothing by itself)."""
    return _page(page, token, _participant(page, token))


@router.post("/events/checkin/{token}", response_class=HTMLResponse)
def checkin(token: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Check the participant in (again: keeps the first time)."""
    page.check_csrf(str(form.get("csrf") or ""))
    row = _participant(page, token)
    try:
        with use_case(page):
            onsite.check_in(page.db, row.event_id, row.id)
    except FormRefused as exc:
        raise PageError(409, exc.message) from exc
    return _page(page, token, row, done=True)
