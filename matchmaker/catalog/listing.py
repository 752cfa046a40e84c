"""Reading the catalogue for a caller: one record, filtered pages of records, and the open items
of a park, with drafts shown only to those who may see them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.catalog.access import Actor, may_see, visible_condition
from matchmaker.catalog.kinds import LABEL_ZH, RECORD_MODELS
from matchmaker.core.errors import FieldProblem, Invalid, NotFound
from matchmaker.core.taxonomy import resolve_industry, unknown_industry_message
from matchmaker.core.vocab import EASTERN_PROVINCES, normalise_province
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Organisation, Park, Scenario

MAX_PAGE = 100


@dataclass(frozen=True)
class Filters:
    """What a listing may be narrowed by; each kind accepts the filters in ACCEPTED."""

    industry: str | None = None  # code or Chinese/English name
    region: str | None = None  # a province, or eastern（东部）/ guangxi（广西）
    status: str | None = None
    q: str | None = None  # title (items) or name (organisations) contains
    park_id: int | None = None
    owner_id: int | None = None
    enterprise_id: int | None = None
    org_kind: str | None = None
    trl_min: int | None = None
    trl_max: int | None = None

    def given(self) -> dict[str, Any]:
        """The filters that were set (blank text counts as not set)."""
        out = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is not None and value != "":
                out[spec.name] = value
        return out


ACCEPTED: dict[str, frozenset[str]] = {
    "park": frozenset({"industry"}),
    "organisation": frozenset({"industry", "region", "q", "park_id", "org_kind"}),
    "achievement": frozenset(
        {"industry", "region", "status", "q", "owner_id", "trl_min", "trl_max"}
    ),
    "need": frozenset({"industry", "region", "status", "q", "park_id", "enterprise_id"}),
    "scenario": frozenset({"industry", "status", "q", "park_id"}),
}
# For region filters: the province column each kind is placed by, and the join reaching it.
REGION: dict[str, tuple[Any, Any]] = {
    "organisation": (Organisation.province, None),
    "achievement": (Organisation.province, Achievement.owner_id == Organisation.id),
    "need": (Organisation.province, Need.enterprise_id == Organisation.id),
}
EQUALS: dict[str, str] = {
    "status": "status",
    "park_id": "park_id",
    "owner_id": "owner_id",
    "enterprise_id": "enterprise_id",
    "org_kind": "kind",
}
LOADS: dict[str, Any] = {
    "achievement": selectinload(Achievement.owner),
    "need": selectinload(Need.enterprise),
}


@dataclass(frozen=True)
class Listing:
    """One page of records and how many match the filters in all."""

    records: list[Any]
    total: int
    limit: int
    offset: int


def model_of(kind: str) -> type[Any]:
    """The table of a record kind, or Invalid naming the kinds there are."""
    model = RECORD_MODELS.get(kind)
    if model is None:
        raise Invalid.field(
            "kind",
            f"未知的数据类型“{kind}”，可选：{'、'.join(RECORD_MODELS)} / unknown kind {kind!r}",
        )
    return model


def find_record(session: Session, kind: str, record_id: int) -> Any:
    """A record by id regardless of who asks (for writes, which check rights themselves)."""
    model = model_of(kind)
    record = session.get(model, record_id)
    if record is None:
        raise not_found(model, record_id)
    return record


def find_by_ref(session: Session, kind: str, ref: str) -> Any:
    """A park or organisation by external id (编号) or exact name, as people name them in files
    and commands; NotFound saying what was looked for."""
    model = model_of(kind)
    text = ref.strip()
    found = session.scalars(
        select(model).where(or_(model.external_id == text, model.name == text)).order_by(model.id)
    ).first()
    if found is None:
        raise NotFound(f"找不到{LABEL_ZH[kind]}“{ref}” / unknown {kind}: {ref}")
    return found


def not_found(model: type[Any], record_id: int) -> NotFound:
    """The one answer for a missing record and for a draft the caller may not see."""
    return NotFound(f"{model.__tablename__} {record_id} 不存在 / not found")


def get_record(session: Session, actor: Actor, kind: str, record_id: int) -> Any:
    """One record as this caller may see it; another organisation's draft is 'not found'."""
    record = find_record(session, kind, record_id)
    if not may_see(actor, record):
        raise not_found(type(record), record_id)
    return record


