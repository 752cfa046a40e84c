"""Statistics pages for park staff (their park) and admins, organisers and readers (every park,
compared): the funnel by track, industry and period, items and freshness, events and digests,
each chart drawn as SVG on the server with the numbers behind it, and the XLSX report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from api.pages.charts import Series, bar_chart, grouped_chart
from api.pages.forms import to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.policy.actor import STATS_READ
from matchmaker.ranking.tracks import TRACKS
from matchmaker.stats.funnel import STAGES, Funnel
from matchmaker.stats.periods import CHINA, BadPeriod, Period, current_quarter, parse_period
from matchmaker.stats.report import ParkReport, build_report
from matchmaker.store.models import Park

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Figure:
    """One chart and the table of numbers it is drawn from."""

    key: str
    title: str
    chart: Markup
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class PeriodChoice:
    """The period shown, the one asked for when it was wrong, and quick links to others."""

    period: Period
    error: str | None = None
    shortcuts: list[tuple[str, str]] = field(default_factory=list)


def china_time(moment: dt.datetime) -> str:
    """An instant as Beijing wall-clock time (the statistics' calendar)."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _shortcuts(now: dt.datetime) -> list[tuple[str, str]]:
    day = now.astimezone(CHINA).date()
    quarter = (day.month - 1) // 3 + 1
    prev_q = f"{day.year - 1}Q4" if quarter == 1 else f"{day.year}Q{quarter - 1}"
    prev_m = f"{day.year - 1}-12" if day.month == 1 else f"{day.year}-{day.month - 1:02d}"
    return [
        (f"{day.year}Q{quarter}", "stats.this_quarter"),
        (prev_q, "stats.last_quarter"),
        (f"{day.year}-{day.month:02d}", "stats.this_month"),
        (prev_m, "stats.last_month"),
        (str(day.year), "stats.this_year"),
    ]


def choose_period(request: Request) -> PeriodChoice:
    """The period from `?period=` (year, quarter or month, China calendar); the current quarter
    when it is missing or wrong (then the page says so)."""
    now = dt.datetime.now(dt.UTC)
    text = (request.query_params.get("period") or "").strip()[:16]
    choice = PeriodChoice(current_quarter(now), shortcuts=_shortcuts(now))
    if text:
        try:
            choice.period = parse_period(text)
        except BadPeriod as exc:
            choice.error = str(exc)
    return choice


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _funnel_rows(page: Page, items: dict[str, Funnel], name: Any) -> list[list[Any]]:
    return [
        [name(k), *(f.counts[s] for s in STAGES), _rate(f.rate("signed"))]
        for k, f in sorted(items.items())
    ]


def _stage_names(page: Page) -> list[str]:
    return [page.t(f"stats.stage.{s}") for s in STAGES]


def _grouped_funnel(page: Page, title: str, items: dict[str, Funnel], name: Any) -> Markup:
    keys = sorted(items)
    series = [
        Series(page.t(f"stats.stage.{s}"), [items[k].counts[s] for k in keys]) for s in STAGES
    ]
    return grouped_chart(title, [name(k) for k in keys], series)


def report_figures(page: Page, report: ParkReport) -> list[Figure]:
    """The page's charts, each with its numbers: funnel, by track, by industry, items, events."""
    t = page.t
    stages = _stage_names(page)
    total = report.funnel.total
    figures: list[Figure] = []
    rates = [""] + [_rate(total.rate(s)) for s in STAGES[1:]]
    figures.append(
        Figure(
            "funnel",
            t("stats.funnel"),
            bar_chart(
                t("stats.funnel"),
                [(stages[i], total.counts[s]) for i, s in enumerate(STAGES)],
                rates,
            ),
            [t("stats.stage"), t("stats.pairs"), t("stats.share")],
            [[stages[i], total.counts[s], rates[i] or "100%"] for i, s in enumerate(STAGES)],
            t("stats.funnel_note", accepted=total.accepted, rejected=total.rejected),
        )
    )

    def track_name(code: str) -> str:
        return page.label["track"](code) if code in TRACKS else code

    for key, items, name in (
        ("by-track", report.funnel.by_track, track_name),
        ("by-industry", report.funnel.by_industry, page.label["industry"]),
    ):
        title = t(f"stats.{key.replace('-', '_')}")
        figures.append(
            Figure(
                key,
                title,
                _grouped_funnel(page, title, items, name),
                [t("stats.category"), *stages, t("stats.signed_rate")],
                _funnel_rows(page, items, name),
                "" if items else t("stats.no_pairs"),
            )
        )
    inv = report.inventory
    kinds = [k for k in ITEM_KINDS if k in inv.items]
    title = t("stats.inventory")
    figures.append(
        Figure(
            "inventory",
            title,
            grouped_chart(
                title,
                [page.label["kind"](k) for k in kinds],
                [
                    Series(t("stats.total"), [inv.items[k].total for k in kinds]),
                    Series(t("stats.active"), [inv.items[k].active for k in kinds]),
                    Series(
                        t("stats.fresh", days=inv.fresh_days), [inv.items[k].fresh for k in kinds]
                    ),
                    Series(t("stats.new"), [inv.items[k].new_in_period for k in kinds]),
                ],
            ),
            [
                t("stats.kind"),
                t("stats.total"),
                t("stats.active"),
                t("stats.new"),
                t("stats.updated"),
                t("stats.fresh", days=inv.fresh_days),
                t("stats.fresh_share"),
                t("stats.median_age"),
            ],
            [
                [
                    page.label["kind"](k),
                    inv.items[k].total,
                    inv.items[k].active,
                    inv.items[k].new_in_period,
                    inv.items[k].updated_in_period,
                    inv.items[k].fresh,
                    _rate(inv.items[k].fresh_share),
                    "—" if inv.items[k].median_age_days is None else inv.items[k].median_age_days,
                ]
                for k in kinds
            ],
            t(
                "stats.orgs",
                text="、".join(
                    f"{page.label['org_kind'](k)} {n}" for k, n in sorted(inv.organisations.items())
                )
                or "—",
            ),
        )
    )
    by_industry = sorted(inv.by_industry.items())
    if by_industry:
        title = t("stats.inventory_industry")
        figures.append(
            Figure(
                "inventory-industry",
                title,
                grouped_chart(
                    title,
                    [page.label["industry"](c) for c, _ in by_industry],
                    [
                        Series(page.label["kind"](k), [row.get(k, 0) for _, row in by_industry])
                        for k in kinds
                    ],
                ),
                [t("stats.category"), *(page.label["kind"](k) for k in kinds)],
                [
                    [page.label["industry"](c), *(row.get(k, 0) for k in kinds)]
                    for c, row in by_industry
                ],
            )
        )
    ev = report.events
    title = t("stats.events")
    event_rows = [
        (t("stats.events_planned"), ev.events_planned),
        (t("stats.events_held"), ev.events_held),
        (t("stats.meetings_planned"), ev.meetings_planned),
        (t("stats.meetings_held"), ev.meetings_held),
        (t("stats.participants"), ev.participants),
        (t("stats.cancelled"), ev.cancelled_participants),
    ]
    figures.append(
        Figure(
            "events",
            title,
            bar_chart(title, event_rows),
            [t("stats.figure"), t("stats.value")],
            [list(row) for row in event_rows],
            ev.note if not ev.available or ev.note else "",
        )
    )
    dg = report.digest
    title = t("stats.digest")
    digest_rows = [
        (t("stats.subscribers"), dg.subscribers),
        (t("stats.new_subscribers"), dg.new_subscribers),
        (t("stats.unsubscribed"), dg.unsubscribed),
        (t("stats.sends"), dg.sends_attempted),
        (t("stats.delivered"), dg.sends_delivered),
        (t("stats.not_relevant"), dg.not_relevant_marks),
    ]
    figures.append(
        Figure(
            "digest",
            title,
            bar_chart(title, digest_rows),
            [t("stats.figure"), t("stats.value")],
            [
                *(list(row) for row in digest_rows),
                [t("stats.delivery_rate"), _rate(dg.delivery_rate)],
                [t("stats.unsubscribe_rate"), _rate(dg.unsubscribe_rate)],
            ],
            dg.note,
        )
    )
    return figures


def _park(page: Page, park_id: str) -> Park:
    number = to_int(park_id, 1, MAX_ID)
    park = page.db.get(Park, number) if number is not None else None
    user = page.permit(STATS_READ)
    if park is None:
        raise PageError(404)
    if not user.as_actor().reads_stats_of(park.id):
        raise PageError(403, page.t("stats.own_park_only"))
    return park


@router.get("/stats", response_class=HTMLResponse)
def stats_overview(request: Request, page: PageDep) -> Response:
    """Every park side by side for a period (park staff go straight to their own park)."""
    user = page.permit(STATS_READ)
    actor = user.as_actor()
    if not actor.all_parks:
        if user.park_id is None:
            raise PageError(403, page.t("stats.own_park_only"))
        suffix = (
            f"?period={request.query_params['period']}"
            if request.query_params.get("period")
            else ""
        )
        return page.redirect(f"/stats/parks/{user.park_id}{suffix}")
    choice = choose_period(request)
    parks = list(page.db.scalars(select(Park).order_by(Park.id)))
    reports = [build_report(page.db, park.id, choice.period) for park in parks]
    t = page.t
    names = [park.name for park in parks]
    funnel_title = t("stats.compare_funnel")
    funnel = grouped_chart(
        funnel_title,
        names,
        [
            Series(t(f"stats.stage.{s}"), [r.funnel.total.counts[s] for r in reports])
            for s in STAGES
        ],
    )
    items_title = t("stats.compare_items")
    items = grouped_chart(
        items_title,
        names,
        [
            Series(
                t("stats.active"),
                [sum(s.active for s in r.inventory.items.values()) for r in reports],
            ),
            Series(
                t("stats.fresh", days=reports[0].inventory.fresh_days if reports else 90),
                [sum(s.fresh for s in r.inventory.items.values()) for r in reports],
            ),
            Series(t("stats.events_held"), [r.events.events_held for r in reports]),
        ],
    )
    rows = [
        [
            park,
            *(r.funnel.total.counts[s] for s in STAGES),
            _rate(r.funnel.total.rate("signed")),
            sum(s.active for s in r.inventory.items.values()),
            sum(s.fresh for s in r.inventory.items.values()),
            r.events.events_held,
            r.events.meetings_held,
        ]
        for park, r in zip(parks, reports, strict=True)
    ]
    headers = [
        t("stats.park"),
        *_stage_names(page),
        t("stats.signed_rate"),
        t("stats.active"),
        t("stats.fresh", days=90),
        t("stats.events_held"),
        t("stats.meetings_held"),
    ]
    return page.render(
        "stats_overview.html",
        nav="stats",
        choice=choice,
        funnel=funnel,
        funnel_title=funnel_title,
        items=items,
        items_title=items_title,
        headers=headers,
        rows=rows,
        as_of=china_time(reports[0].as_of) if reports else china_time(dt.datetime.now(dt.UTC)),
    )


@router.get("/stats/parks/{park_id}", response_class=HTMLResponse)
def park_stats_page(park_id: str, request: Request, page: PageDep) -> HTMLResponse:
    """One park's statistics for a period: charts, the numbers behind them, the XLSX link."""
    park = _park(page, park_id)
    choice = choose_period(request)
    report = build_report(page.db, park.id, choice.period)
    return page.render(
        "stats_park.html",
        nav="stats",
        park=park,
        choice=choice,
        figures=report_figures(page, report),
        as_of=china_time(report.as_of),
        period_start=choice.period.first.isoformat(),
        period_end=(choice.period.after - dt.timedelta(days=1)).isoformat(),
        all_parks=page.require().as_actor().all_parks,
    )


@router.get("/stats/parks/{park_id}/report.xlsx")
def park_stats_xlsx(park_id: str, request: Request, page: PageDep) -> Response:
    """The park's report for the period as XLSX (the same figures, with charts)."""
    from matchmaker.stats.xlsx import write_report_xlsx

    park = _park(page, park_id)
    choice = choose_period(request)
    report = build_report(page.db, park.id, choice.period)
    name = f"park-{park.id}-{report.period.label}.xlsx"
    return Response(
        write_report_xlsx(report),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
