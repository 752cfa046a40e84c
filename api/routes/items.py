"""CRUD and filtered listing for parks, organisations, achievements, needs and scenarios under /api/v1."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import problems
from api.deps import Caller, CallerDep, OrganiserDep, SessionDep, WriterDep
from api.indexing import after_item_write
from api.problems import Problem
from api.schemas import (
    INDUSTRY_VALUES,
    AchievementCreate,
    AchievementPublic,
    AchievementUpdate,
    NeedCreate,
    NeedPublic,
    NeedUpdate,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    Page,
    ParkCreate,
    ParkPublic,
    ParkUpdate,
    ScenarioCreate,
    ScenarioPublic,
    ScenarioUpdate,
)
from api.serialize import item_public, organisation_public, park_public
from matchmaker.core.vocab import EASTERN_PROVINCES, normalise_province
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

router = APIRouter(prefix="/api/v1", tags=["条目 Items"], responses=problems.COMMON_RESPONSES)

MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="数据库编号 database id")]
Limit = Annotated[int, Query(ge=1, le=100, description="每页条数 page size (1–100)")]
Offset = Annotated[int, Query(ge=0, le=100000, description="偏移 offset")]
IndustryQ = Annotated[
    str | None,
    Query(
        max_length=64,
        description="行业代码或中文名 industry code or Chinese name",
        json_schema_extra={"enum": INDUSTRY_VALUES},
    ),
]
RegionQ = Annotated[
    str | None, Query(max_length=32, description="省份，或 eastern（东部）/ guangxi（广西）")
]
TextQ = Annotated[str | None, Query(max_length=200, description="标题包含 title contains")]
StatusQ = Annotated[str | None, Query(pattern="^(active|closed|draft)$", description="状态 status")]


class AchievementPage(Page):
    items: list[AchievementPublic]


class NeedPage(Page):
    items: list[NeedPublic]


class ScenarioPage(Page):
    items: list[ScenarioPublic]


class OrganisationPage(Page):
    items: list[OrganisationPublic]


class ParkPage(Page):
    items: list[ParkPublic]


def _get(session: Session, model: type[Any], item_id: int) -> Any:
    obj = session.get(model, item_id)
    if obj is None:
        raise Problem(404, f"{model.__tablename__} {item_id} 不存在 / not found")
    return obj


def _exists(session: Session, model: type[Any], item_id: int | None, field: str) -> None:
    if item_id is not None and session.get(model, item_id) is None:
        raise Problem(
            422,
            f"{field} 指向不存在的记录 {item_id} / {field} refers to a missing record",
            [{"field": field, "in": "body", "message": "不存在 / does not exist"}],
        )


def _commit(session: Session, what: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Problem(
            409, f"{what}与已有记录冲突（编号或名称重复）/ conflicts with an existing record"
        ) from exc


def _industry_filter(column: Any, industry: str | None) -> Any:
    from matchmaker.core.taxonomy import resolve_industry

    if not industry:
        return None
    code = resolve_industry(industry)
    if code is None:
        raise Problem(
            422,
            f"未知行业“{industry}” / unknown industry",
            [{"field": "industry", "in": "query", "message": "unknown industry"}],
        )
    return cast(column, String).like(f'%"{code}"%')


def _region_filter(province_col: Any, region: str | None) -> Any:
    if not region:
        return None
    key = region.strip().lower()
    if key == "eastern":
        return province_col.in_(sorted(EASTERN_PROVINCES))
    if key == "guangxi":
        return province_col == "广西"
    return province_col == normalise_province(region)


def _listing(
    session: Session,
    stmt: Any,
    conds: list[Any],
    limit: int,
    offset: int,
    public: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Apply the filters that were given, take one page and serialise it with its total."""
    for cond in conds:
        if cond is not None:
            stmt = stmt.where(cond)
    total, rows = _page(session, stmt, limit, offset)
    return {"items": [public(r) for r in rows], "total": total, "limit": limit, "offset": offset}


def _page(session: Session, stmt: Any, limit: int, offset: int) -> tuple[int, list[Any]]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(limit).offset(offset)).unique().all()
    return total, list(rows)


