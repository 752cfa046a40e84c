"""Park innovation maps (JSON, SVG, PNG, XLSX), the chains behind them, and park statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from api import problems
from api.deps import Caller, CallerDep, SessionDep, permit
from api.problems import Problem
from matchmaker.catalog.schemas import INDUSTRY_VALUES
from matchmaker.core.taxonomy import resolve_industry, unknown_industry_message
from matchmaker.core.text import Line
from matchmaker.maps.chains import UnknownChain, get_chain, load_chains
from matchmaker.maps.park_map import ParkMap, UnknownPark, build_park_map
from matchmaker.policy.actor import STATS_READ
from matchmaker.stats.periods import (
    PERIOD_HELP,
    PERIOD_PATTERN,
    BadPeriod,
    current_quarter,
    parse_period,
)

router = APIRouter(prefix="/api/v1", tags=["产业链地图与统计 Maps and statistics"])

MAX_ID = 2**31 - 1
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="园区数据库编号 park database id")]
IndustryQ = Annotated[
    Line | None,
    Query(
        max_length=64,
        description="只画这一产业的产业链（代码或中文名）/ only this industry's chain",
        json_schema_extra={"enum": INDUSTRY_VALUES},
    ),
]
CandidatesQ = Annotated[
    bool, Query(description="为薄弱和缺失环节排候选 rank candidates for weak and missing links")
]
PeriodQ = Annotated[
    str | None,
    Query(pattern=PERIOD_PATTERN, max_length=8, description=PERIOD_HELP + "（缺省为本季度）"),
]
StatsReader = Annotated[Caller, Depends(permit(STATS_READ))]
MAP_ERRORS = problems.documented(401, 404, 422)
STATS_ERRORS = problems.documented(401, 403, 404, 422)


def _binary(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": what,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


def _map(session: Session, park_id: int, industry: str | None, candidates: bool) -> ParkMap:
    code = None
    if industry:
        code = resolve_industry(industry)
        if code is None:
            raise Problem(
                422,
                unknown_industry_message(industry),
                [{"field": "industry", "in": "query", "message": "unknown industry"}],
            )
    try:
        return build_park_map(session, park_id, code, with_candidates=candidates)
    except (UnknownPark, UnknownChain) as exc:
        raise Problem(404, str(exc)) from exc


@router.get(
    "/parks/{park_id}/map",
    summary="园区产业链创新地图 Park innovation map (JSON)",
    responses=MAP_ERRORS,
)
def park_map(
    park_id: PathId,
    session: SessionDep,
    caller: CallerDep,
    industry: IndustryQ = None,
    candidates: CandidatesQ = True,
) -> dict[str, Any]:
    """Each chain link's coverage by the park's enterprises with evidence, and ranked candidates
    (achievements, eastern firms, Guangxi universities) for weak and missing links."""
    return _map(session, park_id, industry, candidates).as_dict()


@router.get(
    "/parks/{park_id}/map.svg",
    summary="园区产业链地图（SVG 图）Park innovation map as SVG",
    response_class=Response,
    responses={**_binary("image/svg+xml", "SVG 产业链图 chain diagram"), **MAP_ERRORS},
)
def park_map_svg(
    park_id: PathId, session: SessionDep, caller: CallerDep, industry: IndustryQ = None
) -> Response:
    """The map as an SVG chain diagram (upstream → midstream → downstream, boxes by coverage)."""
    from matchmaker.maps.render import render_svg

    drawing = render_svg(_map(session, park_id, industry, True))
    return Response(drawing.encode("utf-8"), media_type="image/svg+xml")


@router.get(
    "/parks/{park_id}/map.png",
    summary="园区产业链地图（PNG 图）Park innovation map as PNG",
    response_class=Response,
    responses={
        **_binary("image/png", "PNG 产业链图 chain picture"),
        **MAP_ERRORS,
        **problems.documented(503),
    },
)
def park_map_png(
    park_id: PathId, session: SessionDep, caller: CallerDep, industry: IndustryQ = None
) -> Response:
    """The SVG diagram rasterised to PNG (503 when the server cannot rasterise)."""
    from matchmaker.maps.render import render_png, render_svg

    drawing = render_svg(_map(session, park_id, industry, True))
    try:
        picture = render_png(drawing)
    except (ImportError, OSError) as exc:
        raise Problem(503, f"服务器无法生成 PNG / cannot rasterise here: {exc}") from exc
    return Response(picture, media_type="image/png")


@router.get(
    "/parks/{park_id}/map.xlsx",
    summary="园区产业链地图与缺口表（XLSX）Park map and gap table as XLSX",
    response_class=Response,
    responses={**_binary(XLSX, "XLSX 工作簿 workbook"), **MAP_ERRORS},
)
def park_map_xlsx(
    park_id: PathId, session: SessionDep, caller: CallerDep, industry: IndustryQ = None
) -> Response:
    """Coverage, the gap table with ranked candidates and reasons, and the evidence, as XLSX."""
    from matchmaker.maps.export import write_xlsx

    data = write_xlsx(_map(session, park_id, industry, True))
    headers = {"Content-Disposition": f'attachment; filename="park-{park_id}-map.xlsx"'}
    return Response(data, media_type=XLSX, headers=headers)


@router.get(
    "/chains",
    summary="产业链定义 Industry chains in force",
    responses=problems.documented(401),
)
def chains(caller: CallerDep) -> list[dict[str, Any]]:
    """Every chain in force (shipped, or imported over the shipped one), links by stage."""
    return [{**chain.as_dict(), "source": chain.source} for chain in load_chains().values()]


@router.get(
    "/chains/{industry}",
    summary="一条产业链 One industry chain",
    responses=problems.documented(401, 404, 422),
)
def chain(
    industry: Annotated[
        Line,
        Path(
            max_length=64,
            description="产业代码或中文名 industry",
            json_schema_extra={"enum": INDUSTRY_VALUES},
        ),
    ],
    caller: CallerDep,
) -> dict[str, Any]:
    """One chain by industry code or Chinese name (404 when the industry has none)."""
    try:
        found = get_chain(resolve_industry(industry) or industry)
    except UnknownChain as exc:
        raise Problem(404, str(exc)) from exc
    return {**found.as_dict(), "source": found.source}


def _report(session: Session, park_id: int, period: str | None, caller: Caller) -> Any:
    from matchmaker.stats.report import build_report

    if not caller.actor.reads_stats_of(park_id):
        raise Problem(403, "园区工作人员只能查看本园区的统计 / park staff see their own park only")
    try:
        chosen = parse_period(period) if period else current_quarter()
    except BadPeriod as exc:
        raise Problem(
            422, str(exc), [{"field": "period", "in": "query", "message": PERIOD_HELP}]
        ) from exc
    try:
        return build_report(session, park_id, chosen)
    except UnknownPark as exc:
        raise Problem(404, str(exc)) from exc


@router.get(
    "/stats/parks/{park_id}",
    summary="园区专项统计 Park statistics for a period",
    responses=STATS_ERRORS,
)
def park_stats(
    park_id: PathId, session: SessionDep, caller: StatsReader, period: PeriodQ = None
) -> dict[str, Any]:
    """Items and freshness, the recommended → viewed → contacted → met → signed funnel (overall,
    by track, by industry), event outcomes and digest delivery for the park and period."""
    return dict(_report(session, park_id, period, caller).as_dict())


@router.get(
    "/stats/parks/{park_id}/report.xlsx",
    summary="园区专项统计报表（XLSX）Park statistics report as XLSX",
    response_class=Response,
    responses={**_binary(XLSX, "XLSX 报表 report with charts"), **STATS_ERRORS},
)
def park_stats_xlsx(
    park_id: PathId, session: SessionDep, caller: StatsReader, period: PeriodQ = None
) -> Response:
    """The same figures as an XLSX workbook with charts."""
    from matchmaker.stats.xlsx import write_report_xlsx

    report = _report(session, park_id, period, caller)
    headers = {
        "Content-Disposition": f'attachment; filename="park-{park_id}-{report.period.label}.xlsx"'
    }
    return Response(write_report_xlsx(report), media_type=XLSX, headers=headers)
