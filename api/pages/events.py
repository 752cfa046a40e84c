"""Organiser pages, part one: list and create events, invite participants, set pair rules.

Every change goes through `matchmaker.events.service` (the same use cases as the events API);
its refusals come back to the form as a message, never as a bare error page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import event_scorer
from api.pages.forms import read_form, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.events import service
from matchmaker.events.models import Event
from matchmaker.events.service.scoring import TRACK_NAMES
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
ORGANISERS = ("admin", "organiser")
MORNING = "上午场"
AFTERNOON = "下午场"


class FormRefused(Exception):
    """A use case refused the form: the message goes back to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def localise(message: str, lang: str) -> str:
    """Service messages read '中文 / English': keep the person's half of each line."""
    lines = []
    for line in message.splitlines():
        zh, sep, en = line.partition(" / ")
        lines.append((en if lang == "en" else zh) if sep else line)
    return "\n".join(lines)


@contextmanager
def use_case(page: Page) -> Iterator[None]:
    """Commit on success; on a refusal roll back and raise FormRefused (404 stays a 404)."""
    try:
        yield
        page.db.commit()
    except service.NotFound as exc:
        page.db.rollback()
        raise PageError(404, localise(exc.message, page.lang)) from exc
    except service.EventError as exc:
        page.db.rollback()
        raise FormRefused(localise(exc.message, page.lang)) from exc
    except IntegrityError as exc:
        page.db.rollback()
        raise FormRefused(page.t("error.409")) from exc


def get_event(page: Page, event_id: str) -> Event:
    """The event of a URL, or a 404 page."""
    number = to_int(event_id, 1, MAX_ID)
    event = page.db.get(Event, number) if number is not None else None
    if event is None:
        raise PageError(404)
    return event


def own_participant_id(page: Page, event: Event) -> int | None:
    """For an enterprise key: its organisation's participant id at this event (None if absent)."""
    user = page.user
    if user is None or user.organisation_id is None:
        return None
    row = service.participant_of_organisation(page.db, event, user.organisation_id)
    return row.id if row is not None else None


def invitable(session: Session, event: Event) -> list[Organisation]:
    """Organisations not yet at the event that bring an open item in the event's industries."""
    taken = {p.organisation_id for p in event.participants}
    owners: set[int] = set()
    for model, column in ((Need, Need.enterprise_id), (Achievement, Achievement.owner_id)):
        for owner_id, industries in session.execute(
            select(column, model.industries).where(model.status == "active")
        ):
            if not event.industries or set(industries or ()) & set(event.industries):
                owners.add(int(owner_id))
    for scenario_owner, industries in session.execute(
        select(Scenario.owner_id, Scenario.industries).where(
            Scenario.status == "active", Scenario.owner_id.is_not(None)
        )
    ):
        themed = not event.industries or set(industries or ()) & set(event.industries)
        if themed and scenario_owner is not None:
            owners.add(int(scenario_owner))
    wanted = sorted(owners - taken)
    if not wanted:
        return []
    rows = session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(wanted))
        .order_by(Organisation.kind, Organisation.name)
    )
    return list(rows)


# ---- list and create ---------------------------------------------------------------------------
@router.get("/events", response_class=HTMLResponse)
def events_page(page: PageDep) -> HTMLResponse:
    """The events the person may see: all for staff, their own for an enterprise."""
    user = page.require()
    org = user.organisation_id if user.role == "enterprise" else None
    events: list[Event] = []
    total = 0
    if user.role != "enterprise" or org is not None:
        total, events = service.list_events(page.db, organisation_id=org, limit=100)
    plans = {e.id: service.current_plan(page.db, e) for e in events}
    return page.render("events.html", nav="events", events=events, plans=plans, total=total)


def _form_defaults() -> dict[str, Any]:
    return {
        "name": "",
        "date": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
        "park_id": "",
        "venue": "",
        "description": "",
        "tracks": [],
        "industries": [],
        "am_start": "09:00",
        "am_end": "11:40",
        "pm_start": "14:00",
        "pm_end": "16:00",
        "slot_minutes": "20",
        "tables": "8",
        "default_max_meetings": "6",
        "min_meetings": "1",
        "small_min_meetings": "2",
    }


def _render_new(page: Page, values: dict[str, Any], error: str | None = None) -> HTMLResponse:
    parks = list(page.db.scalars(select(Park).order_by(Park.id)))
    return page.render(
        "event_new.html",
        status_code=422 if error else 200,
        nav="events",
        values=values,
        error=error,
        parks=parks,
        tracks=list(TRACK_NAMES),
        industries=INDUSTRIES,
    )


@router.get("/events/new", response_class=HTMLResponse)
def new_event_page(page: PageDep) -> HTMLResponse:
    """The form that creates an event: name, date, park, theme and the slot grid."""
    page.require(*ORGANISERS)
    return _render_new(page, _form_defaults())


def _count(values: dict[str, Any], name: str, low: int, high: int) -> int:
    number = to_int(values.get(name), low, high)
    if number is None:
        raise service.Invalid(f"{name}: {low}–{high}", name)
    return number


