"""Feedback under /api/v1: on recommended pairs (accept, reject with a reason, contacted, met,
signed; the re-ranker learns from it) and on search results (against the query, with undo)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api import problems
from api.deps import (
    Caller,
    OrganiserDep,
    SessionDep,
    WriterDep,
    recommender,
)
from api.problems import Problem
from matchmaker.core.kinds import ItemKind, SourceKind, TargetKind, TrackName
from matchmaker.core.text import Block, Line
from matchmaker.retrieval import search_feedback
from matchmaker.retrieval.search import BadQuery
from matchmaker.store.feedback import FEEDBACK_ACTIONS, REJECT_REASONS
from matchmaker.store.models import Need

router = APIRouter(
    prefix="/api/v1",
    tags=["检索与推荐 Search & recommendations"],
    responses=problems.COMMON_RESPONSES | problems.documented(503),
)


MAX_ID = 2**31 - 1  # the largest id a path or body may name


class FeedbackIn(BaseModel):
    track: TrackName
    source_kind: SourceKind
    source_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    target_kind: TargetKind
    target_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    action: Annotated[
        Line,
        Field(
            json_schema_extra={"enum": list(FEEDBACK_ACTIONS)},
            description="accept 接受 / reject 拒绝 / contacted 已联系 / met 已洽谈 / signed 已签约",
        ),
    ]
    reason: Annotated[
        Line | None,
        Field(
            json_schema_extra={"enum": [*REJECT_REASONS, None]},
            description="拒绝原因 (reject only)",
        ),
    ] = None
    note: Annotated[Block, Field(max_length=2000)] = ""


class FeedbackOut(BaseModel):
    id: int
    track: str
    source_kind: str
    source_id: int
    target_kind: str
    target_id: int
    action: str
    reason: str | None
    note: str
    created_at: Any


def _may_give_feedback(session: Any, caller: Caller, body: FeedbackIn) -> None:
    """Enterprises give feedback only on pairs whose source is their own need."""
    if caller.role in ("admin", "organiser"):
        return
    if body.source_kind == "need":
        need = session.get(Need, body.source_id)
        if need is not None and need.enterprise_id == caller.organisation_id:
            return
    raise Problem(
        403,
        "企业只能对本机构需求的推荐给出反馈 / enterprises give feedback on their own needs' pairs only",
    )


@router.post(
    "/feedback", response_model=FeedbackOut, status_code=201, summary="配对反馈 Feedback on a pair"
)
def post_feedback(
    request: Request, body: FeedbackIn, session: SessionDep, caller: WriterDep
) -> dict[str, Any]:
    """Record accept / reject (with reason) / contacted / met / signed; rejected pairs are not shown again."""
    from matchmaker.ranking.context import UnknownSource

    _may_give_feedback(session, caller, body)
    rec = recommender(request)
    try:
        row = rec.record_feedback(
            session,
            body.track,
            body.source_kind,
            body.source_id,
            body.target_kind,
            body.target_id,
            body.action,
            reason=body.reason,
            note=body.note,
            actor=f"key:{caller.key_id}",
        )
        session.commit()
    except UnknownSource as exc:
        raise Problem(404, str(exc)) from exc
    except ValueError as exc:
        raise Problem(
            422, str(exc), [{"field": "action", "in": "body", "message": str(exc)}]
        ) from exc
    return {c: getattr(row, c) for c in FeedbackOut.model_fields}


class FeedbackPage(BaseModel):
    items: list[FeedbackOut]
    total: int


@router.get("/feedback", response_model=FeedbackPage, summary="反馈记录 List feedback (organisers)")
def list_feedback(
    session: SessionDep,
    caller: OrganiserDep,
    track: Annotated[TrackName | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """Feedback rows, newest first (organisers and admins)."""
    from sqlalchemy import func, select

    from matchmaker.store.feedback import PairFeedback

    stmt = select(PairFeedback)
    if track:
        stmt = stmt.where(PairFeedback.track == track)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(PairFeedback.id.desc()).limit(limit).offset(offset)).all()
    return {
        "items": [{c: getattr(r, c) for c in FeedbackOut.model_fields} for r in rows],
        "total": total,
    }


class SearchFeedbackIn(BaseModel):
    q: Annotated[Line, Field(min_length=1, max_length=500, description="检索时的问题 the query")]
    kind: ItemKind = "achievement"
    item_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    verdict: Annotated[
        Line,
        Field(json_schema_extra={"enum": ["useful", "not_relevant"]}, description="有用 / 不相关"),
    ]
    reason: Annotated[
        Line | None,
        Field(json_schema_extra={"enum": [*REJECT_REASONS, None]}, description="不相关的原因"),
    ] = None
    need_id: Annotated[
        int | None,
        Field(
            ge=1,
            le=MAX_ID,
            description="仅当用户选定时：同时记在本企业的这条需求上 / only when the user picks it",
        ),
    ] = None
    relevance: Annotated[float | None, Field(ge=0, le=1)] = None


class SearchFeedbackOut(BaseModel):
    id: int
    query: str
    kind: str
    item_id: int
    verdict: str
    reason: str | None
    need_id: int | None
    created_at: Any
    undone: bool


def _feedback_out(row: Any) -> dict[str, Any]:
    out = {c: getattr(row, c) for c in SearchFeedbackOut.model_fields if c != "undone"}
    out["undone"] = row.undone_at is not None
    return out


@router.post(
    "/search/feedback",
    response_model=SearchFeedbackOut,
    status_code=201,
    summary="检索结果反馈 Feedback on a search result",
    description="记在这次检索的问题上（不会自动记到某条需求）；同一企业再用同一问题检索时，"
    "标为“不相关”的结果不再出现。可用 DELETE 撤销。 / Stored against the query; not-relevant "
    "results leave the organisation's later searches for the same query; undo with DELETE.",
)
def post_search_feedback(
    body: SearchFeedbackIn, session: SessionDep, caller: WriterDep
) -> dict[str, Any]:
    """Record useful / not relevant on one result of one query."""
    try:
        row = search_feedback.record(
            session,
            query=body.q,
            kind=body.kind,
            item_id=body.item_id,
            verdict=body.verdict,
            reason=body.reason,
            need_id=body.need_id,
            organisation_id=caller.organisation_id,
            actor=f"key:{caller.key_id}",
            relevance=body.relevance,
        )
        session.commit()
    except search_feedback.FeedbackRefused as exc:
        session.rollback()
        raise Problem(
            422, str(exc), [{"field": exc.field, "in": "body", "message": str(exc)}]
        ) from exc
    except BadQuery as exc:
        raise Problem(422, str(exc), [{"field": "q", "in": "body", "message": str(exc)}]) from exc
    return _feedback_out(row)


@router.delete(
    "/search/feedback/{feedback_id}",
    response_model=SearchFeedbackOut,
    summary="撤销检索结果反馈 Undo feedback on a search result",
)
def undo_search_feedback(
    feedback_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, caller: WriterDep
) -> dict[str, Any]:
    """Take a verdict back: the result shows again for that query."""
    try:
        row = search_feedback.undo(
            session,
            feedback_id,
            caller.organisation_id,
            f"key:{caller.key_id}",
            any_owner=caller.role == "admin",
        )
        session.commit()
    except LookupError as exc:
        raise Problem(404, str(exc)) from exc
    return _feedback_out(row)
