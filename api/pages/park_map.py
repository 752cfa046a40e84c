"""The park's innovation map as pages people act on: every chain link is a link to its own page,
with the park's firms in it and the ranked candidates that could fill it; a candidate can be sent
straight into an introduction request (recorded as "contacted" on the east-to-Guangxi track, so it
shows in the funnel) or invited to one of the person's events."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.pages import engine
from api.pages.forms import FormDep, text, to_int
from api.pages.session import safe_next
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.maps.chains import STAGES
from matchmaker.maps.coverage import COVERED, STATUS_ZH, LinkCoverage
from matchmaker.maps.gaps import GROUP_ZH, LEVEL_HELP_ZH, LEVEL_ZH, Candidate
from matchmaker.maps.park_map import ChainMap, ParkMap
from matchmaker.policy.actor import EVENTS_CREATE, Actor
from matchmaker.stats.rd_zero import intro_note
from matchmaker.store.models import Organisation, Park

router = APIRouter(include_in_schema=False)
log = logging.getLogger("matchmaker.pages")
MAX_ID = 2**31 - 1
MAP_TTL = 300.0  # seconds a drawn map is reused
_cache: dict[int, tuple[float, ParkMap]] = {}
_lock = threading.Lock()


def maps_available() -> bool:
    """Whether the innovation-map module is installed in this build."""
    try:
        from matchmaker.maps.park_map import build_park_map  # noqa: F401
        from matchmaker.maps.render import render_svg  # noqa: F401
    except ImportError:
        return False
    return True


def cached_map(session: Session, park_id: int) -> ParkMap:
    """The park's map with candidates, drawn by the maps module and reused for a few minutes."""
    now = time.monotonic()
    with _lock:
        found = _cache.get(park_id)
        if found is not None and now - found[0] < MAP_TTL:
            return found[1]
    from matchmaker.maps.park_map import build_park_map

    drawn = build_park_map(session, park_id)
    with _lock:
        _cache[park_id] = (now, drawn)
    return drawn


def forget_map(park_id: int) -> None:
    """Drop a park's cached map (after something that changes it)."""
    with _lock:
        _cache.pop(park_id, None)


def may_introduce(actor: Actor, park_id: int) -> bool:
    """Who may ask for an introduction on behalf of a park: organisers and admins, and the park's
    own staff."""
    if actor.organises:
        return True
    return actor.role == "park_staff" and actor.park_id == park_id


@dataclass
class LinkView:
    """One link of a chain as the map shows it."""

    coverage: LinkCoverage
    url: str
    candidates: list[Candidate]

    @property
    def top(self) -> Candidate | None:
        """The best candidate that fits well enough (None when none does)."""
        return max(self.candidates, key=lambda c: (c.score, c.match), default=None)


@dataclass
class ChainView:
    """One chain of the park's map: its links by stage and how many are covered, weak, missing."""

    chain_map: ChainMap
    stages: list[tuple[str, str, list[LinkView]]]
    counts: dict[str, int]


def _candidates(chain_map: ChainMap, code: str) -> list[Candidate]:
    groups = chain_map.candidates.get(code, {})
    return [c for items in groups.values() for c in items]


def chain_views(park_map: ParkMap) -> list[ChainView]:
    """The map's chains laid out for the page: stage columns of link cards."""
    out = []
    for chain_map in park_map.chains:
        industry = chain_map.chain.industry
        stages = []
        for stage, (stage_zh, _) in STAGES.items():
            views = [
                LinkView(
                    c,
                    f"/parks/{park_map.park_id}/links/{industry}/{c.link.code}",
                    _candidates(chain_map, c.link.code),
                )
                for c in chain_map.links
                if c.link.stage == stage
            ]
            stages.append((stage, stage_zh, views))
        counts = {s: sum(1 for c in chain_map.links if c.status == s) for s in STATUS_ZH}
        out.append(ChainView(chain_map, stages, counts))
    return out


def map_context(page: Page, park: Park) -> dict[str, Any]:
    """What the park page needs to show the map (or why it cannot)."""
    if not maps_available():
        return {"map_error": page.t("park.map_missing")}
    try:
        drawn = cached_map(page.db, park.id)
    except Exception:  # the map is an extra: the park page must not fail with it
        log.exception("innovation map of park %s failed", park.id)
        return {"map_error": page.t("park.map_missing")}
    return {
        "park_map": drawn,
        "chains": chain_views(drawn),
        "missing": drawn.missing_industries,
        "status_zh": STATUS_ZH,
    }


def _park(page: Page, park_id: str) -> Park:
    number = to_int(park_id, 1, MAX_ID)
    park = page.db.get(Park, number) if number is not None else None
    if park is None:
        raise PageError(404)
    return park


def _upcoming_events(page: Page) -> list[object]:
    user = page.user
    if user is None or not user.as_actor().can(EVENTS_CREATE):
        return []
    from matchmaker.events.service import queries

    today = dt.date.today()
    listing = queries.visible_events(page.db, user.as_actor())
    return [e for e in listing.events if e.date >= today]


