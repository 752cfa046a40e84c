"""Organiser pages, part one: list and create events, invite participants, set pair rules.

Every decision is made in `matchmaker.events.service` (the same use cases as the events API): each
handler reads the form, makes one service call and renders; refusals come back to the form as a
message, never as a bare error page.
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

from api.deps import EventScorerDep
from api.pages.forms import FormDep, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.config import get_settings
from matchmaker.core.kinds import TRACK_NAMES
from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.events.service import (
    events,
    fit,
    invitations,
    mail,
    participants,
    planning,
    queries,
    rsvp,
    rules,
)
from matchmaker.events.service.access import authorise
from matchmaker.events.service.errors import EventError, Forbidden, Invalid, NotFound
from matchmaker.events.service.events import (
    DEFAULT_MAX_MEETINGS,
    DEFAULT_MIN_MEETINGS,
    DEFAULT_SMALL_MIN_MEETINGS,
    EventSpec,
)
from matchmaker.events.service.grid import MAX_SLOTS, MAX_TABLES, SessionSpec
from matchmaker.policy.actor import EVENTS_CREATE, Actor
from matchmaker.policy.events import Action
from matchmaker.store.models import Park

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
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


def _refused_view(page: Page, exc: NotFound | Forbidden) -> PageError:
    if isinstance(exc, NotFound):
        return PageError(404, localise(exc.message, page.lang))
    return PageError(403, localise(exc.message, page.lang))


@contextmanager
def viewing(page: Page) -> Iterator[None]:
    """A read: the service's NotFound is a 404 page, Forbidden a 403 page."""
    try:
        yield
    except (NotFound, Forbidden) as exc:
        raise _refused_view(page, exc) from exc


@contextmanager
def use_case(page: Page) -> Iterator[None]:
    """Commit on success; on a refusal roll back and raise FormRefused (404 stays a 404)."""
    try:
        yield
        page.db.commit()
    except (NotFound, Forbidden) as exc:
        page.db.rollback()
        raise _refused_view(page, exc) from exc
    except EventError as exc:
        page.db.rollback()
        raise FormRefused(localise(exc.message, page.lang)) from exc
    except IntegrityError as exc:
        page.db.rollback()
        raise FormRefused(page.t("error.409")) from exc


def event_id_of(page: Page, event_id: str) -> int:
    """The id of an event from a URL that the signed-in person manages (its organiser team or an
    admin, by the policy); a 404 page for events they may not see, 403 for ones they only attend."""
    number = to_int(event_id, 1, MAX_ID)
    if number is None:
        raise PageError(404)
    who = viewer(page)
    with viewing(page):
        event, _ = authorise(page.db, who, number, Action.MANAGE)
        return event.id


def viewer(page: Page) -> Actor:
    """The signed-in person as the policy knows callers (role, organisation, principal)."""
    return page.require().as_actor()


# ---- list and create ---------------------------------------------------------------------------
@router.get("/events", response_class=HTMLResponse)
def events_page(page: PageDep) -> HTMLResponse:
    """The events the person may see (policy): their team's, those their organisation attends,
    all for admins."""
    listing = queries.visible_events(page.db, viewer(page))
    return page.render(
        "events.html",
        nav="events",
        events=listing.events,
        plans=listing.plans,
        total=listing.total,
    )


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
        "default_max_meetings": str(DEFAULT_MAX_MEETINGS),
        "min_meetings": str(DEFAULT_MIN_MEETINGS),
        "small_min_meetings": str(DEFAULT_SMALL_MIN_MEETINGS),
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
    page.permit(EVENTS_CREATE)
    return _render_new(page, _form_defaults())


def _count(values: dict[str, Any], name: str, low: int, high: int) -> int:
    number = to_int(values.get(name), low, high)
    if number is None:
        raise Invalid(f"{name}: {low}–{high}", name)
    return number


def event_spec(values: dict[str, Any]) -> EventSpec:
    """The service's event spec from the form: a morning and an optional afternoon session."""
    try:
        date = dt.date.fromisoformat(str(values.get("date")))
    except ValueError as exc:
        raise Invalid("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD", "date") from exc
    minutes = _count(values, "slot_minutes", 5, 240)
    sessions = [SessionSpec(MORNING, values["am_start"], values["am_end"], minutes)]
    if values.get("pm_start") and values.get("pm_end"):
        sessions.append(SessionSpec(AFTERNOON, values["pm_start"], values["pm_end"], minutes))
    park = to_int(values.get("park_id"), 1, MAX_ID) if values.get("park_id") else None
    return EventSpec(
        name=str(values.get("name") or ""),
        date=date,
        sessions=sessions,
        table_count=_count(values, "tables", 1, MAX_TABLES),
        park_id=park,
        venue=str(values.get("venue") or ""),
        description=str(values.get("description") or ""),
        tracks=list(values.get("tracks") or []),
        industries=list(values.get("industries") or []),
        default_max_meetings=_count(values, "default_max_meetings", 0, MAX_SLOTS),
        min_meetings=_count(values, "min_meetings", 0, MAX_SLOTS),
        small_min_meetings=_count(values, "small_min_meetings", 0, MAX_SLOTS),
    )


