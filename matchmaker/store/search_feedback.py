"""ORM table for feedback given on a search result: stored against the query, undoable."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow

# What a searcher can say about one result of one query.
SEARCH_VERDICTS: dict[str, str] = {"useful": "有用", "not_relevant": "不相关"}


class SearchFeedback(Base):
    """One verdict on one result of one query, by one caller; `need_id` only when the caller
    picked one of their needs for it; `undone_at` set when taken back (the row stays, for the
    evaluation's record)."""

    __tablename__ = "search_feedback"
    __table_args__ = (Index("ix_search_feedback_query", "organisation_id", "kind", "query"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True
    )
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("needs.id", ondelete="SET NULL"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(64))
    relevance: Mapped[float | None] = mapped_column(nullable=True)  # what the search showed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
