"""Park pages: the park list; one park's industries, needs, scenarios, eastern matches, map."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.pages import engine
from api.pages.feedback import REASON_CODES, FeedbackTarget, may_give_feedback
from api.pages.forms import to_int
from api.pages.items import RecView, target_url
from api.pages.park_map import map_context
from api.pages.web import Page, PageDep, PageError
from matchmaker.catalog.listing import park_items, parks_overview
from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.ranking.results import Recommendation
from matchmaker.store.models import Achievement, Organisation, Park

router = APIRouter(include_in_schema=False)
log = logging.getLogger("matchmaker.pages")
MAX_ID = 2**31 - 1
LISTED = 12  # needs and scenarios listed on a park page (all of them, up to ALL, when asked)
ALL = 300
PER_INDUSTRY = 4
POOL = 30  # eastern achievements ranked for a park before grouping by industry
FIRMS = 16


@dataclass
class IndustryGroup:
    """The east-to-Guangxi matches of one leading industry (code None: other industries)."""

    code: str | None
    achievements: list[RecView] = field(default_factory=list)
    firms: list[RecView] = field(default_factory=list)


def group_by_industry(
    industries: list[str],
    recs: Iterable[RecView],
    industries_of: dict[int, list[str]],
    per_group: int = PER_INDUSTRY,
) -> tuple[dict[str, list[RecView]], list[RecView]]:
    """Put each match under the first park industry it belongs to (best first), others apart."""
    groups: dict[str, list[RecView]] = {code: [] for code in industries}
    other: list[RecView] = []
    for view in recs:
        codes = industries_of.get(view.rec.target_id, [])
        home = next((c for c in industries if c in codes), None)
        if home is None:
            if len(other) < per_group:
                other.append(view)
        elif len(groups[home]) < per_group:
            groups[home].append(view)
    return groups, other


def _views(page: Page, park: Park, recs: list[Recommendation]) -> list[RecView]:
    may = may_give_feedback(page.db, page.user, "park", park.id)
    return [
        RecView(
            r,
            target_url(r.target_kind, r.target_id),
            FeedbackTarget(EAST_TO_GUANGXI, "park", park.id, r.target_kind, r.target_id)
            if may
            else None,
            [(e.title, target_url(e.kind, e.id) or "") for e in r.evidence[:2]],
        )
        for r in recs
    ]


def eastern_matches(
    request: Request, page: Page, park: Park
) -> tuple[list[IndustryGroup], str | None]:
    """Eastern achievements and firms for the park, grouped by its leading industries."""
    rec = engine.recommender(request)
    if rec is None:
        return [], page.t("search.unavailable")
    try:
        achievements = rec.recommend_for_park(page.db, park.id, POOL)
        firms = rec.recommend_for_park(page.db, park.id, FIRMS, target_kind="organisation")
    except (LookupError, ValueError) as exc:
        return [], str(exc)
    codes = list(park.industries or [])
    ach_ids = [r.target_id for r in achievements]
    ach_ind = {
        a.id: list(a.industries or [])
        for a in page.db.scalars(select(Achievement).where(Achievement.id.in_(ach_ids or [-1])))
    }
    org_ids = [r.target_id for r in firms]
    org_ind = {
        o.id: list(o.industries or [])
        for o in page.db.scalars(select(Organisation).where(Organisation.id.in_(org_ids or [-1])))
    }
    by_ach, other_ach = group_by_industry(codes, _views(page, park, achievements), ach_ind)
    by_org, other_org = group_by_industry(codes, _views(page, park, firms), org_ind)
    groups = [IndustryGroup(c, by_ach[c], by_org[c]) for c in codes]
    if other_ach or other_org:
        groups.append(IndustryGroup(None, other_ach, other_org))
    return groups, None


def _get_park(page: Page, park_id: str) -> Park:
    number = to_int(park_id, 1, MAX_ID)
    park = page.db.get(Park, number) if number is not None else None
    if park is None:
        raise PageError(404)
    return park


@router.get("/parks", response_class=HTMLResponse)
def parks_page(page: PageDep) -> HTMLResponse:
    """Every park with its leading industries and how many open needs and scenarios it has."""
    parks, counts = parks_overview(page.db)
    return page.render("parks.html", nav="parks", parks=parks, counts=counts)


@router.get("/parks/{park_id}", response_class=HTMLResponse)
def park_page(park_id: str, request: Request, page: PageDep) -> HTMLResponse:
    """One park: leading industries, needs, scenarios, eastern matches and the innovation map."""
    park = _get_park(page, park_id)
    expand = request.query_params.get("all")
    need_total, needs = park_items(page.db, park.id, "need", ALL if expand == "needs" else LISTED)
    scenario_total, scenarios = park_items(
        page.db, park.id, "scenario", ALL if expand == "scenarios" else LISTED
    )
    groups, east_error = eastern_matches(request, page, park)
    return page.render(
        "park.html",
        nav="parks",
        park=park,
        needs=needs,
        need_total=need_total,
        scenarios=scenarios,
        scenario_total=scenario_total,
        groups=groups,
        east_error=east_error,
        reason_codes=REASON_CODES,
        **map_context(page, park),
    )
