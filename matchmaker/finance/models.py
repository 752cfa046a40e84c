"""The financial products table (loans for tech SMEs, IP pledge financing, venture and guidance funds)."""

from __future__ import annotations

from sqlalchemy import JSON, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, TimestampMixin

PRODUCT_TYPES: dict[str, str] = {
    "tech_loan": "科技型中小企业贷款",
    "ip_pledge": "知识产权质押融资",
    "venture": "创业投资基金",
    "guidance_fund": "政府引导基金",
    "other": "其他科技金融产品",
}


class FinanceProduct(TimestampMixin, Base):
    """One financial product: who offers it, for which industries, stages (TRL) and amounts."""

    __tablename__ = "finance_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    product_type: Mapped[str] = mapped_column(String(32), index=True)
    provider: Mapped[str] = mapped_column(String(200))
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: any industry
    trl_min: Mapped[int | None] = mapped_column(Integer)
    trl_max: Mapped[int | None] = mapped_column(Integer)
    amount_min: Mapped[float | None] = mapped_column(Float)  # 万元
    amount_max: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
