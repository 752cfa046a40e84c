"""'不相关' (not relevant) buttons: who may give feedback on a pair, and the route recording it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from api.pages import engine
from api.pages.forms import read_form, text, to_int, wants_json
from api.pages.session import PageUser, safe_next
from api.pages.web import PageDep, PageError
from matchmaker.core.kinds import SOURCE_KINDS
from matchmaker.store.feedback import REJECT_REASONS
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Park, Scenario

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


def owner_of(session: Session, kind: str, item_id: int) -> int | None:
    """The organisation that owns a source item (None for parks and unknown ids)."""
    model = ITEM_MODELS.get(kind)
    item = session.get(model, item_id) if model is not None else None
    if isinstance(item, Achievement):
        return item.owner_id
    if isinstance(item, Need):
        return item.enterprise_id
    if isinstance(item, Scenario):
        return item.owner_id
    return None


def may_give_feedback(session: Session, user: PageUser | None, kind: str, item_id: int) -> bool:
    """Organisers and admins speak for any source; an enterprise only for its own items."""
    if user is None or not user.writes:
        return False
    if user.organises:
        return True
    if kind == "park" or user.organisation_id is None:
        return False
    return owner_of(session, kind, item_id) == user.organisation_id


REASON_CODES: tuple[str, ...] = tuple(REJECT_REASONS)


def _source_exists(session: Session, kind: str, item_id: int) -> bool:
    if kind == "park":
        return session.get(Park, item_id) is not None
    model = ITEM_MODELS.get(kind)
    return model is not None and session.get(model, item_id) is not None


@router.post("/feedback")
async def give_feedback(request: Request, page: PageDep) -> Response:
    """Record a 'not relevant' verdict through the rank layer; the pair is not shown again."""
    form = await read_form(request)
    back = safe_next(text(form, "next", 2000))
    if page.user is None:
        if wants_json(request):
            return JSONResponse({"ok": False, "login": page.login_url("feedback")}, status_code=401)
        return page.redirect("/login?" + urlencode({"next": back, "why": "feedback"}))
    page.check_csrf(text(form, "csrf", 100))
    user = page.require("admin", "organiser", "enterprise")
    source_kind = text(form, "source_kind", 20)
    source_id = to_int(form.get("source_id"), 1, MAX_ID)
    target_id = to_int(form.get("target_id"), 1, MAX_ID)
    reason = text(form, "reason", 32) or "other"
    if (
        source_kind not in SOURCE_KINDS
        or source_id is None
        or target_id is None
        or reason not in REJECT_REASONS
        or not _source_exists(page.db, source_kind, source_id)
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
