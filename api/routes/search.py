"""Search by need and recommendations per track (feedback on them: api/routes/feedback.py)."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from api import problems
from api.deps import (
    CallerDep,
    SearchServiceDep,
    SessionDep,
    recommender,
)
from api.explain import reason_texts
from api.i18n import translator
from api.problems import Problem
from api.schemas import COOP_VALUES, INDUSTRY_VALUES
from api.security.throttle import search_quota
from matchmaker.core.kinds import ItemKind, SourceKind, TargetKind, TrackName
from matchmaker.core.taxonomy import resolve_industry, unknown_industry_message
from matchmaker.core.text import Line
from matchmaker.core.vocab import COOP_MODE_ALIASES
from matchmaker.retrieval import search_feedback
from matchmaker.retrieval.index.filters import Filters
from matchmaker.retrieval.search import BadQuery, SearchItem, SearchRequest

router = APIRouter(
    prefix="/api/v1",
    tags=["检索与推荐 Search & recommendations"],
    responses=problems.COMMON_RESPONSES | problems.documented(503),
)

MAX_ID = 2**31 - 1


class SearchHit(BaseModel):
    id: int
    kind: str
    external_id: str
    title: str
    score: float
    reasons: list[str]
    terms: list[str]
    highlight: str = Field(description="正文片段，共同术语以 <mark> 标出（已 HTML 转义）")
    title_highlight: str = Field(description="标题，共同术语以 <mark> 标出（已 HTML 转义）")
    organisation: str | None
    trl: int | None
    industries: list[str]
    relevance: float | None = Field(
        description="校准后的相关度：此条目有用的估计概率 0–1（按已标注的检索结果拟合）"
        " / calibrated chance the item is useful"
    )
    level: str | None = Field(description="相关度等级 高 / 中 / 低 (calibrated)")
    weak: bool = Field(description="相关度低 / a weak match (calibrated level 低)")


class SearchPage(BaseModel):
    items: list[SearchHit]
    total: int
    no_good_match: bool = Field(
        description="没有合适的结果：最好的候选相关度也低 / no candidate is likely to be useful"
    )
    next_steps: list[str] = Field(
        description="无合适结果时的下一步建议 / what to do when there is no good match"
    )


def _filters(
    industry: list[str] | None,
    park_id: int | None,
    region: str | None,
    trl_min: int | None,
    trl_max: int | None,
    coop_mode: list[str] | None,
) -> Filters:
    codes = []
    for name in industry or []:
        code = resolve_industry(name)
        if code is None:
            raise Problem(
                422,
                unknown_industry_message(name),
                [{"field": "industry", "in": "query", "message": "unknown industry"}],
            )
        codes.append(code)
    modes = []
    for name in coop_mode or []:
        mode = COOP_MODE_ALIASES.get(name.strip().lower()) or COOP_MODE_ALIASES.get(name.strip())
        if mode is None:
            raise Problem(
                422,
                f"未知合作方式“{name}” / unknown cooperation mode",
                [{"field": "coop_mode", "in": "query", "message": "unknown mode"}],
            )
        modes.append(mode)
    eastern = guangxi = None
    provinces: list[str] = []
    if region:
        key = region.strip().lower()
        if key == "eastern":
            eastern = True
        elif key == "guangxi":
            guangxi = True
        else:
            provinces = [region]
    try:
        return Filters.build(
            industries=codes,
            park_ids=[park_id] if park_id else None,
            provinces=provinces,
            eastern=eastern,
            guangxi=guangxi,
            trl_min=trl_min,
            trl_max=trl_max,
            coop_modes=modes,
        )
    except ValueError as exc:
        raise Problem(
            422, str(exc), [{"field": "trl_min", "in": "query", "message": str(exc)}]
        ) from exc


@router.get(
    "/search",
    response_model=SearchPage,
    dependencies=[Depends(search_quota)],
    summary="按需求检索 Search by need",
    description=(
        "用自己的话描述技术问题（中文、英文或混合），返回科技成果、需求或应用场景，并附中文理由"
        "（与网页 / 相同的检索与理由）。企业密钥检索时，本企业对某条需求（或成果）标记为“不相关”的"
        "结果不再出现：该需求由 context_id 指定，默认取与查询最接近的本企业需求。"
    ),
)
def search(
    session: SessionDep,
    caller: CallerDep,
    service: SearchServiceDep,
    q: Annotated[
        Line,
        Query(min_length=1, max_length=500, description="问题描述 the problem in your own words"),
    ],
    kind: Annotated[ItemKind, Query(description="检索对象 what to search")] = "achievement",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0, le=190)] = 0,
    industry: Annotated[
        list[Line] | None,
        Query(max_length=12, json_schema_extra={"items": {"enum": INDUSTRY_VALUES}}),
    ] = None,
    park_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    region: Annotated[
        Line | None, Query(max_length=32, description="省份，或 eastern / guangxi")
    ] = None,
    trl_min: Annotated[int | None, Query(ge=1, le=9)] = None,
    trl_max: Annotated[int | None, Query(ge=1, le=9)] = None,
    coop_mode: Annotated[
        list[Line] | None, Query(max_length=5, json_schema_extra={"items": {"enum": COOP_VALUES}})
    ] = None,
    context_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="企业密钥：本次检索所为的本企业需求（检索需求时为成果）id / enterprise keys: "
            "the own need (achievement, when searching needs) this search is for",
        ),
    ] = None,
) -> dict[str, Any]:
    """Hybrid semantic + keyword search with structured filters and reasons per result."""
    filters = _filters(industry, park_id, region, trl_min, trl_max, coop_mode)
    try:
        party = None
        if caller.role == "enterprise" and caller.organisation_id is not None:
            found = service.asking_party(session, caller.organisation_id, q, kind, context_id)
            party = found.key if found is not None else None
        hidden = search_feedback.hidden_items(session, caller.organisation_id, kind, q)
        if hidden:
            filters = replace(filters, exclude_ids=filters.exclude_ids | hidden)
        asked = SearchRequest(
            query=q, kind=kind, filters=filters, limit=limit, offset=offset, party=party
        )
        result = service.search(session, asked)
    except BadQuery as exc:
        raise Problem(422, str(exc), [{"field": "q", "in": "query", "message": str(exc)}]) from exc
    return {
        "items": [_hit(found) for found in result.items],
        "total": result.total,
        "no_good_match": result.no_good_match,
        "next_steps": next_steps(filtered=filters != Filters()) if result.no_good_match else [],
    }


LEVEL_NAMES = {"high": "高", "medium": "中", "low": "低"}


def next_steps(filtered: bool) -> list[str]:
    """What a searcher can do when nothing fits (Chinese, as the API's other texts)."""
    t = translator("zh")
    steps = [t("search.next.publish")]
    if filtered:
        steps.append(t("search.next.widen"))
    steps.append(t("search.next.ask"))
    return steps


def _hit(found: SearchItem) -> dict[str, Any]:
    """One result in the API's JSON form."""
    item, why = found.item, found.explanation
    return {
        "id": item.id,
        "kind": item.kind,
        "external_id": item.external_id,
        "title": item.title,
        "score": round(found.hit.score, 4),
        "reasons": reason_texts(why.reasons),
        "terms": why.terms,
        "highlight": why.snippet_html,
        "title_highlight": why.title_html,
        "organisation": why.organisation.name if why.organisation is not None else None,
        "trl": getattr(item, "trl", None),
        "industries": list(item.industries or []),
        "relevance": found.relevance,
        "level": LEVEL_NAMES[found.level] if found.level is not None else None,
        "weak": found.weak,
    }


class ReasonOut(BaseModel):
    feature: str
    text: str
    contribution: float


class RecommendationOut(BaseModel):
    track: str
    rank: int
    source: dict[str, Any]
    target: dict[str, Any]
    score: float
    features: dict[str, float]
    contributions: dict[str, float]
    reasons: list[ReasonOut]
    terms: list[str]
    highlight: str
    organisation: dict[str, Any] | None
    park: str | None
    model: str
    relevance: float | None = Field(
        default=None,
        description="校准后的匹配可能性 / calibrated chance the pair is a good match (0–1)",
    )
    level: str | None = Field(default=None, description="匹配度等级 高 / 中 / 低 (calibrated)")
    weak: bool = Field(default=False, description="匹配度低 / a weak match (calibrated level 低)")


class RecommendationList(BaseModel):
    items: list[RecommendationOut]
    no_good_match: bool = Field(
        default=False,
        description="没有合适的配对：所有推荐的匹配度都低 / no recommended pair reaches 中",
    )
    next_steps: list[str] = Field(
        default_factory=list, description="没有合适配对时可以做什么 / what to do when nothing fits"
    )


@router.get(
    "/recommendations/{track}/{source_kind}/{source_id}",
    response_model=RecommendationList,
    summary="配对推荐 Recommendations for one item or park",
    description="tech-transfer：需求→成果、成果→需求；scenario：场景→成果与解决方案提供方；east-to-guangxi：东部成果→广西园区与企业需求，或园区→东部成果。",
)
def recommendations(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    track: Annotated[TrackName, Path()],
    source_kind: Annotated[SourceKind, Path()],
    source_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    target_kind: Annotated[TargetKind | None, Query()] = None,
) -> dict[str, Any]:
    """The best k pairs for one source on one track, each with reasons and feature contributions."""
    from matchmaker.ranking.context import UnknownSource
    from matchmaker.ranking.results import no_good_match

    rec = recommender(request)
    try:
        found = rec.recommend(
            session, track, source_kind, source_id, k, target_kind=target_kind, log=True
        )
        session.commit()
    except UnknownSource as exc:
        raise Problem(404, str(exc)) from exc
    except (
        ValueError
    ) as exc:  # a route the track does not have, e.g. east-to-guangxi from a Guangxi item
        raise Problem(
            422, str(exc), [{"field": "track", "in": "path", "message": str(exc)}]
        ) from exc
    none = no_good_match(found)
    return {
        "items": [r.as_dict() for r in found],
        "no_good_match": none,
        "next_steps": rec_next_steps(source_kind) if none else [],
    }


def rec_next_steps(source_kind: str) -> list[str]:
    """What a party can do when no recommended pair fits (Chinese, as the API's other texts)."""
    t = translator("zh")
    first = "rec.next.notify" if source_kind in ("need", "scenario") else "rec.next.publish"
    return [t(first), t("rec.next.widen"), t("search.next.ask")]