def industry_condition(column: Any, industry: str) -> Any:
    """Rows whose industries include this one (code or name); Invalid for an unknown industry."""
    code = resolve_industry(industry)
    if code is None:
        raise Invalid.field("industry", unknown_industry_message(industry), "unknown industry")
    return cast(column, String).like(f'%"{code}"%')


def region_condition(province: Any, region: str) -> Any:
    """A province (any spelling), or the eastern R&D regions, or Guangxi."""
    key = region.strip().lower()
    if key == "eastern":
        return province.in_(sorted(EASTERN_PROVINCES))
    if key == "guangxi":
        return province == "广西"
    return province == normalise_province(region)


def _statement(kind: str, model: type[Any], actor: Actor, given: dict[str, Any]) -> Any:
    stmt = select(model).order_by(model.id)
    if kind in LOADS:
        stmt = stmt.options(LOADS[kind])
    conds = [visible_condition(kind, actor)]
    if "industry" in given:
        conds.append(industry_condition(model.industries, given["industry"]))
    if "region" in given:
        province, join = REGION[kind]
        if join is not None:
            stmt = stmt.join(Organisation, join)
        conds.append(region_condition(province, given["region"]))
    for name, column in EQUALS.items():
        if name in given:
            conds.append(getattr(model, column) == given[name])
    if "q" in given:
        text = model.name if kind in ("park", "organisation") else model.title
        conds.append(text.contains(given["q"]))
    if "trl_min" in given:
        conds.append(model.trl >= given["trl_min"])
    if "trl_max" in given:
        conds.append(model.trl <= given["trl_max"])
    return stmt.where(*[c for c in conds if c is not None])


def list_records(
    session: Session,
    actor: Actor,
    kind: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> Listing:
    """A page of one kind's records, filtered, in id order, as this caller may see them."""
    model = model_of(kind)
    given = (filters or Filters()).given()
    unsupported = sorted(set(given) - ACCEPTED[kind])
    if unsupported:
        raise Invalid(
            f"{kind} 不能按 {'、'.join(unsupported)} 筛选 / {kind} cannot be filtered by "
            f"{', '.join(unsupported)}",
            [FieldProblem(name, "unsupported filter") for name in unsupported],
        )
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    stmt = _statement(kind, model, actor, given)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(limit).offset(offset)).unique().all()
    return Listing(list(rows), total, limit, offset)


def park_items(
    session: Session, park_id: int, kind: str, limit: int
) -> tuple[int, Sequence[Need | Scenario]]:
    """How many open needs or scenarios a park has, and the most recently changed of them."""
    model: Any = ITEM_MODELS[kind]
    if not hasattr(model, "park_id"):
        raise Invalid.field("kind", f"{kind} 不属于园区 / a {kind} belongs to no park")
    cond = (model.park_id == park_id, model.status == "active")
    total = session.scalar(select(func.count()).select_from(model).where(*cond)) or 0
    rows = session.scalars(
        select(model).where(*cond).order_by(model.updated_at.desc(), model.id.desc()).limit(limit)
    )
    return total, list(rows)


def parks_overview(session: Session) -> tuple[list[Park], dict[str, dict[int, int]]]:
    """Every park (national first) and, per park, how many open needs and scenarios it has."""
    parks = list(session.scalars(select(Park).order_by(Park.level, Park.id)))
    counts: dict[str, dict[int, int]] = {}
    for name, model in (("needs", Need), ("scenarios", Scenario)):
        rows = session.execute(
            select(model.park_id, func.count())
            .where(model.status == "active", model.park_id.is_not(None))
            .group_by(model.park_id)
        )
        counts[name] = {int(pid): int(n) for pid, n in rows if pid is not None}
    return parks, counts
