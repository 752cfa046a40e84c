"""Industry labels an import could not map, kept for staff to map (`matchmaker import labels`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow


class LabelFlag(Base):
    """One unknown industry label of one imported record (kept as written), until mapped."""

    __tablename__ = "label_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(32), index=True)  # organisation, achievement …
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(32), default="industries")
    label: Mapped[str] = mapped_column(String(64), index=True)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_to: Mapped[str | None] = mapped_column(String(32))
