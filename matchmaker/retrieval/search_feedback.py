"""Feedback on search results, stored against the query (not against a need the searcher did
not pick), undoable, and applied to the same organisation's later searches for that query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.query import clean_query
from matchmaker.store.feedback import REJECT_REASONS
from matchmaker.store.models import ITEM_MODELS, Need, utcnow
from matchmaker.store.search_feedback import SEARCH_VERDICTS, SearchFeedback


class FeedbackRefused(ValueError):
    """The feedback cannot be recorded or undone; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def record(
    session: Session,
    *,
    query: str,
    kind: str,
    item_id: int,
    verdict: str,
    actor: str,
    organisation_id: int | None,
    reason: str | None = None,
    need_id: int | None = None,
    relevance: float | None = None,
) -> SearchFeedback:
    """Store one verdict on one result of a query (cleaned as searches clean it)."""
    if kind not in ITEM_KINDS:
        raise FeedbackRefused("kind", f"kind 应为 {'/'.join(ITEM_KINDS)} / unknown kind")
    if verdict not in SEARCH_VERDICTS:
        raise FeedbackRefused("verdict", f"verdict 应为 {'/'.join(SEARCH_VERDICTS)}")
    if reason is not None and (verdict != "not_relevant" or reason not in REJECT_REASONS):
        raise FeedbackRefused("reason", f"原因只用于“不相关”，应为 {'/'.join(REJECT_REASONS)}")
    if session.get(ITEM_MODELS[kind], item_id) is None:
        raise FeedbackRefused("item_id", f"没有编号为 {item_id} 的{kind} / no such item")
    if need_id is not None:
        need = session.get(Need, need_id)
        if need is None or (organisation_id is not None and need.enterprise_id != organisation_id):
            raise FeedbackRefused("need_id", "只能记在本企业的需求上 / not one of your needs")
    row = SearchFeedback(
        query=clean_query(query),
        kind=kind,
        item_id=item_id,
        verdict=verdict,
        reason=reason,
        organisation_id=organisation_id,
        need_id=need_id,
        actor=actor,
        relevance=relevance,
    )
    session.add(row)
    session.flush()
    return row


def undo(
    session: Session,
    feedback_id: int,
    organisation_id: int | None,
    actor: str,
    any_owner: bool = False,
) -> SearchFeedback:
    """Take a verdict back (idempotent): the caller who gave it, anyone of its organisation, or
    `any_owner` (admins); LookupError when it is not there or not the caller's."""
    row = session.get(SearchFeedback, feedback_id)
    mine = row is not None and (
        row.actor == actor
        or (organisation_id is not None and row.organisation_id == organisation_id)
    )
    if row is None or not (any_owner or mine):
        raise LookupError(f"没有编号为 {feedback_id} 的反馈 / no such feedback")
    if row.undone_at is None:
        row.undone_at = utcnow()
        session.flush()
    return row


def hidden_items(
    session: Session, organisation_id: int | None, kind: str, query: str
) -> frozenset[int]:
    """Items the organisation marked not relevant for this very query (and did not take back)."""
    if organisation_id is None:
        return frozenset()
    text = clean_query(query)
    rows = session.scalars(
        select(SearchFeedback.item_id).where(
            SearchFeedback.organisation_id == organisation_id,
            SearchFeedback.kind == kind,
            SearchFeedback.query == text,
            SearchFeedback.verdict == "not_relevant",
            SearchFeedback.undone_at.is_(None),
        )
    )
    return frozenset(int(i) for i in rows)


GRADE_OF_VERDICT = {"useful": 2, "not_relevant": 0}


def judgements(session: Session) -> list[dict[str, object]]:
    """Every standing (not undone) verdict as a graded judgement (query, kind, item's external id,
    grade): 有用 → 2, 不相关 → 0, and 1 where people disagreed on the same query and item."""
    verdicts: dict[tuple[str, str, int], list[int]] = {}
    rows = session.execute(
        select(
            SearchFeedback.query,
            SearchFeedback.kind,
            SearchFeedback.item_id,
            SearchFeedback.verdict,
        )
        .where(SearchFeedback.undone_at.is_(None))
        .order_by(SearchFeedback.id)
    )
    for query, kind, item_id, verdict in rows:
        verdicts.setdefault((query, kind, int(item_id)), []).append(GRADE_OF_VERDICT[verdict])
    out: list[dict[str, object]] = []
    for (query, kind, item_id), grades in verdicts.items():
        item: Any = session.get(ITEM_MODELS[kind], item_id)
        if item is None:
            continue
        grade = grades[0] if len(set(grades)) == 1 else 1
        out.append(
            {
                "query": query,
                "kind": kind,
                "external_id": str(item.external_id),
                "grade": grade,
                "verdicts": len(grades),
            }
        )
    return out
