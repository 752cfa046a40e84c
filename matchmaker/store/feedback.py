"""ORM tables for recommendations shown and the feedback given on them (trains the re-ranker)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow

# What a party can say about a pair, in the order a collaboration progresses.
FEEDBACK_ACTIONS: dict[str, str] = {
    "accept": "接受",
    "reject": "拒绝",
    "contacted": "已联系",
    "met": "已洽谈",
    "signed": "已签约",
}
# Why a pair was rejected (IN-PART's industry users give the first four most often).
REJECT_REASONS: dict[str, str] = {
    "too_early": "技术太早期",
    "unclear_benefit": "收益不明确",
    "wrong_field": "领域不符",
    "too_vague": "描述太模糊",
    "other": "其他",
}
# Graded relevance of each action (nDCG gain); reject is the only negative outcome.
ACTION_GAIN: dict[str, int] = {"reject": 0, "accept": 1, "contacted": 2, "met": 3, "signed": 4}


class ShownRecommendation(Base):
    """One pair as it was shown: track, rank, score and the feature vector behind the score."""

    __tablename__ = "recommendations_shown"
    __table_args__ = (
        Index(
            "ix_recommendations_shown_pair",
            "track",
            "source_kind",
            "source_id",
            "target_kind",
            "target_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track: Mapped[str] = mapped_column(String(32))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    model: Mapped[str] = mapped_column(String(64), default="hand-set")
    shown_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class PairFeedback(Base):
    """A party's verdict on a pair (accept / reject with reason) or a later outcome (met, signed)."""

    __tablename__ = "pair_feedback"
    __table_args__ = (
        Index("ix_pair_feedback_party", "party_kind", "party_id", "action"),
        Index(
            "ix_pair_feedback_pair", "track", "source_kind", "source_id", "target_kind", "target_id"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track: Mapped[str] = mapped_column(String(32))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    # The party is the source side of the pair: the need, scenario, achievement or park asked for.
    party_kind: Mapped[str] = mapped_column(String(16))
    party_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str | None] = mapped_column(String(64))  # who recorded it (a person's name)
    shown_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations_shown.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


__all__ = [
    "ACTION_GAIN",
    "FEEDBACK_ACTIONS",
    "REJECT_REASONS",
    "PairFeedback",
    "ShownRecommendation",
]
