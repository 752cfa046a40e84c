"""Which financial products fit a need or an achievement: by stage (TRL), amount (万元) and
industry, each fit stated as a plain Chinese reason. A product that contradicts a stated fact
(another industry, a stage or an amount outside its range) is left out; unknown facts are neutral.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.taxonomy import industry_zh
from matchmaker.finance.models import PRODUCT_TYPES, FinanceProduct
from matchmaker.store.models import Achievement, Need

LIMIT = 3
WEIGHTS = {"industry": 0.4, "stage": 0.3, "amount": 0.3}
NEUTRAL = 0.5


@dataclass
class FinanceMatch:
    """A product that fits an item, its score (0–100) and why."""

    product: FinanceProduct
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def type_zh(self) -> str:
        """The product's type in Chinese."""
        return PRODUCT_TYPES.get(self.product.product_type, self.product.product_type)


def _money(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g}–{high:g} 万元" if low != high else f"{low:g} 万元"
    if low is not None:
        return f"{low:g} 万元以上"
    return f"{high:g} 万元以内" if high is not None else "不限"


def _overlaps(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    lo = max(x for x in (a[0], b[0], 0.0) if x is not None)
    hi = min((x for x in (a[1], b[1]) if x is not None), default=float("inf"))
    return lo <= hi


def _facts(
    item: Need | Achievement,
) -> tuple[list[str], int | None, tuple[float | None, float | None], str]:
    if isinstance(item, Need):
        return (
            list(item.industries or []),
            item.min_trl,
            (item.budget_min, item.budget_max),
            "需求预算",
        )
    return list(item.industries or []), item.trl, (item.price_min, item.price_max), "成果报价"


def score_product(product: FinanceProduct, item: Need | Achievement) -> FinanceMatch | None:
    """The product's fit for the item with reasons, or None when a stated fact rules it out."""
    industries, trl, amount, amount_label = _facts(item)
    reasons = [
        f"产品类型：{PRODUCT_TYPES.get(product.product_type, product.product_type)}（{product.provider}）"
    ]
    parts: dict[str, float] = {}
    shared = [c for c in industries if c in (product.industries or [])]
    if product.industries and industries and not shared:
        return None
    if shared:
        parts["industry"] = 1.0
        reasons.append("适用行业：" + "、".join(industry_zh(c) for c in shared))
    else:
        parts["industry"] = NEUTRAL
        if not product.industries:
            reasons.append("不限行业")
    if trl is not None and (product.trl_min is not None or product.trl_max is not None):
        low, high = product.trl_min or 1, product.trl_max or 9
        if not low <= trl <= high:
            return None
        parts["stage"] = 1.0
        reasons.append(f"适用阶段 TRL{low}–{high}，覆盖成熟度 TRL{trl}")
    else:
        parts["stage"] = NEUTRAL
    has_amount = amount != (None, None)
    product_amount = (product.amount_min, product.amount_max)
    if has_amount and product_amount != (None, None):
        if not _overlaps(amount, product_amount):
            return None
        parts["amount"] = 1.0
        reasons.append(f"额度 {_money(*product_amount)}，与{amount_label} {_money(*amount)} 相符")
    else:
        parts["amount"] = NEUTRAL
        if product_amount != (None, None):
            reasons.append(f"额度 {_money(*product_amount)}")
    score = 100.0 * sum(WEIGHTS[k] * v for k, v in parts.items())
    return FinanceMatch(product, score, reasons)


def active_products(session: Session) -> list[FinanceProduct]:
    """Every active product (a short list: one 驿站's offer)."""
    return list(
        session.scalars(
            select(FinanceProduct)
            .where(FinanceProduct.status == "active")
            .order_by(FinanceProduct.id)
        )
    )


def products_for(
    session: Session,
    item: Need | Achievement,
    limit: int = LIMIT,
    products: list[FinanceProduct] | None = None,
) -> list[FinanceMatch]:
    """The active products that fit the item best, best first (at most `limit`)."""
    found = []
    for product in products if products is not None else active_products(session):
        fit = score_product(product, item)
        if fit is not None:
            found.append(fit)
    found.sort(key=lambda m: (-m.score, m.product.id))
    return found[:limit]


def digest_hints(
    session: Session, picked: set[tuple[str, int]], lang: str = "zh"
) -> dict[tuple[str, int], str]:
    """For digest picks (kind, id): one line naming the best fitting product of each open need
    or achievement that has one (nothing when the 驿站 offers no product)."""
    products = active_products(session)
    if not products:
        return {}
    out: dict[tuple[str, int], str] = {}
    for kind, item_id in picked:
        item: Need | Achievement | None = None
        if kind == "need":
            item = session.get(Need, item_id)
        elif kind == "achievement":
            item = session.get(Achievement, item_id)
        if item is None:
            continue
        best = products_for(session, item, 1, products)
        if best:
            m = best[0]
            if lang == "en":
                out[(kind, item_id)] = f"Finance: {m.product.name} ({m.product.provider})"
            else:
                out[(kind, item_id)] = (
                    f"科技金融：{m.product.name}（{m.type_zh}，{m.product.provider}）"
                )
    return out
