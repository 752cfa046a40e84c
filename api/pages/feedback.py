"""'不相关' (not relevant) buttons: who may give feedback on a pair, and the route recording it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from api.pages import engine
from api.pages.forms import FormDep, text, to_int, wants_json
from api.pages.session import PageUser, safe_next
from api.pages.web import PageDep, PageError
from matchmaker.catalog.access import Actor, exists, speaks_for
from matchmaker.core.kinds import SOURCE_KINDS
from matchmaker.policy.actor import CATALOG_WRITE
from matchmaker.store.feedback import REJECT_REASONS

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class FeedbackTarget:
    """A pair the person may reject: the source is their item (or any, for organisers)."""

    track: str
    source_kind: str
    source_id: int
    target_kind: str
    target_id: int


def actor_of(user: PageUser | None) -> Actor:
    """The signed-in person (or a visitor) as the catalogue's rules know callers."""
    return Actor() if user is None else user.as_actor()


def may_give_feedback(session: Session, user: PageUser | None, kind: str, item_id: int) -> bool:
    """Organisers and admins speak for any source; an enterprise only for its own items."""
    return user is not None and speaks_for(session, actor_of(user), kind, item_id)


REASON_CODES: tuple[str, ...] = tuple(REJECT_REASONS)


@router.post("/feedback")
def give_feedback(request: Request, page: PageDep, form: FormDep) -> Response:
    """Record a 'not relevant' verdict through the rank layer; the pair is not shown again."""
    back = safe_next(text(form, "next", 2000))
    if page.user is None:
        if wants_json(request):
            return JSONResponse({"ok": False, "login": page.login_url("feedback")}, status_code=401)
        return page.redirect("/login?" + urlencode({"next": back, "why": "feedback"}))
    page.check_csrf(text(form, "csrf", 100))
    user = page.permit(CATALOG_WRITE)
    source_kind = text(form, "source_kind", 20)
    source_id = to_int(form.get("source_id"), 1, MAX_ID)
    target_id = to_int(form.get("target_id"), 1, MAX_ID)
    reason = text(form, "reason", 32) or "other"
    if (
        source_kind not in SOURCE_KINDS
        or source_id is None
        or target_id is None
        or reason not in REJECT_REASONS
        or not exists(page.db, source_kind, source_id)
    ):
        raise PageError(400)
    if not may_give_feedback(page.db, user, source_kind, source_id):
        raise PageError(403, page.t("fb.denied"))
    rec = engine.recommender(request)
    if rec is None:
        raise PageError(503, page.t("search.unavailable"))
    try:
        rec.record_feedback(
            page.db,
            text(form, "track", 32),
            source_kind,
            source_id,
            text(form, "target_kind", 20),
            target_id,
            "reject",
            reason=reason,
            actor=user.actor,
        )
        page.db.commit()
    except (LookupError, ValueError) as exc:  # unknown ids, wrong track or route, bad reason
        page.db.rollback()
        message = page.t("fb.error", message=str(exc))
        if wants_json(request):
            return JSONResponse({"ok": False, "message": message}, status_code=422)
        return page.redirect(back, message, "error")
    done = page.t("fb.done")
    if wants_json(request):
        return JSONResponse({"ok": True, "message": done})
    return page.redirect(back, done)


def _with_param(url: str, name: str, value: str | None) -> str:
    """A local URL with one query parameter set (None removes it)."""
    from urllib.parse import parse_qsl, urlsplit, urlunsplit

    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    if value is not None:
        params.append((name, value))
    return urlunsplit(("", "", parts.path, urlencode(params), ""))


@router.post("/search-feedback")
def give_search_feedback(request: Request, page: PageDep, form: FormDep) -> Response:
    """Record 'not relevant' on a search result against the query typed (and against a need
    only when the person picked one); back to the results with an undo button."""
    from matchmaker.retrieval import search_feedback
    from matchmaker.retrieval.query import BadQuery

    back = safe_next(text(form, "next", 2000))
    if page.user is None:
        return page.redirect("/login?" + urlencode({"next": back, "why": "feedback"}))
    page.check_csrf(text(form, "csrf", 100))
    user = page.permit(CATALOG_WRITE)
    reason = text(form, "reason", 32) or "other"
    try:
        row = search_feedback.record(
            page.db,
            query=text(form, "q", 500),
            kind=text(form, "kind", 20),
            item_id=to_int(form.get("item_id"), 1, MAX_ID) or 0,
            verdict="not_relevant",
            reason=reason,
            need_id=to_int(form.get("need_id"), 1, MAX_ID) if form.get("need_id") else None,
            organisation_id=user.organisation_id,
            actor=user.actor,
        )
        page.db.commit()
    except (search_feedback.FeedbackRefused, BadQuery) as exc:
        page.db.rollback()
        return page.redirect(back, page.t("fb.error", message=str(exc)), "error")
    return page.redirect(_with_param(back, "fb", str(row.id)))


@router.post("/search-feedback/{feedback_id}/undo")
def undo_search_feedback(
    request: Request, page: PageDep, form: FormDep, feedback_id: int
) -> Response:
    """Take a 'not relevant' back: the result shows again for that query."""
    from matchmaker.retrieval import search_feedback

    back = _with_param(safe_next(text(form, "next", 2000)), "fb", None)
    if page.user is None:
        return page.redirect("/login?" + urlencode({"next": back, "why": "feedback"}))
    page.check_csrf(text(form, "csrf", 100))
    user = page.permit(CATALOG_WRITE)
    try:
        search_feedback.undo(
            page.db, feedback_id, user.organisation_id, user.actor, any_owner=user.role == "admin"
        )
        page.db.commit()
    except LookupError as exc:
        raise PageError(404) from exc
    return page.redirect(back, page.t("fb.undone"))
