"""科技金融驿站 under /api/v1: the financial products, and the ones that fit a need or an
achievement (by stage, amount and industry, with reasons)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from api import problems
from api.deps import ReaderDep, SessionDep
from api.problems import Problem
from matchmaker.catalog.listing import get_record
from matchmaker.catalog.schemas import INDUSTRY_VALUES
from matchmaker.core.errors import NotFound
from matchmaker.core.taxonomy import resolve_industry, unknown_industry_message
from matchmaker.core.text import Line
from matchmaker.finance.match import products_for
from matchmaker.finance.models import PRODUCT_TYPES, FinanceProduct

router = APIRouter(
    prefix="/api/v1", tags=["科技金融 Finance products"], responses=problems.COMMON_RESPONSES
)
MAX_ID = 2**31 - 1


class ProductOut(BaseModel):
    """A financial product as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    external_id: str
    name: str
    product_type: str
    provider: str
    industries: list[str]
    trl_min: int | None
    trl_max: int | None
    amount_min: float | None
    amount_max: float | None
    description: str
    status: str


class ProductPage(BaseModel):
    """A page of products and how many there are."""

    total: int
    items: list[ProductOut]


class MatchOut(BaseModel):
    """A product that fits the item, its score (0–100) and the reasons."""

    product: ProductOut
    score: float
    reasons: list[str]


@router.get(
    "/finance-products",
    response_model=ProductPage,
    summary="科技金融产品 Finance products",
    responses=problems.documented(401, 422),
)
def list_products(
    session: SessionDep,
    caller: ReaderDep,
    industry: Annotated[
        Line | None,
        Query(max_length=64, description="适用行业", json_schema_extra={"enum": INDUSTRY_VALUES}),
    ] = None,
    product_type: Annotated[
        str | None,
        Query(pattern="^(" + "|".join(PRODUCT_TYPES) + ")$", description="产品类型"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """Active products, filtered by industry (products for any industry included) and type."""
    query = select(FinanceProduct).where(FinanceProduct.status == "active")
    if product_type:
        query = query.where(FinanceProduct.product_type == product_type)
    rows = list(session.scalars(query.order_by(FinanceProduct.id)))
    if industry:
        code = resolve_industry(industry)
        if code is None:
            message = unknown_industry_message(industry)
            raise Problem(422, message, [{"field": "industry", "in": "query", "message": message}])
        rows = [r for r in rows if not r.industries or code in r.industries]
    return {"total": len(rows), "items": rows[offset : offset + limit]}


@router.get(
    "/finance-products/matches/{kind}/{item_id}",
    response_model=list[MatchOut],
    summary="适合某需求或成果的科技金融产品 Finance products for a need or an achievement",
    responses=problems.documented(401, 404),
)
def matches(
    kind: Literal["need", "achievement"],
    item_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    caller: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
) -> list[dict[str, Any]]:
    """The products that fit the item best, with the reasons (stage, amount, industry)."""
    try:
        item = get_record(session, caller.actor, kind, item_id)  # others' drafts: not found
    except NotFound as exc:
        raise Problem(404, str(exc)) from exc
    return [
        {"product": m.product, "score": round(m.score, 1), "reasons": m.reasons}
        for m in products_for(session, item, limit)
    ]
