"""The page an enterprise opens (`/`): describe a problem in plain Chinese, filter, read why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.explain import reason_text
from api.pages import engine
from api.pages.feedback import REASON_CODES, FeedbackTarget
from api.pages.forms import text, to_int
from api.pages.session import PageUser
from api.pages.web import Page, PageDep
from api.security.throttle import search_quota
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.taxonomy import INDUSTRIES, resolve_industry
from matchmaker.core.vocab import COOP_MODES, normalise_province
from matchmaker.retrieval import search_feedback
from matchmaker.retrieval.index.filters import Filters
from matchmaker.retrieval.party import own_open_items, route_for
from matchmaker.retrieval.search import SearchRequest, SearchService
from matchmaker.store.models import Organisation, Park

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10
MAX_PAGE = 10
MAX_QUERY = 200
MAX_ID = 2**31 - 1
EXAMPLES: tuple[str, ...] = (
    "镜面不锈钢锅体划痕检测，反光严重误检多",
    "甘蔗渣怎么利用起来，能做成什么材料",
    "动力电池包热失控预警",
    "芒果保鲜期太短，运到东盟容易坏",
    "工厂设备老是突然停机，想提前知道故障",
)


@dataclass
class SearchForm:
    """What the person asked for, read leniently from the query string."""

    q: str = ""
    kind: str = "achievement"
    industry: str | None = None
    park: int | None = None
    region: str | None = None
    trl: int | None = None
    coop: str | None = None
    page: int = 1
    ctx: int | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        """Whether any filter narrows the search."""
        return any(
            v is not None for v in (self.industry, self.park, self.region, self.trl, self.coop)
        )

    def params(self, **changes: Any) -> dict[str, Any]:
        """The non-empty query parameters of this search, with changes applied."""
        values = {
            "q": self.q,
            "kind": self.kind,
            "industry": self.industry,
            "park": self.park,
            "region": self.region,
            "trl": self.trl,
            "coop": self.coop,
            "ctx": self.ctx,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def url(self, **changes: Any) -> str:
        """The URL of this search with some parameters changed (None removes one)."""
        return "/?" + urlencode(self.params(**changes))


def parse_form(params: Mapping[str, Any], park_ids: set[int], provinces: set[str]) -> SearchForm:
    """Read the query string; invalid filter values are dropped and listed in `ignored`."""
    form = SearchForm(q=text(params, "q", MAX_QUERY))
    ignored: list[str] = []
    kind = text(params, "kind", 20)
    if kind in ITEM_KINDS:
        form.kind = kind
    elif kind:
        ignored.append("kind")
    industry = text(params, "industry", 40)
    if industry and resolve_industry(industry):
        form.industry = resolve_industry(industry)
    elif industry:
        ignored.append("industry")
    park = to_int(params.get("park"), 1, MAX_ID) if params.get("park") else None
    if park is not None and park in park_ids:
        form.park = park
    elif params.get("park"):
        ignored.append("park")
    region = text(params, "region", 32)
    if region in ("guangxi", "eastern") or (region and normalise_province(region) in provinces):
        form.region = region if region in ("guangxi", "eastern") else normalise_province(region)
    elif region:
        ignored.append("region")
    if params.get("trl"):
        form.trl = to_int(params.get("trl"), 1, 9)
        if form.trl is None:
            ignored.append("trl")
    coop = text(params, "coop", 20)
    if coop in COOP_MODES:
        form.coop = coop
    elif coop:
        ignored.append("coop")
    form.page = to_int(params.get("page"), 1, MAX_PAGE) or 1
    if params.get("ctx"):
        form.ctx = to_int(params.get("ctx"), 1, MAX_ID)
    form.ignored = ignored
    return form


def build_filters(form: SearchForm) -> Filters:
    """The index filters of the form (TRL: at least, for results; at most asked, for needs)."""
    region = form.region
    trl_min = form.trl if form.kind == "achievement" else None
    trl_max = form.trl if form.kind == "need" else None
    return Filters.build(
        industries=[form.industry] if form.industry else None,
        park_ids=[form.park] if form.park else None,
        provinces=[region] if region and region not in ("guangxi", "eastern") else None,
        eastern=True if region == "eastern" else None,
        guangxi=True if region == "guangxi" else None,
        trl_min=trl_min,
        trl_max=trl_max,
        coop_modes=[form.coop] if form.coop and form.kind != "scenario" else None,
    )


@dataclass
class FeedbackContext:
    """Whose item a 'not relevant' click on this results page is recorded for."""

    track: str | None = None
    source_kind: str | None = None
    options: list[Any] = field(default_factory=list)
    chosen: Any = None
    auto: bool = False  # chosen as the person's item closest to the query, not picked by them
    message_key: str | None = None

    def target(self, kind: str, target_id: int) -> FeedbackTarget | None:
        """The pair a click on one result rejects, when there is a chosen source."""
        if self.chosen is None or self.track is None or self.source_kind is None:
            return None
        return FeedbackTarget(self.track, self.source_kind, self.chosen.id, kind, target_id)


def feedback_context(
    session: Session, user: PageUser | None, form: SearchForm, service: SearchService | None
) -> FeedbackContext:
    """An enterprise's own open items the clicks are recorded for: the one picked in the form,
    else the one closest to the query (anonymous people are asked to log in)."""
    if user is None:
        return FeedbackContext(message_key="search.login_for_feedback")
    route = route_for(form.kind)
    if route is None or user.role != "enterprise" or user.organisation_id is None:
        return FeedbackContext()
    track, source_kind = route
    if service is None:  # starting: the person's items, nothing ranked yet
        options = own_open_items(session, user.organisation_id, source_kind)
        if not options:
            return FeedbackContext(message_key="search.feedback_needs_need")
        picked = next((o for o in options if o.id == form.ctx), options[0])
        return FeedbackContext(track, source_kind, options, picked, auto=picked.id != form.ctx)
    party = service.asking_party(session, user.organisation_id, form.q, form.kind, form.ctx)
    if party is None:
        return FeedbackContext(message_key="search.feedback_needs_need")
    return FeedbackContext(party.track, party.kind, party.options, party.item, auto=party.auto)


@dataclass
class PageResult:
    """One hit as the search page shows it."""

    item: Any
    organisation: Any
    terms: list[str]
    title_html: Markup
    snippet_html: Markup
    reasons: list[str]
    weak: bool = False  # calibrated level 低 (no calibrator: no word in common)
    relevance: float | None = None  # calibrated chance the item is useful
    level: str | None = None  # high / medium / low


def _options(session: Session) -> tuple[list[Park], list[str]]:
    parks = list(session.scalars(select(Park).order_by(Park.id)))
    raw = session.scalars(select(Organisation.province).distinct())
    provinces = sorted({normalise_province(p) for p in raw if p})
    return parks, provinces


def run_search(
    page: Page, form: SearchForm, service: SearchService, party: tuple[str, int] | None
) -> tuple[list[PageResult], bool, bool]:
    """The page of results for the form (one service call), worded, whether a next page exists,
    and whether nothing is a good match."""
    filters = build_filters(form)
    if page.user is not None:  # what this organisation marked not relevant for this query
        hidden = search_feedback.hidden_items(page.db, page.user.organisation_id, form.kind, form.q)
        filters = replace(filters, exclude_ids=filters.exclude_ids | hidden)
    request = SearchRequest(
        query=form.q,
        kind=form.kind,
        filters=filters,
        limit=PAGE_SIZE,
        offset=(form.page - 1) * PAGE_SIZE,
        party=party,
    )
    found = service.search(page.db, request)
    results = [
        PageResult(
            item=r.item,
            organisation=r.explanation.organisation,
            terms=r.explanation.terms,
            title_html=Markup(r.explanation.title_html),
            snippet_html=Markup(r.explanation.snippet_html),
            reasons=[reason_text(x, page.t, page.label) for x in r.explanation.reasons],
            weak=r.weak,
            relevance=r.relevance,
            level=r.level,
        )
        for r in found.items
    ]
    has_next = found.total > form.page * PAGE_SIZE and form.page < MAX_PAGE
    return results, has_next, found.no_good_match


@dataclass
class FeedbackNotice:
    """The 'marked not relevant' line with its undo button."""

    id: int
    title: str
    query: str


def feedback_notice(page: Page, raw: str | None) -> FeedbackNotice | None:
    """The person's own, not yet undone search feedback named in `fb`, else None."""
    from matchmaker.store.models import ITEM_MODELS
    from matchmaker.store.search_feedback import SearchFeedback

    feedback_id = to_int(raw, 1, MAX_ID) if raw else None
    if feedback_id is None or page.user is None:
        return None
    row = page.db.get(SearchFeedback, feedback_id)
    if row is None or row.undone_at is not None or row.actor != page.user.actor:
        return None
    item: Any = page.db.get(ITEM_MODELS[row.kind], row.item_id)
    return FeedbackNotice(row.id, item.title if item is not None else "", row.query)


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(search_quota)])
def search_page(request: Request, page: PageDep) -> HTMLResponse:
    """Search by need: a landing with examples, results with reasons, or a clear empty state."""
    parks, provinces = _options(page.db)
    form = parse_form(request.query_params, {p.id for p in parks}, set(provinces))
    service = engine.search_service(request)
    feedback = feedback_context(page.db, page.user, form, service)
    if feedback.auto:
        form = replace(form, ctx=None)
    context: dict[str, Any] = {
        "form": form,
        "kinds": ITEM_KINDS,
        "industries": INDUSTRIES,
        "parks": parks,
        "provinces": provinces,
        "coop_modes": list(COOP_MODES),
        "examples": EXAMPLES,
        "feedback": feedback,
        "reason_codes": REASON_CODES,
        "results": [],
        "has_next": False,
        "searched": False,
        "unavailable": False,
        "fb_notice": None,
    }
    if not form.q.strip():
        return page.render("search.html", **context)
    if service is None:
        context["unavailable"] = True
        return page.render("search.html", status_code=503, **context)
    party = None
    if feedback.chosen is not None and feedback.source_kind is not None:
        party = (feedback.source_kind, int(feedback.chosen.id))
    context["fb_notice"] = feedback_notice(page, request.query_params.get("fb"))
    results, has_next, no_good_match = run_search(page, form, service, party)
    context.update(
        results=results,
        has_next=has_next,
        no_good_match=no_good_match,
        searched=True,
        all_weak=bool(results) and all(r.weak for r in results),
        start=(form.page - 1) * PAGE_SIZE + 1,
        end=(form.page - 1) * PAGE_SIZE + len(results),
    )
    return page.render("search.html", **context)
