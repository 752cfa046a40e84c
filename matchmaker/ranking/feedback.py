"""Record what was shown and what parties said about it; read it back for filtering and training."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.store.feedback import (
    ACTION_GAIN,
    FEEDBACK_ACTIONS,
    REJECT_REASONS,
    PairFeedback,
    ShownRecommendation,
)
from matchmaker.store.models import utcnow


class BadFeedback(ValueError):
    """An action or reason outside the fixed vocabulary."""


@dataclass(frozen=True)
class PairKey:
    """A pair on a track, in the direction it was recommended (the source is the party)."""

    track: str
    source_kind: str
    source_id: int
    target_kind: str
    target_id: int


@dataclass(frozen=True)
class ShownRow:
    """What the ranker produced for one pair, as it is logged."""

    pair: PairKey
    rank: int
    score: float
    features: dict[str, float]
    model: str


def check_action(action: str, reason: str | None) -> tuple[str, str | None]:
    """Normalise and validate an action and its reason (a reject without a reason is 'other')."""
    action = action.strip().lower()
    if action not in FEEDBACK_ACTIONS:
        choices = "、".join(f"{k}（{v}）" for k, v in FEEDBACK_ACTIONS.items())
        raise BadFeedback(f"未知的反馈动作“{action}”，可选：{choices} / unknown action")
    if reason is not None:
        reason = reason.strip().lower()
        if reason not in REJECT_REASONS:
            choices = "、".join(f"{k}（{v}）" for k, v in REJECT_REASONS.items())
            raise BadFeedback(f"未知的拒绝原因“{reason}”，可选：{choices} / unknown reason")
        if action != "reject":
            raise BadFeedback("只有拒绝（reject）需要原因 / only a reject takes a reason")
    elif action == "reject":
        reason = "other"
    return action, reason


def log_shown(session: Session, rows: Iterable[ShownRow]) -> list[ShownRecommendation]:
    """Store the pairs a party was shown with their features, so later feedback can train on them."""
    now = utcnow()
    stored = [
        ShownRecommendation(
            track=r.pair.track,
            source_kind=r.pair.source_kind,
            source_id=r.pair.source_id,
            target_kind=r.pair.target_kind,
            target_id=r.pair.target_id,
            rank=r.rank,
            score=r.score,
            features={k: round(float(v), 6) for k, v in r.features.items()},
            model=r.model,
            shown_at=now,
        )
        for r in rows
    ]
    session.add_all(stored)
    session.flush()
    return stored


def latest_shown(session: Session, pair: PairKey) -> ShownRecommendation | None:
    """The most recent time this pair was shown, if ever."""
    return session.scalars(
        select(ShownRecommendation)
        .where(
            ShownRecommendation.track == pair.track,
            ShownRecommendation.source_kind == pair.source_kind,
            ShownRecommendation.source_id == pair.source_id,
            ShownRecommendation.target_kind == pair.target_kind,
            ShownRecommendation.target_id == pair.target_id,
        )
        .order_by(ShownRecommendation.shown_at.desc(), ShownRecommendation.id.desc())
        .limit(1)
    ).first()


def add_feedback(
    session: Session,
    pair: PairKey,
    action: str,
    *,
    reason: str | None = None,
    note: str = "",
    actor: str | None = None,
    shown: ShownRecommendation | None = None,
    at: dt.datetime | None = None,
) -> PairFeedback:
    """Store one verdict or outcome given by the source side (the party) of a pair."""
    action, reason = check_action(action, reason)
    row = PairFeedback(
        track=pair.track,
        source_kind=pair.source_kind,
        source_id=pair.source_id,
        target_kind=pair.target_kind,
        target_id=pair.target_id,
        party_kind=pair.source_kind,
        party_id=pair.source_id,
        action=action,
        reason=reason,
        note=note,
        actor=actor,
        shown_id=shown.id if shown is not None else None,
        created_at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def rejected_targets(
    session: Session, party_kind: str, party_id: int, target_kind: str
) -> set[int]:
    """Targets this party rejected on any track: they are never recommended to it again."""
    return set(
        session.scalars(
            select(PairFeedback.target_id).where(
                PairFeedback.party_kind == party_kind,
                PairFeedback.party_id == party_id,
                PairFeedback.target_kind == target_kind,
                PairFeedback.action == "reject",
            )
        )
    )


def list_feedback(
    session: Session,
    *,
    track: str | None = None,
    party: tuple[str, int] | None = None,
    limit: int = 50,
) -> Sequence[PairFeedback]:
    """Newest feedback first, optionally for one track or one party."""
    query = select(PairFeedback).order_by(PairFeedback.created_at.desc(), PairFeedback.id.desc())
    if track is not None:
        query = query.where(PairFeedback.track == track)
    if party is not None:
        query = query.where(PairFeedback.party_kind == party[0], PairFeedback.party_id == party[1])
    return session.scalars(query.limit(limit)).all()


@dataclass(frozen=True)
class LabelledExample:
    """One pair with the feature vector it was shown with and the outcome it had."""

    pair: PairKey
    features: dict[str, float]
    label: int  # 1 accepted or further, 0 rejected
    gain: int  # graded outcome for nDCG: reject 0 … signed 4
    at: dt.datetime


def training_examples(session: Session, track: str) -> list[LabelledExample]:
    """One example per pair with feedback on a track: its latest verdict, the best outcome reached
    (signed beats met beats contacted beats accept), and the features it was shown with."""
    rows = session.execute(
        select(PairFeedback, ShownRecommendation)
        .join(ShownRecommendation, PairFeedback.shown_id == ShownRecommendation.id)
        .where(PairFeedback.track == track)
        .order_by(PairFeedback.created_at, PairFeedback.id)
    ).all()
    by_pair: dict[PairKey, tuple[int, dict[str, float], dt.datetime]] = {}
    for feedback, shown in rows:
        pair = PairKey(
            feedback.track,
            feedback.source_kind,
            feedback.source_id,
            feedback.target_kind,
            feedback.target_id,
        )
        gain = ACTION_GAIN[feedback.action]
        previous = by_pair.get(pair)
        if feedback.action == "reject" or previous is None or previous[0] == 0:
            best = gain  # a later verdict replaces an earlier one
        else:
            best = max(previous[0], gain)
        by_pair[pair] = (best, dict(shown.features), feedback.created_at)
    return [
        LabelledExample(pair, features, int(gain > 0), gain, at)
        for pair, (gain, features, at) in by_pair.items()
        if features  # a pair judged while closed has no features to learn from
    ]