@router.post("/events", response_class=HTMLResponse)
def create_event(request: Request, page: PageDep, form: FormDep) -> Response:
    """Create the event and go to it; a refused form comes back with the values kept."""
    user = page.permit(EVENTS_CREATE)
    page.check_csrf(text(form, "csrf", 100))
    values: dict[str, Any] = {
        k: text(form, k, 5000, multiline=k == "description") for k in _form_defaults()
    }
    values["tracks"] = [v for v in form.getlist("tracks") if isinstance(v, str)]
    values["industries"] = [v for v in form.getlist("industries") if isinstance(v, str)]
    try:
        with use_case(page):
            event = events.create_event(
                page.db, event_spec(values), actor=user.actor, organiser=user.as_actor().principal
            )
    except FormRefused as exc:
        return _render_new(page, values, exc.message)
    return page.redirect(f"/events/{event.id}", page.t("events.created"))


# ---- one event: participants and rules ---------------------------------------------------------
@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: str, page: PageDep) -> HTMLResponse:
    """The event's set-up: participants, invitations, pair rules and the plan's state."""
    who = viewer(page)
    number = to_int(event_id, 1, MAX_ID)
    if number is None:
        raise PageError(404)
    with viewing(page):
        setup = queries.event_setup(page.db, number, who)
    invited: dict[str, Any] = {}
    if setup.access.whole:  # the organiser team: RSVP status at a glance, whom to invite next
        rows = rsvp.invitations(page.db, number)
        _, ranked = fit.ranked_candidates(page.db, setup.event, limit=200)
        invited = {
            "summary": rsvp.rsvp_summary(page.db, number),
            "rows": [rsvp.invitation_view(page.db, r) for r in rows],
            "ranked": [c for c in ranked if not c.invited and not c.participant][:30],
        }
    return page.render(
        "event.html",
        invited=invited,
        nav="events",
        event=setup.event,
        names=setup.names,
        participants=setup.participants,
        rules=setup.rules,
        plan=setup.plan,
        manage=setup.access.whole,
        candidates=setup.candidates,
        others=setup.others,
        track_names=TRACK_NAMES,
    )


@router.post("/events/{event_id}/invitations")
def invite_by_email(event_id: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Invite one organisation at an e-mail address and send its signed answer link."""
    page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    org = to_int(form.get("organisation_id"), 1, MAX_ID)
    back = f"/events/{number}#invitations"
    if org is None:
        return page.redirect(back, page.t("events.choose"), "error")
    invitee = rsvp.Invitee(org, text(form, "email", 254), text(form, "contact_name", 100))
    try:
        with use_case(page):
            rsvp.invite_organisations(page.db, number, [invitee], viewer(page).principal)
        with use_case(page):
            post = mail.Mailer.smtp(get_settings())
            done = mail.send_invitations(page.db, post, number)
            post.transport.close()
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    level = "ok" if not done.failed else "error"
    return page.redirect(back, page.t("events.invited", sent=done.sent, failed=done.failed), level)


@router.post("/events/{event_id}/participants")
def add_participants(event_id: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Invite one organisation (the select) or several (the checkboxes) with default items."""
    page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    chosen = [to_int(v, 1, MAX_ID) for v in form.getlist("organisation_id") if v]
    ids = [i for i in dict.fromkeys(chosen) if i is not None]
    back = f"/events/{number}"
    if not ids:
        return page.redirect(back, page.t("events.choose"), "error")
    try:
        with use_case(page):
            invitations.invite(page.db, number, ids)
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.added", n=len(ids)))


@router.post("/events/{event_id}/participants/{participant_id}/{action}")
def change_participant(
    event_id: str,
    participant_id: str,
    action: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    scorer: EventScorerDep,
) -> Response:
    """Cancel a participant (its meetings are re-planned) or remove one no plan mentions."""
    user = page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    pid = to_int(participant_id, 1, MAX_ID)
    if pid is None or action not in ("cancel", "remove"):
        raise PageError(404)
    back = f"/events/{number}"
    try:
        with use_case(page):
            if action == "cancel":
                planning.cancel_participant(page.db, number, pid, scorer, actor=user.actor)
            else:
                participants.remove_participant(page.db, number, pid)
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.saved"))


@router.post("/events/{event_id}/rules")
def add_rule(event_id: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Add a must-meet or never-meet rule between two participants."""
    page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    a = to_int(form.get("a"), 1, MAX_ID)
    b = to_int(form.get("b"), 1, MAX_ID)
    back = f"/events/{number}#rules"
    if a is None or b is None:
        return page.redirect(back, page.t("events.choose"), "error")
    try:
        with use_case(page):
            rules.add_pair_rule(page.db, number, a, b, text(form, "rule", 8))
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    return page.redirect(back, page.t("events.saved"))


@router.post("/events/{event_id}/rules/{rule_id}/delete")
def delete_rule(
    event_id: str, rule_id: str, request: Request, page: PageDep, form: FormDep
) -> Response:
    """Delete one pair rule."""
    page.permit(EVENTS_CREATE)
    number = event_id_of(page, event_id)
    page.check_csrf(text(form, "csrf", 100))
    rid = to_int(rule_id, 1, MAX_ID)
    if rid is None:
        raise PageError(404)
    try:
        with use_case(page):
            rules.remove_pair_rule(page.db, number, rid)
    except FormRefused as exc:
        return page.redirect(f"/events/{number}#rules", exc.message, "error")
    return page.redirect(f"/events/{number}#rules", page.t("events.saved"))
