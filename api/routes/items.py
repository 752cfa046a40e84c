"""Parks, organisations, achievements, needs and scenarios under /api/v1: each route parses, makes
one call to the item service (`matchmaker.catalog.items`) and renders; the rules live there."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from api import problems
from api.deps import Caller, CallerDep, LoadedIndexDep, OrganiserDep, SessionDep, WriterDep
from matchmaker.catalog import items
from matchmaker.catalog.indexing import ItemIndex
from matchmaker.catalog.items import Filters, Listing
from matchmaker.catalog.public import record_public
from matchmaker.catalog.schemas import (
    INDUSTRY_VALUES,
    AchievementCreate,
    AchievementPage,
    AchievementPublic,
    AchievementUpdate,
    CatalogInput,
    NeedCreate,
    NeedPage,
    NeedPublic,
    NeedUpdate,
    OrganisationCreate,
    OrganisationPage,
    OrganisationPublic,
    OrganisationUpdate,
    ParkCreate,
    ParkPage,
    ParkPublic,
    ParkUpdate,
    ScenarioCreate,
    ScenarioPage,
    ScenarioPublic,
    ScenarioUpdate,
)
from matchmaker.core.text import Line

router = APIRouter(prefix="/api/v1", tags=["条目 Items"], responses=problems.COMMON_RESPONSES)

MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="数据库编号 database id")]
Limit = Annotated[int, Query(ge=1, le=100, description="每页条数 page size (1–100)")]
Offset = Annotated[int, Query(ge=0, le=100000, description="偏移 offset")]
IndustryQ = Annotated[
    Line | None,
    Query(
        max_length=64,
        description="行业代码或中文名 industry code or Chinese name",
        json_schema_extra={"enum": INDUSTRY_VALUES},
    ),
]
RegionQ = Annotated[
    Line | None, Query(max_length=32, description="省份，或 eastern（东部）/ guangxi（广西）")
]
TextQ = Annotated[Line | None, Query(max_length=200, description="标题包含 title contains")]
StatusQ = Annotated[str | None, Query(pattern="^(active|closed|draft)$", description="状态 status")]
RefQ = Annotated[int | None, Query(ge=1, le=MAX_ID)]
OrgKindQ = Annotated[
    str | None,
    Query(pattern="^(university|research_institute|enterprise|park_management|investor)$"),
]


def _page(found: Listing, caller: Caller) -> dict[str, Any]:
    """A listing as its Page schema shows it."""
    return {
        "items": [record_public(r, caller.actor) for r in found.records],
        "total": found.total,
        "limit": found.limit,
        "offset": found.offset,
    }


def _one(session: Session, caller: Caller, kind: str, record_id: int) -> dict[str, Any]:
    """One record as the caller may see it."""
    return record_public(items.get_record(session, caller.actor, kind, record_id), caller.actor)


def _list(
    session: Session, caller: Caller, kind: str, filters: Filters, limit: int, offset: int
) -> dict[str, Any]:
    """One filtered page of records."""
    found = items.list_records(session, caller.actor, kind, filters, limit=limit, offset=offset)
    return _page(found, caller)


def _created(
    session: Session, caller: Caller, body: CatalogInput, index: ItemIndex | None = None
) -> dict[str, Any]:
    """Create a record and show it as the caller may see it."""
    record = items.create_record(session, caller.actor, body, index=index)
    return record_public(record, caller.actor)


def _updated(
    session: Session,
    caller: Caller,
    kind: str,
    record_id: int,
    body: CatalogInput,
    index: ItemIndex | None = None,
) -> dict[str, Any]:
    """Change a record and show it as the caller may see it."""
    record = items.update_record(session, caller.actor, kind, record_id, body, index=index)
    return record_public(record, caller.actor)


def _deleted(
    session: Session, caller: Caller, kind: str, record_id: int, index: ItemIndex | None = None
) -> Response:
    """Delete a record and answer 204."""
    items.delete_record(session, caller.actor, kind, record_id, index=index)
    return Response(status_code=204)


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
    return _list(session, caller, "park", Filters(industry=industry), limit, offset)


@router.get("/parks/{park_id}", response_model=ParkPublic, summary="园区详情 Get a park")
def get_park(park_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One park."""
    return _one(session, caller, "park", park_id)


