"""Organiser pages, part two: generate and re-plan the schedule, see it, lock meetings, export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import event_scorer
from api.pages.events import ORGANISERS, FormRefused, get_event, own_participant_id, use_case
from api.pages.forms import read_form, text, to_int
from api.pages.web import PageDep, PageError
from matchmaker.events import service

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
FULL_READERS = ("admin", "organiser", "reader")


@router.post("/events/{event_id}/plan")
async def plan(event_id: str, request: Request, page: PageDep) -> Response:
    """Generate (from scratch, keeping locks) or re-plan (fewest changes) and show the schedule."""
    user = page.require(*ORGANISERS)
    event = get_event(page, event_id)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    again = text(form, "mode", 10) == "replan"
    try:
        with use_case(page):
            run = service.replan if again else service.generate_plan
            outcome = run(page.db, event.id, event_scorer(request), actor=user.actor)
    except FormRefused as exc:
        back = f"/events/{event.id}/schedule" if again else f"/events/{event.id}"
        return page.redirect(back, exc.message, "error")
    done = "events.replanned" if again else "events.planned"
    return page.redirect(f"/events/{event.id}/schedule", page.t(done, version=outcome.plan.version))


@router.get("/events/{event_id}/schedule", response_class=HTMLResponse)
def schedule_page(event_id: str, page: PageDep) -> HTMLResponse:
    """The current plan as a slots × tables grid and per participant (enterprises: their own)."""
    user = page.require()
    event = get_event(page, event_id)
    only = None
    if user.role not in FULL_READERS:
        only = own_participant_id(page, event)
        if only is None:
            raise PageError(403, page.t("events.not_participant"))
    current = service.current_plan(page.db, event)
    document = service.plan_document(page.db, event, current, only=only) if current else None
    return page.render(
        "schedule.html",
        nav="events",
        event=event,
        doc=document,
        only=only,
        can_edit=user.organises,
        can_export=user.role in FULL_READERS,
    )


@router.post("/events/{event_id}/meetings/{meeting_id}/{action}")
async def lock(
    event_id: str, meeting_id: str, action: str, request: Request, page: PageDep
) -> Response:
    """Lock a meeting where it is (re-plans keep it) or unlock it."""
    page.require(*ORGANISERS)
    event = get_event(page, event_id)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    mid = to_int(meeting_id, 1, MAX_ID)
    if mid is None or action not in ("lock", "unlock"):
        raise PageError(404)
    back = f"/events/{event.id}/schedule#meeting-{mid}"
    try:
        with use_case(page):
            service.set_locked(page.db, event.id, mid, action == "lock")
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.saved"))


@router.get("/events/{event_id}/export/{fmt}")
def export(event_id: str, fmt: str, page: PageDep) -> Response:
    """Download the current plan: CSV or Excel meeting lists, or printable HTML agendas."""
    page.require(*FULL_READERS)
    event = get_event(page, event_id)
    if fmt not in service.EXPORT_TYPES:
        raise PageError(404)
    try:
        with use_case(page):
            file = service.export_file(page.db, event.id, fmt)
    except FormRefused as exc:
        return page.redirect(f"/events/{event.id}/schedule", exc.message, "error")
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{file.filename}"'},
    )
