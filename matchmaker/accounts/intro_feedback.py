"""An introduction's steps as pair feedback: the funnel statistics and the re-ranker learn from them.

An introduction joins the requester's own item (the need, achievement or scenario the
recommendation or search was for) and the target item; on the track that ranks one for the other
they form a pair. Each step is stored on that pair through `ranking.feedback`, dated when it
happened:

| step | feedback | funnel stage |
|---|---|---|
| requested | accept (the requester took up the match) | viewed |
| accepted | contacted (contacts exchanged) | contacted |
| declined | reject, reason "other" (never recommended to that item again) | viewed |
| met | met | met |
| signed | signed | signed |

Each step carries the features the pair was last shown with; a pair that was never shown (found
by search) is scored now and logged as shown, so the re-ranker can train on it. Without a
recommender (the index still loading) the step is stored without features: the funnel counts it,
the re-ranker skips it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import Introduction
from matchmaker.catalog.kinds import OWNER_COLUMN
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.messages import UserFacingError
from matchmaker.ranking.feedback import PairKey, ShownRow, add_feedback, latest_shown, log_shown
from matchmaker.ranking.tracks import TRACKS
from matchmaker.store.feedback import PairFeedback, ShownRecommendation
from matchmaker.store.models import ITEM_MODELS

log = logging.getLogger(__name__)

# The feedback action (and reject reason) each step of an introduction is stored as.
STEP_ACTION: dict[str, tuple[str, str | None]] = {
    "requested": ("accept", None),
    "accepted": ("contacted", None),
    "declined": ("reject", "other"),
    "met": ("met", None),
    "signed": ("signed", None),
}
STEP_NOTE = "对接请求 #{id}：{step}"


def _oriented(track: str, a: tuple[str, int], b: tuple[str, int]) -> PairKey | None:
    """The pair of two records on a track, in the direction the track ranks it (or None)."""
    routes = TRACKS[track]
    if b[0] in routes.targets(a[0]):
        return PairKey(track, a[0], a[1], b[0], b[1])
    if a[0] in routes.targets(b[0]):
        return PairKey(track, b[0], b[1], a[0], a[1])
    return None


def candidate_pairs(
    source: tuple[str, int] | None, target: tuple[str, int], from_org: int
) -> list[PairKey]:
    """Every pair the requester's item (or, without one, its organisation) forms with the target,
    one per track that ranks it, in the order of the tracks."""
    side = source if source is not None else ("organisation", from_org)
    found = (_oriented(name, side, target) for name in TRACKS)
    return [p for p in found if p is not None]


def pairs_with(source_kind: str, target_kind: str) -> bool:
    """Whether an item of one kind forms a pair with an item of another on some track."""
    return bool(candidate_pairs((source_kind, 0), (target_kind, 0), 0))


def choose_pair(
    session: Session,
    source: tuple[str, int] | None,
    target: tuple[str, int],
    from_org: int,
    track: str | None = None,
) -> PairKey | None:
    """The pair an introduction is about: on the given track when it fits, else on the track it
    was last shown on, else on the first track that ranks it (None when no track does)."""
    pairs = candidate_pairs(source, target, from_org)
    for pair in pairs:
        if pair.track == track:
            return pair
    shown = [(s, p) for p in pairs if (s := latest_shown(session, p)) is not None]
    if shown:
        return max(shown, key=lambda sp: (sp[0].shown_at, sp[0].id))[1]
    return pairs[0] if pairs else None


def pair_of(row: Introduction) -> PairKey | None:
    """The pair an introduction was recorded on (None for one that names no track)."""
    if row.track is None or row.track not in TRACKS:
        return None
    source = (row.source_kind, row.source_id) if row.source_kind and row.source_id else None
    pairs = candidate_pairs(source, (row.target_kind, row.target_id), row.from_org_id)
    return next((p for p in pairs if p.track == row.track), None)


def own_sources(session: Session, org_id: int, target_kind: str) -> list[tuple[str, Any]]:
    """The organisation's published items that pair with an item of `target_kind`, newest first
    (the choices of "on behalf of which of our items")."""
    out: list[tuple[str, Any]] = []
    for kind in ITEM_KINDS:
        if not pairs_with(kind, target_kind):
            continue
        model: Any = ITEM_MODELS[kind]
        owner = getattr(model, OWNER_COLUMN[kind])
        rows = session.scalars(
            select(model).where(owner == org_id, model.status == "active").order_by(model.id.desc())
        )
        out.extend((kind, item) for item in rows)
    return out


def _shown(session: Session, recommender: Any, pair: PairKey) -> ShownRecommendation | None:
    """The latest time the pair was shown; if never, the pair scored now and logged as shown."""
    found = latest_shown(session, pair)
    if found is not None or recommender is None:
        return found
    try:
        scored = recommender.score_pairs(
            session,
            pair.track,
            pair.source_kind,
            pair.source_id,
            pair.target_kind,
            [pair.target_id],
        ).get(pair.target_id)
        model = recommender.scorer(TRACKS[pair.track]).name
    except (LookupError, ValueError, UserFacingError):  # e.g. the item was deleted since
        log.warning("introduction pair %s could not be scored", pair, exc_info=True)
        return None
    features = dict(scored.features.values) if scored is not None else {}
    score = scored.score if scored is not None else 0.0
    return log_shown(session, [ShownRow(pair, 0, score, features, model)])[0]


def record(
    session: Session,
    row: Introduction,
    step: str,
    at: dt.datetime,
    *,
    actor: str | None = None,
    recommender: Any = None,
) -> PairFeedback | None:
    """Store one step of an introduction as feedback on its pair (in the caller's transaction);
    None when the introduction forms no pair."""
    pair = pair_of(row)
    if pair is None:
        return None
    action, reason = STEP_ACTION[step]
    return add_feedback(
        session,
        pair,
        action,
        reason=reason,
        note=STEP_NOTE.format(id=row.id, step=step),
        actor=actor,
        shown=_shown(session, recommender, pair),
        at=at,
    )


__all__ = [
    "STEP_ACTION",
    "candidate_pairs",
    "choose_pair",
    "own_sources",
    "pair_of",
    "pairs_with",
    "record",
]