@router.post("/parks", response_model=ParkPublic, status_code=201, summary="新建园区 Create a park")
def create_park(body: ParkCreate, session: SessionDep, caller: OrganiserDep) -> dict[str, Any]:
    """Create a park (admin, organiser)."""
    return _created(session, caller, body)


@router.patch("/parks/{park_id}", response_model=ParkPublic, summary="修改园区 Update a park")
def update_park(
    park_id: PathId, body: ParkUpdate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Change a park's fields (admin, organiser)."""
    return _updated(session, caller, "park", park_id, body)


@router.delete("/parks/{park_id}", status_code=204, summary="删除园区 Delete a park")
def delete_park(park_id: PathId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Delete a park (admin, organiser); items keep existing without a park."""
    return _deleted(session, caller, "park", park_id)


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
    park_id: RefQ = None,
    kind: OrgKindQ = None,
    q: TextQ = None,
) -> dict[str, Any]:
    """Organisations filtered by kind, industry, region, park and name."""
    filters = Filters(industry=industry, region=region, park_id=park_id, org_kind=kind, q=q)
    return _list(session, caller, "organisation", filters, limit, offset)


@router.get(
    "/organisations/{org_id}",
    response_model=OrganisationPublic,
    summary="机构详情 Get an organisation",
)
def get_organisation(org_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One organisation."""
    return _one(session, caller, "organisation", org_id)


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
    return _created(session, caller, body)


@router.patch(
    "/organisations/{org_id}",
    response_model=OrganisationPublic,
    summary="修改机构 Update an organisation",
)
def update_organisation(
    org_id: PathId, body: OrganisationUpdate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Change an organisation (admin, organiser)."""
    return _updated(session, caller, "organisation", org_id, body)


@router.delete(
    "/organisations/{org_id}", status_code=204, summary="删除机构 Delete an organisation"
)
def delete_organisation(org_id: PathId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Delete an organisation that owns no items (admin, organiser)."""
    return _deleted(session, caller, "organisation", org_id)


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
    owner_id: RefQ = None,
) -> dict[str, Any]:
    """Achievements filtered by industry, owner region, TRL range, status, owner and title."""
    filters = Filters(
        industry=industry,
        region=region,
        trl_min=trl_min,
        trl_max=trl_max,
        status=status,
        q=q,
        owner_id=owner_id,
    )
    return _list(session, caller, "achievement", filters, limit, offset)


@router.get(
    "/achievements/{item_id}",
    response_model=AchievementPublic,
    summary="成果详情 Get an achievement",
)
def get_achievement(item_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One achievement; contact shown only to roles allowed to see it."""
    return _one(session, caller, "achievement", item_id)


@router.post(
    "/achievements",
    response_model=AchievementPublic,
    status_code=201,
    summary="新建成果 Create an achievement",
)
def create_achievement(
    body: AchievementCreate, session: SessionDep, caller: OrganiserDep, index: LoadedIndexDep
) -> dict[str, Any]:
    """Create an achievement (admin, organiser); searchable within a second."""
    return _created(session, caller, body, index)


@router.patch(
    "/achievements/{item_id}",
    response_model=AchievementPublic,
    summary="修改成果 Update an achievement",
)
def update_achievement(
    item_id: PathId,
    body: AchievementUpdate,
    session: SessionDep,
    caller: OrganiserDep,
    index: LoadedIndexDep,
) -> dict[str, Any]:
    """Change an achievement (admin, organiser)."""
    return _updated(session, caller, "achievement", item_id, body, index)


@router.delete("/achievements/{item_id}", status_code=204, summary="删除成果 Delete an achievement")
def delete_achievement(
    item_id: PathId, session: SessionDep, caller: OrganiserDep, index: LoadedIndexDep
) -> Response:
    """Delete an achievement (admin, organiser)."""
    return _deleted(session, caller, "achievement", item_id, index)


# ---- needs -----------------------------------------------------------------
@router.get("/needs", response_model=NeedPage, summary="企业需求列表 List needs")
def list_needs(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
    region: RegionQ = None,
    park_id: RefQ = None,
    status: StatusQ = None,
    q: TextQ = None,
    enterprise_id: RefQ = None,
) -> dict[str, Any]:
    """Needs filtered by industry, enterprise region, park, status, enterprise and title."""
    filters = Filters(
        industry=industry,
        region=region,
        park_id=park_id,
        status=status,
        q=q,
        enterprise_id=enterprise_id,
    )
    return _list(session, caller, "need", filters, limit, offset)


@router.get("/needs/{item_id}", response_model=NeedPublic, summary="需求详情 Get a need")
def get_need(item_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One need."""
    return _one(session, caller, "need", item_id)


@router.post("/needs", response_model=NeedPublic, status_code=201, summary="发布需求 Create a need")
def create_need(
    body: NeedCreate, session: SessionDep, caller: WriterDep, index: LoadedIndexDep
) -> dict[str, Any]:
    """Create a need (admin, organiser, or an enterprise for itself)."""
    return _created(session, caller, body, index)


@router.patch("/needs/{item_id}", response_model=NeedPublic, summary="修改需求 Update a need")
def update_need(
    item_id: PathId,
    body: NeedUpdate,
    session: SessionDep,
    caller: WriterDep,
    index: LoadedIndexDep,
) -> dict[str, Any]:
    """Change a need (admin, organiser, or its own enterprise)."""
    return _updated(session, caller, "need", item_id, body, index)


@router.delete("/needs/{item_id}", status_code=204, summary="删除需求 Delete a need")
def delete_need(
    item_id: PathId, session: SessionDep, caller: WriterDep, index: LoadedIndexDep
) -> Response:
    """Delete a need (admin, organiser, or its own enterprise)."""
    return _deleted(session, caller, "need", item_id, index)


# ---- scenarios -------------------------------------------------------------
@router.get("/scenarios", response_model=ScenarioPage, summary="应用场景列表 List scenarios")
def list_scenarios(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    industry: IndustryQ = None,
    park_id: RefQ = None,
    status: StatusQ = None,
    q: TextQ = None,
) -> dict[str, Any]:
    """Scenarios filtered by industry, park, status and title."""
    filters = Filters(industry=industry, park_id=park_id, status=status, q=q)
    return _list(session, caller, "scenario", filters, limit, offset)


@router.get(
    "/scenarios/{item_id}", response_model=ScenarioPublic, summary="场景详情 Get a scenario"
)
def get_scenario(item_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One scenario."""
    return _one(session, caller, "scenario", item_id)


@router.post(
    "/scenarios",
    response_model=ScenarioPublic,
    status_code=201,
    summary="发布场景 Create a scenario",
)
def create_scenario(
    body: ScenarioCreate, session: SessionDep, caller: OrganiserDep, index: LoadedIndexDep
) -> dict[str, Any]:
    """Create a scenario (admin, organiser)."""
    return _created(session, caller, body, index)


@router.patch(
    "/scenarios/{item_id}", response_model=ScenarioPublic, summary="修改场景 Update a scenario"
)
def update_scenario(
    item_id: PathId,
    body: ScenarioUpdate,
    session: SessionDep,
    caller: OrganiserDep,
    index: LoadedIndexDep,
) -> dict[str, Any]:
    """Change a scenario (admin, organiser)."""
    return _updated(session, caller, "scenario", item_id, body, index)


@router.delete("/scenarios/{item_id}", status_code=204, summary="删除场景 Delete a scenario")
def delete_scenario(
    item_id: PathId, session: SessionDep, caller: OrganiserDep, index: LoadedIndexDep
) -> Response:
    """Delete a scenario (admin, organiser)."""
    return _deleted(session, caller, "scenario", item_id, index)