def _visible(model: type[Any], caller: Caller, owner_col: Any) -> Any:
    """Drafts are seen by admins, organisers and their own organisation only."""
    if caller.role in ("admin", "organiser"):
        return None
    if caller.organisation_id is not None:
        return or_(model.status != "draft", owner_col == caller.organisation_id)
    return model.status != "draft"


def _item_filters(
    model: type[Any],
    province_col: Any,
    industry: str | None,
    region: str | None,
    status: str | None,
    q: str | None,
) -> list[Any]:
    conds = [_industry_filter(model.industries, industry), _region_filter(province_col, region)]
    if status:
        conds.append(model.status == status)
    if q:
        conds.append(model.title.contains(q))
    return [c for c in conds if c is not None]


# ---- parks -----------------------------------------------------------------
@router.get("/parks", response_model=ParkPage, summary="园区列表 List parks")
def list_parks(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
) -> dict[str, Any]:
    """Parks, optionally those with a given leading industry."""
    stmt = select(Park).order_by(Park.id)
    conds = [_industry_filter(Park.industries, industry)]
    return _listing(session, stmt, conds, limit, offset, park_public)


@router.get("/parks/{park_id}", response_model=ParkPublic, summary="园区详情 Get a park")
def get_park(park_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One park."""
    return park_public(_get(session, Park, park_id))


@router.post("/parks", response_model=ParkPublic, status_code=201, summary="新建园区 Create a park")
def create_park(body: ParkCreate, session: SessionDep, caller: OrganiserDep) -> dict[str, Any]:
    """Create a park (admin, organiser)."""
    park = Park(**body.model_dump())
    session.add(park)
    _commit(session, "园区")
    return park_public(park)


@router.patch("/parks/{park_id}", response_model=ParkPublic, summary="修改园区 Update a park")
def update_park(
    park_id: PathId, body: ParkUpdate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Change a park's fields (admin, organiser)."""
    park = _get(session, Park, park_id)
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(park, key, value)
    _commit(session, "园区")
    return park_public(park)


@router.delete("/parks/{park_id}", status_code=204, summary="删除园区 Delete a park")
def delete_park(park_id: PathId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Delete a park (admin, organiser); items keep existing without a park."""
    session.delete(_get(session, Park, park_id))
    _commit(session, "园区")
    return Response(status_code=204)


# ---- organisations ---------------------------------------------------------
@router.get(
    "/organisations", response_model=OrganisationPage, summary="机构列表 List organisations"
)
def list_organisations(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
    region: RegionQ = None,
    park_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    kind: Annotated[
        str | None,
        Query(pattern="^(university|research_institute|enterprise|park_management|investor)$"),
    ] = None,
    q: TextQ = None,
) -> dict[str, Any]:
    """Organisations filtered by kind, industry, region, park and name."""
    stmt = select(Organisation).order_by(Organisation.id)
    conds = [
        _industry_filter(Organisation.industries, industry),
        _region_filter(Organisation.province, region),
    ]
    if kind:
        conds.append(Organisation.kind == kind)
    if park_id is not None:
        conds.append(Organisation.park_id == park_id)
    if q:
        conds.append(Organisation.name.contains(q))
    return _listing(session, stmt, conds, limit, offset, organisation_public)


@router.get(
    "/organisations/{org_id}",
    response_model=OrganisationPublic,
    summary="机构详情 Get an organisation",
)
def get_organisation(org_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One organisation."""
    return organisation_public(_get(session, Organisation, org_id))


@router.post(
    "/organisations",
    response_model=OrganisationPublic,
    status_code=201,
    summary="新建机构 Create an organisation",
)
def create_organisation(
    body: OrganisationCreate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Create an organisation (admin, organiser)."""
    _exists(session, Park, body.park_id, "park_id")
    org = Organisation(**body.model_dump())
    session.add(org)
    _commit(session, "机构")
    return organisation_public(org)


@router.patch(
    "/organisations/{org_id}",
    response_model=OrganisationPublic,
    summary="修改机构 Update an organisation",
)
def update_organisation(
    org_id: PathId, body: OrganisationUpdate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Change an organisation (admin, organiser)."""
    org = _get(session, Organisation, org_id)
    values = body.model_dump(exclude_unset=True)
    _exists(session, Park, values.get("park_id"), "park_id")
    for key, value in values.items():
        setattr(org, key, value)
    _commit(session, "机构")
    return organisation_public(org)


@router.delete(
    "/organisations/{org_id}", status_code=204, summary="删除机构 Delete an organisation"
)
def delete_organisation(org_id: PathId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Delete an organisation that owns no items (admin, organiser)."""
    org = _get(session, Organisation, org_id)
    owned = (
        session.scalar(
            select(func.count()).select_from(Achievement).where(Achievement.owner_id == org_id)
        )
        or 0
    ) + (
        session.scalar(select(func.count()).select_from(Need).where(Need.enterprise_id == org_id))
        or 0
    )
    if owned:
        raise Problem(
            409,
            f"该机构仍有 {owned} 条成果或需求，请先删除或转移 / organisation still owns {owned} item(s)",
        )
    session.delete(org)
    _commit(session, "机构")
    return Response(status_code=204)


# ---- achievements ----------------------------------------------------------
@router.get(
    "/achievements", response_model=AchievementPage, summary="科技成果列表 List achievements"
)
def list_achievements(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
    region: RegionQ = None,
    trl_min: Annotated[int | None, Query(ge=1, le=9)] = None,
    trl_max: Annotated[int | None, Query(ge=1, le=9)] = None,
    status: StatusQ = None,
    q: TextQ = None,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Achievements filtered by industry, owner region, TRL range, status, owner and title."""
    stmt = (
        select(Achievement)
        .join(Organisation, Achievement.owner_id == Organisation.id)
        .order_by(Achievement.id)
    )
    conds = _item_filters(Achievement, Organisation.province, industry, region, status, q)
    conds.append(_visible(Achievement, caller, Achievement.owner_id))
    if trl_min is not None:
        conds.append(Achievement.trl >= trl_min)
    if trl_max is not None:
        conds.append(Achievement.trl <= trl_max)
    if owner_id is not None:
        conds.append(Achievement.owner_id == owner_id)
    return _listing(
        session,
        stmt,
        conds,
        limit,
        offset,
        lambda row: item_public(row, sees_contacts=caller.sees_contacts),
    )


@router.get(
    "/achievements/{item_id}",
    response_model=AchievementPublic,
    summary="成果详情 Get an achievement",
)
def get_achievement(item_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One achievement; contact shown only to roles allowed to see it."""
    item = _get(session, Achievement, item_id)
    _check_draft(item, caller, item.owner_id)
    return item_public(item, sees_contacts=caller.sees_contacts)


@router.post(
    "/achievements",
    response_model=AchievementPublic,
    status_code=201,
    summary="新建成果 Create an achievement",
)
def create_achievement(
    request: Request, body: AchievementCreate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Create an achievement (admin, organiser); searchable within a second."""
    _exists(session, Organisation, body.owner_id, "owner_id")
    item = Achievement(**body.model_dump())
    return _save_new(request, session, caller, item)


@router.patch(
    "/achievements/{item_id}",
    response_model=AchievementPublic,
    summary="修改成果 Update an achievement",
)
def update_achievement(
    request: Request,
    item_id: PathId,
    body: AchievementUpdate,
    session: SessionDep,
    caller: OrganiserDep,
) -> dict[str, Any]:
    """Change an achievement (admin, organiser)."""
    item = _get(session, Achievement, item_id)
    values = body.model_dump(exclude_unset=True)
    _exists(session, Organisation, values.get("owner_id"), "owner_id")
    return _save_changes(request, session, caller, item, values, "price")


@router.delete("/achievements/{item_id}", status_code=204, summary="删除成果 Delete an achievement")
def delete_achievement(
    request: Request, item_id: PathId, session: SessionDep, caller: OrganiserDep
) -> Response:
    """Delete an achievement (admin, organiser)."""
    return _remove(request, session, _get(session, Achievement, item_id))


# ---- needs -----------------------------------------------------------------
@router.get("/needs", response_model=NeedPage, summary="企业需求列表 List needs")
def list_needs(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
    region: RegionQ = None,
    park_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: StatusQ = None,
    q: TextQ = None,
    enterprise_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Needs filtered by industry, enterprise region, park, status, enterprise and title."""
    stmt = select(Need).join(Organisation, Need.enterprise_id == Organisation.id).order_by(Need.id)
    conds = _item_filters(Need, Organisation.province, industry, region, status, q)
    conds.append(_visible(Need, caller, Need.enterprise_id))
    if park_id is not None:
        conds.append(Need.park_id == park_id)
    if enterprise_id is not None:
        conds.append(Need.enterprise_id == enterprise_id)
    return _listing(
        session,
        stmt,
        conds,
        limit,
        offset,
        lambda row: item_public(row, sees_contacts=caller.sees_contacts),
    )


@router.get("/needs/{item_id}", response_model=NeedPublic, summary="需求详情 Get a need")
def get_need(item_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One need."""
    item = _get(session, Need, item_id)
    _check_draft(item, caller, item.enterprise_id)
    return item_public(item, sees_contacts=caller.sees_contacts)


def _own_need(caller: Caller, enterprise_id: int | None) -> None:
    if caller.role == "enterprise" and enterprise_id != caller.organisation_id:
        raise Problem(
            403,
            "企业密钥只能管理本机构的需求 / an enterprise key manages only its own organisation's needs",
        )


@router.post("/needs", response_model=NeedPublic, status_code=201, summary="发布需求 Create a need")
def create_need(
    request: Request, body: NeedCreate, session: SessionDep, caller: WriterDep
) -> dict[str, Any]:
    """Create a need (admin, organiser, or an enterprise for itself)."""
    values = body.model_dump()
    if values["enterprise_id"] is None:
        if caller.organisation_id is None:
            raise Problem(
                422,
                "需要 enterprise_id / enterprise_id is required",
                [{"field": "enterprise_id", "in": "body", "message": "required"}],
            )
        values["enterprise_id"] = caller.organisation_id
    _own_need(caller, values["enterprise_id"])
    _exists(session, Organisation, values["enterprise_id"], "enterprise_id")
    _exists(session, Park, values["park_id"], "park_id")
    if values["park_id"] is None:
        values["park_id"] = session.get(Organisation, values["enterprise_id"]).park_id  # type: ignore[union-attr]
    item = Need(**values)
    return _save_new(request, session, caller, item)


@router.patch("/needs/{item_id}", response_model=NeedPublic, summary="修改需求 Update a need")
def update_need(
    request: Request, item_id: PathId, body: NeedUpdate, session: SessionDep, caller: WriterDep
) -> dict[str, Any]:
    """Change a need (admin, organiser, or its own enterprise)."""
    item = _get(session, Need, item_id)
    _own_need(caller, item.enterprise_id)
    values = body.model_dump(exclude_unset=True)
    _exists(session, Park, values.get("park_id"), "park_id")
    return _save_changes(request, session, caller, item, values, "budget")


@router.delete("/needs/{item_id}", status_code=204, summary="删除需求 Delete a need")
def delete_need(
    request: Request, item_id: PathId, session: SessionDep, caller: WriterDep
) -> Response:
    """Delete a need (admin, organiser, or its own enterprise)."""
    item = _get(session, Need, item_id)
    _own_need(caller, item.enterprise_id)
    return _remove(request, session, item)


# ---- scenarios -------------------------------------------------------------
@router.get("/scenarios", response_model=ScenarioPage, summary="应用场景列表 List scenarios")
def list_scenarios(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
    park_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: StatusQ = None,
    q: TextQ = None,
) -> dict[str, Any]:
    """Scenarios filtered by industry, park, status and title."""
    stmt = select(Scenario).order_by(Scenario.id)
    conds = _item_filters(Scenario, None, industry, None, status, q)
    conds.append(_visible(Scenario, caller, Scenario.owner_id))
    if park_id is not None:
        conds.append(Scenario.park_id == park_id)
    return _listing(
        session,
        stmt,
        conds,
        limit,
        offset,
        lambda row: item_public(row, sees_contacts=caller.sees_contacts),
    )


@router.get(
    "/scenarios/{item_id}", response_model=ScenarioPublic, summary="场景详情 Get a scenario"
)
def get_scenario(item_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One scenario."""
    item = _get(session, Scenario, item_id)
    _check_draft(item, caller, item.owner_id)
    return item_public(item, sees_contacts=caller.sees_contacts)


@router.post(
    "/scenarios",
    response_model=ScenarioPublic,
    status_code=201,
    summary="发布场景 Create a scenario",
)
def create_scenario(
    request: Request, body: ScenarioCreate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Create a scenario (admin, organiser)."""
    _exists(session, Park, body.park_id, "park_id")
    _exists(session, Organisation, body.owner_id, "owner_id")
    item = Scenario(**body.model_dump())
    return _save_new(request, session, caller, item)


@router.patch(
    "/scenarios/{item_id}", response_model=ScenarioPublic, summary="修改场景 Update a scenario"
)
def update_scenario(
    request: Request,
    item_id: PathId,
    body: ScenarioUpdate,
    session: SessionDep,
    caller: OrganiserDep,
) -> dict[str, Any]:
    """Change a scenario (admin, organiser)."""
    item = _get(session, Scenario, item_id)
    values = body.model_dump(exclude_unset=True)
    _exists(session, Park, values.get("park_id"), "park_id")
    _exists(session, Organisation, values.get("owner_id"), "owner_id")
    return _save_changes(request, session, caller, item, values, "budget")


@router.delete("/scenarios/{item_id}", status_code=204, summary="删除场景 Delete a scenario")
def delete_scenario(
    request: Request, item_id: PathId, session: SessionDep, caller: OrganiserDep
) -> Response:
    """Delete a scenario (admin, organiser)."""
    return _remove(request, session, _get(session, Scenario, item_id))


def _check_range(item: Any, name: str) -> None:
    """Refuse an update that leaves {name}_min above {name}_max."""
    low, high = getattr(item, f"{name}_min"), getattr(item, f"{name}_max")
    if low is not None and high is not None and low > high:
        raise Problem(
            422,
            f"{name}_min 大于 {name}_max / {name}_min exceeds {name}_max",
            [{"field": f"{name}_min", "in": "body", "message": f"exceeds {name}_max"}],
        )


ITEM_LABELS = {"achievement": "成果", "need": "需求", "scenario": "场景"}


def _save_new(request: Request, session: Session, caller: Caller, item: Any) -> dict[str, Any]:
    """Insert a new item, then make it searchable at once."""
    item.refresh_hash()
    session.add(item)
    _commit(session, ITEM_LABELS[item.kind])
    after_item_write(request, session, item.kind, [item.id])
    return item_public(item, sees_contacts=caller.sees_contacts)


def _save_changes(
    request: Request,
    session: Session,
    caller: Caller,
    item: Any,
    values: dict[str, Any],
    money: str,
) -> dict[str, Any]:
    """Apply a partial update, re-check the item's money range, commit and re-index."""
    for key, value in values.items():
        setattr(item, key, value)
    item.refresh_hash()
    _check_range(item, money)
    _commit(session, ITEM_LABELS[item.kind])
    after_item_write(request, session, item.kind, [item.id])
    return item_public(item, sees_contacts=caller.sees_contacts)


def _remove(request: Request, session: Session, item: Any) -> Response:
    """Delete an item and drop it from the index."""
    kind, item_id = item.kind, item.id
    session.delete(item)
    _commit(session, ITEM_LABELS[kind])
    after_item_write(request, session, kind, [item_id], deleted=True)
    return Response(status_code=204)


def _check_draft(item: Any, caller: Caller, owner_id: int | None) -> None:
    if (
        item.status == "draft"
        and caller.role not in ("admin", "organiser")
        and caller.organisation_id != owner_id
    ):
        raise Problem(404, f"{item.kind} {item.id} 不存在 / not found")
