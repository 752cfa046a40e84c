"""The 双清零 page (policy measure 1): a park's regulated firms without R&D activity or an R&D
institution, each with fitting university and institute achievements and an introduction button;
for park staff (their park), organisers, admins and readers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.explain import reason_text
from api.pages import engine
from api.pages.forms import to_int
from api.pages.park_map import may_introduce
from api.pages.web import PageDep, PageError
from matchmaker.policy.actor import STATS_READ
from matchmaker.stats.rd_zero import rd_zero_report
from matchmaker.store.models import Park

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


@router.get("/parks/{park_id}/rd-zero", response_class=HTMLResponse)
def rd_zero_page(park_id: str, request: Request, page: PageDep) -> HTMLResponse:
    """The park's firms still to clear, with partners, introduction buttons and their progress."""
    number = to_int(park_id, 1, MAX_ID)
    park = page.db.get(Park, number) if number is not None else None
    user = page.permit(STATS_READ)
    if park is None:
        raise PageError(404)
    if not user.as_actor().reads_stats_of(park.id):
        raise PageError(403, page.t("stats.own_park_only"))
    search = engine.search_service(request)
    report = rd_zero_report(page.db, park.id, search)
    reasons = {
        (f.id, p.achievement_id): [reason_text(r, page.t, page.label) for r in p.why]
        for f in report.firms
        for p in f.partners
    }
    return page.render(
        "rd_zero.html",
        nav="stats",
        park=park,
        report=report,
        search_ready=search is not None,
        reasons=reasons,
        may_introduce=may_introduce(user.as_actor(), park.id),
        here=f"/parks/{park.id}/rd-zero",
    )
