"""Organiser pages, part two: generate and re-plan the schedule, see it, lock meetings, export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import EventScorerDep
from api.pages.events import FormRefused, event_id_of, use_case, viewer, viewing
from api.pages.forms import FormDep, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.events.service import downloads, edits, planning, views
from matchmaker.events.service.downloads import EXPORT_TYPES
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.scoring import ItemScorer
from matchmaker.policy.actor import EVENTS_CREATE

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


@router.post("/events/{event_id}/plan")
def plan(
    event_id: str, request: Request, page: PageDep, form: FormDep, scorer: EventScorerDep
) -> Response:
    """Generate (from scratch, keeping locks) or re-plan (fewest changes) and show the schedule."""
    user = page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    again = text(form, "mode", 10) == "replan"
    confirmed = text(form, "confirm", 2) == "1"
    if not again and not confirmed and current_plan(page.db, get_event(page.db, number)):
        return _confirm_regenerate(page, number, scorer)
    try:
        with use_case(page):
            run = planning.replan if again else planning.generate_plan
            outcome = run(page.db, number, scorer, actor=user.actor)
    except FormRefused as exc:
        back = f"/events/{number}/schedule" if again else f"/events/{number}"
        return page.redirect(back, exc.message, "error")
    done = "events.replanned" if again else "events.planned"
    return page.redirect(f"/events/{number}/schedule", page.t(done, version=outcome.plan.version))


def _confirm_regenerate(page: Page, number: int, scorer: ItemScorer) -> Response:
    """A full regenerate replaces the plan: first show how many meetings would move."""
    try:
        with use_case(page):
            preview = planning.preview_generate(page.db, number, scorer)
    except FormRefused as exc:
        return page.redirect(f"/events/{number}", exc.message, "error")
    page.db.rollback()
    return page.render("plan_confirm.html", event_id=number, preview=preview)


@router.get("/events/{event_id}/schedule", response_class=HTMLResponse)
def schedule_page(event_id: str, page: PageDep) -> HTMLResponse:
    """The current plan as a slots × tables grid and per participant (participants: their own,
    without scores)."""
    who = viewer(page)
    number = to_int(event_id, 1, MAX_ID)
    if number is None:
        raise PageError(404)
    with viewing(page):
        shown = views.plan_view(page.db, number, who)
    return page.render(
        "schedule.html",
        nav="events",
        event=shown.event,
        doc=shown.document,
        only=shown.only,
        can_edit=shown.access is not None and shown.access.whole,
        can_export=shown.access is not None and shown.access.whole,
        own_agenda=shown.access is not None and shown.access.participant_id is not None,
    )


@router.post("/events/{event_id}/meetings/{meeting_id}/{action}")
def lock(
    event_id: str, meeting_id: str, action: str, request: Request, page: PageDep, form: FormDep
) -> Response:
    """Lock a meeting where it is (re-plans keep it) or unlock it."""
    page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    mid = to_int(meeting_id, 1, MAX_ID)
    if mid is None or action not in ("lock", "unlock"):
        raise PageError(404)
    back = f"/events/{number}/schedule#meeting-{mid}"
    try:
        with use_case(page):
            edits.set_locked(page.db, number, mid, action == "lock")
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.saved"))


@router.get("/events/{event_id}/export/{fmt}")
def export(event_id: str, fmt: str, page: PageDep) -> Response:
    """Download the current plan: CSV or Excel meeting lists, or printable HTML agendas (the
    organiser team); a participant downloads its own agenda (CSV, Excel, HTML or .ics)."""
    page.require()
    number = to_int(event_id, 1, MAX_ID)
    if number is None or fmt not in EXPORT_TYPES:
        raise PageError(404)
    try:
        with use_case(page):
            file = downloads.plan_file(page.db, number, fmt, viewer(page))
    except FormRefused as exc:
        return page.redirect(f"/events/{number}/schedule", exc.message, "error")
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{file.filename}"'},
    )