@router.get("/parks/{park_id}/links/{industry}/{code}", response_class=HTMLResponse)
def link_page(park_id: str, industry: str, code: str, page: PageDep) -> HTMLResponse:
    """One chain link of a park: what it is, the park's firms in it, and the ranked candidates
    that could fill it, each with its level, reasons and the actions that follow."""
    park = _park(page, park_id)
    if not maps_available():
        raise PageError(404, page.t("park.map_missing"))
    drawn = cached_map(page.db, park.id)
    chain_map = next((m for m in drawn.chains if m.chain.industry == industry), None)
    coverage = None
    if chain_map is not None:
        coverage = next((c for c in chain_map.links if c.link.code == code), None)
    if chain_map is None or coverage is None:
        raise PageError(404)
    groups = chain_map.candidates.get(code, {})
    user = page.user
    return page.render(
        "park_link.html",
        nav="parks",
        park=park,
        chain=chain_map.chain,
        coverage=coverage,
        stage_zh=STAGES[coverage.link.stage][0],
        status_zh=STATUS_ZH,
        groups=[(name, GROUP_ZH[name], items) for name, items in groups.items()],
        covered=coverage.status == COVERED,
        level_zh=LEVEL_ZH,
        level_help=LEVEL_HELP_ZH,
        may_introduce=user is not None and may_introduce(user.as_actor(), park.id),
        events=_upcoming_events(page),
        here=f"/parks/{park.id}/links/{industry}/{code}",
        generated=drawn.generated_china,
    )


def _target(form: Any, page: Page) -> tuple[str, int]:
    kind = text(form, "target_kind", 20)
    target_id = to_int(form.get("target_id"), 1, MAX_ID)
    if kind not in ("achievement", "organisation") or target_id is None:
        raise PageError(400)
    return kind, target_id


@router.post("/parks/{park_id}/introductions")
def request_introduction(park_id: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Ask for an introduction to a candidate on behalf of the park: recorded through the
    recommender as the park's "contacted" on the east-to-Guangxi pair (the funnel counts it)."""
    park = _park(page, park_id)
    user = page.require()
    page.check_csrf(text(form, "csrf", 100))
    back = safe_next(text(form, "next", 2000))
    if not may_introduce(user.as_actor(), park.id):
        raise PageError(403, page.t("map.intro_denied"))
    kind, target_id = _target(form, page)
    link_name = text(form, "link", 60)
    note = f"引荐请求（产业链环节：{link_name}）" if link_name else "引荐请求"
    if form.get("firm"):  # from the 双清零 list: the introduction is for one of the park's firms
        firm = page.db.get(Organisation, to_int(form.get("firm"), 1, MAX_ID) or 0)
        if firm is None or firm.park_id != park.id:
            raise PageError(400)
        note = intro_note(firm.id, firm.name)
    rec = engine.recommender(request)
    if rec is None:
        raise PageError(503, page.t("search.unavailable"))
    try:
        rec.record_feedback(
            page.db,
            EAST_TO_GUANGXI,
            "park",
            park.id,
            kind,
            target_id,
            "contacted",
            note=note,
            actor=user.actor,
        )
        page.db.commit()
    except (LookupError, ValueError) as exc:
        page.db.rollback()
        return page.redirect(back, page.t("map.intro_error", message=str(exc)), "error")
    return page.redirect(back, page.t("map.intro_done"))


@router.post("/parks/{park_id}/invitations")
def invite_candidate(park_id: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Invite a candidate's organisation to one of the person's events (organisers, admins)."""
    from api.pages.events import FormRefused, event_id_of, use_case
    from matchmaker.events.service import invitations

    park = _park(page, park_id)
    page.permit(EVENTS_CREATE)
    page.check_csrf(text(form, "csrf", 100))
    back = safe_next(text(form, "next", 2000))
    organisation_id = to_int(form.get("organisation_id"), 1, MAX_ID)
    if organisation_id is None:
        raise PageError(400)
    event = event_id_of(page, text(form, "event_id", 12))
    try:
        with use_case(page):
            invitations.invite(page.db, event, [organisation_id])
    except FormRefused as exc:
        return page.redirect(back, exc.message, "error")
    log.info("park %s invited organisation %s to event %s", park.id, organisation_id, event)
    return page.redirect(f"/events/{event}", page.t("events.added", n=1))


@router.get("/parks/{park_id}/map.svg")
def park_map_svg(park_id: str, page: PageDep) -> Response:
    """The innovation map as one SVG diagram (public, like the park page)."""
    park = _park(page, park_id)
    if not maps_available():
        raise PageError(404, page.t("park.map_missing"))
    from matchmaker.maps.render import render_svg

    try:
        svg = render_svg(cached_map(page.db, park.id))
    except Exception as exc:  # the map is an extra: the park page must not fail with it
        log.exception("innovation map of park %s failed", park.id)
        raise PageError(503, page.t("park.map_missing")) from exc
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"}
    )
