"""ORM tables for organisations, parks and the three kinds of matchable items."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from matchmaker.core.vocab import EASTERN_PROVINCES, is_eastern


def utcnow() -> dt.datetime:
    """Timezone-aware now, the one clock every timestamp uses."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite drops the zone; this restores it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class TimestampMixin:
    """created_at / updated_at kept by the database layer."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, index=True
    )


class Organisation(TimestampMixin, Base):
    """A university, research institute, enterprise, park management body or investor."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    city: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[str | None] = mapped_column(String(16))  # small | medium | large
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="SET NULL"))
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(200))
    # 双清零 (policy measure 1): a regulated industrial firm (规上工业企业) and whether it has an
    # R&D institution and R&D activity; None = not reported
    regulated: Mapped[bool | None] = mapped_column(Boolean)
    rd_institution: Mapped[bool | None] = mapped_column(Boolean)
    rd_activity: Mapped[bool | None] = mapped_column(Boolean)

    park: Mapped[Park | None] = relationship(back_populates="organisations")

    @hybrid_property
    def is_eastern(self) -> bool:
        """Derived: the organisation sits in an eastern R&D region (北上广 etc.)."""
        return is_eastern(self.province)

    @is_eastern.inplace.expression
    @classmethod
    def _is_eastern_expression(cls) -> Any:
        return cls.province.in_(sorted(EASTERN_PROVINCES))


class Park(TimestampMixin, Base):
    """A high-tech industrial park (高新区) and its leading industries."""

    __tablename__ = "parks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[str] = mapped_column(String(16))  # national | regional
    province: Mapped[str] = mapped_column(String(32), default="广西")
    city: Mapped[str] = mapped_column(String(64))
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")

    organisations: Mapped[list[Organisation]] = relationship(back_populates="park")


class ItemMixin(TimestampMixin):
    """Fields every matchable item has: identity, text, classification, status, change hash."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    def body(self) -> str:
        """The item's long text (summary or description)."""
        raise NotImplementedError

    def embedding_text(self) -> str:
        """The text that is embedded and indexed: title, keywords and body."""
        parts = [self.title]
        if self.keywords:
            parts.append("关键词：" + "、".join(self.keywords))
        parts.append(self.body())
        return "\n".join(p for p in parts if p)

    def refresh_hash(self) -> str:
        """Recompute the content hash that decides whether the item must be re-embedded."""
        payload = json.dumps([self.embedding_text()], ensure_ascii=False)
        self.content_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return self.content_hash


class Achievement(ItemMixin, Base):
    """A university or firm's research result (科技成果) offered for transfer."""

    __tablename__ = "achievements"
    kind = "achievement"

    summary: Mapped[str] = mapped_column(Text)
    trl: Mapped[int | None] = mapped_column(Integer, index=True)  # None: 未标注 (not stated)
    ipr_status: Mapped[str] = mapped_column(String(16), default="none")
    patent_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    coop_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    price_min: Mapped[float | None] = mapped_column(Float)  # 万元
    price_max: Mapped[float | None] = mapped_column(Float)
    applications: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    owner: Mapped[Organisation] = relationship()

    def body(self) -> str:
        """Summary plus applications."""
        return "\n".join(p for p in (self.summary, self.applications) if p)


class Need(ItemMixin, Base):
    """An enterprise's technical need (企业技术需求)."""

    __tablename__ = "needs"
    kind = "need"

    description: Mapped[str] = mapped_column(Text)
    min_trl: Mapped[int | None] = mapped_column(Integer)
    budget_min: Mapped[float | None] = mapped_column(Float)  # 万元
    budget_max: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    coop_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="SET NULL"))

    enterprise: Mapped[Organisation] = relationship()
    park: Mapped[Park | None] = relationship()

    def body(self) -> str:
        """The need's description."""
        return self.description


class Scenario(ItemMixin, Base):
    """An application scenario (应用场景) a park opens to new technology."""

    __tablename__ = "scenarios"
    kind = "scenario"

    description: Mapped[str] = mapped_column(Text)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_min: Mapped[float | None] = mapped_column(Float)  # 万元
    budget_max: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    park: Mapped[Park | None] = relationship()
    owner: Mapped[Organisation | None] = relationship()

    def body(self) -> str:
        """Description plus the capabilities sought."""
        caps = ("所需能力：" + "、".join(self.capabilities)) if self.capabilities else ""
        return "\n".join(p for p in (self.description, caps) if p)


ITEM_MODELS: dict[str, type[Achievement] | type[Need] | type[Scenario]] = {
    "achievement": Achievement,
    "need": Need,
    "scenario": Scenario,
}

__all__ = [
    "Base",
    "Organisation",
    "Park",
    "Achievement",
    "Need",
    "Scenario",
    "ITEM_MODELS",
    "utcnow",
    "func",
]