def event_spec(values: dict[str, Any]) -> service.EventSpec:
    """The service's event spec from the form (the grid cut into slots per session)."""
    try:
        date = dt.date.fromisoformat(str(values.get("date")))
    except ValueError as exc:
        raise service.Invalid("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD", "date") from exc
    minutes = _count(values, "slot_minutes", 5, 240)
    slots = service.session_slots(MORNING, values["am_start"], values["am_end"], minutes)
    if values.get("pm_start") and values.get("pm_end"):
        slots += service.session_slots(AFTERNOON, values["pm_start"], values["pm_end"], minutes)
    tables = _count(values, "tables", 1, service.MAX_TABLES)
    park = to_int(values.get("park_id"), 1, MAX_ID) if values.get("park_id") else None
    return service.EventSpec(
        name=str(values.get("name") or ""),
        date=date,
        slots=slots,
        tables=[str(i + 1) for i in range(tables)],
        park_id=park,
        venue=str(values.get("venue") or ""),
        description=str(values.get("description") or ""),
        tracks=list(values.get("tracks") or []),
        industries=list(values.get("industries") or []),
        default_max_meetings=_count(values, "default_max_meetings", 0, service.MAX_SLOTS),
        min_meetings=_count(values, "min_meetings", 0, service.MAX_SLOTS),
        small_min_meetings=_count(values, "small_min_meetings", 0, service.MAX_SLOTS),
    )


@router.post("/events", response_class=HTMLResponse)
async def create_event(request: Request, page: PageDep) -> Response:
    """Create the event and go to it; a refused form comes back with the values kept."""
    user = page.require(*ORGANISERS)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    values: dict[str, Any] = {k: text(form, k, 5000) for k in _form_defaults()}
    values["tracks"] = [v for v in form.getlist("tracks") if isinstance(v, str)]
    values["industries"] = [v for v in form.getlist("industries") if isinstance(v, str)]
    try:
        with use_case(page):
            event = service.create_event(page.db, event_spec(values), actor=user.actor)
    except FormRefused as exc:
        return _render_new(page, values, exc.message)
    return page.redirect(f"/events/{event.id}", page.t("events.created"))


# ---- one event: participants and rules ---------------------------------------------------------
@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: str, page: PageDep) -> HTMLResponse:
    """The event's set-up: participants, invitations, pair rules and the plan's state."""
    user = page.require()
    event = get_event(page, event_id)
    own = own_participant_id(page, event)
    if user.role == "enterprise" and own is None:
        raise PageError(403, page.t("events.not_participant"))
    names = service.participant_names(page.db, event)
    taken = {p.organisation_id for p in event.participants}
    candidates = invitable(page.db, event) if user.organises else []
    others: list[Organisation] = []
    if user.organises:
        others = list(
            page.db.scalars(
                select(Organisation)
                .where(Organisation.id.not_in(taken or {-1}))
                .order_by(Organisation.kind, Organisation.name)
            )
        )
    return page.render(
        "event.html",
        nav="events",
        event=event,
        names=names,
        participants=event.participants,
        rules=service.pair_rules(page.db, event),
        plan=service.current_plan(page.db, event),
        candidates=candidates,
        others=others,
        track_names=TRACK_NAMES,
    )


@router.post("/events/{event_id}/participants")
async def add_participants(event_id: str, request: Request, page: PageDep) -> Response:
    """Invite one organisation (the select) or several (the checkboxes) with default items."""
    page.require(*ORGANISERS)
    event = get_event(page, event_id)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    chosen = [to_int(v, 1, MAX_ID) for v in form.getlist("organisation_id") if v]
    ids = [i for i in dict.fromkeys(chosen) if i is not None]
    back = f"/events/{event.id}"
    if not ids:
        return page.redirect(back, page.t("events.choose"), "error")
    try:
        with use_case(page):
            for org_id in ids:
                service.add_participant(page.db, event.id, org_id)
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.added", n=len(ids)))


@router.post("/events/{event_id}/participants/{participant_id}/{action}")
async def change_participant(
    event_id: str, participant_id: str, action: str, request: Request, page: PageDep
) -> Response:
    """Cancel a participant (its meetings are re-planned) or remove one no plan mentions."""
    user = page.require(*ORGANISERS)
    event = get_event(page, event_id)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    pid = to_int(participant_id, 1, MAX_ID)
    if pid is None or action not in ("cancel", "remove"):
        raise PageError(404)
    back = f"/events/{event.id}"
    try:
        with use_case(page):
            if action == "cancel":
                service.cancel_participant(
                    page.db, event.id, pid, event_scorer(request), actor=user.actor
                )
            else:
                service.remove_participant(page.db, event.id, pid)
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.saved"))


@router.post("/events/{event_id}/rules")
async def add_rule(event_id: str, request: Request, page: PageDep) -> Response:
    """Add a must-meet or never-meet rule between two participants."""
    page.require(*ORGANISERS)
    event = get_event(page, event_id)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    a = to_int(form.get("a"), 1, MAX_ID)
    b = to_int(form.get("b"), 1, MAX_ID)
    back = f"/events/{event.id}#rules"
    if a is None or b is None:
        return page.redirect(back, page.t("events.choose"), "error")
    try:
        with use_case(page):
            service.add_pair_rule(page.db, event.id, a, b, text(form, "rule", 8))
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.saved"))


@router.post("/events/{event_id}/rules/{rule_id}/delete")
async def delete_rule(event_id: str, rule_id: str, request: Request, page: PageDep) -> Response:
    """Delete one pair rule."""
    page.require(*ORGANISERS)
    event = get_event(page, event_id)
    form = await read_form(request)
    page.check_csrf(text(form, "csrf", 100))
    rid = to_int(rule_id, 1, MAX_ID)
    if rid is None:
        raise PageError(404)
    try:
        with use_case(page):
            service.remove_pair_rule(page.db, event.id, rid)
    except FormRefused as exc:
        return page.redirect(f"/events/{event.id}#rules", exc.message, "error")
    return page.redirect(f"/events/{event.id}#rules", page.t("events.saved"))
