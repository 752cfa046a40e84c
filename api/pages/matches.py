"""'My matches' (/my/matches): the current recommendations for each published item of the
signed-in member's organisation, per track, with their reasons and 'not relevant' buttons; what
appeared since the member's last visit is marked new (the last visit is kept in a signed cookie)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from api.pages import account_text  # noqa: F401 - registers the page strings
from api.pages.feedback import REASON_CODES
from api.pages.items import RecSection, is_open, recommendation_sections
from api.pages.web import PageDep
from matchmaker.catalog import publishing
from matchmaker.core.config import get_settings
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.policy.actor import ITEMS_SUBMIT
from matchmaker.store.models import ITEM_MODELS, utcnow

router = APIRouter(include_in_schema=False)
SEEN_COOKIE = "mm_matches_seen"
MAX_ITEMS = 5  # the organisation's newest open items (each costs a recommendation per track)


@dataclass
class ItemMatches:
    """One of the organisation's items and its recommendation sections."""

    kind: str
    item: Any
    sections: list[RecSection]


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="matchmaker.pages.matches-seen")


def last_visit(request: Request) -> dt.datetime | None:
    """When this browser last opened the page (None the first time or for a forged cookie)."""
    raw = request.cookies.get(SEEN_COOKIE)
    if not raw:
        return None
    try:
        stamp = _signer().loads(raw)
    except BadSignature:
        return None
    return dt.datetime.fromtimestamp(stamp, dt.UTC) if isinstance(stamp, int | float) else None


def new_targets(
    db: Any, groups: list[ItemMatches], since: dt.datetime | None
) -> set[tuple[str, int]]:
    """(kind, id) of recommended items created after the last visit."""
    if since is None:
        return set()
    wanted: dict[str, set[int]] = {}
    for group in groups:
        for section in group.sections:
            for view in section.items:
                if view.rec.target_kind in ITEM_KINDS:
                    wanted.setdefault(view.rec.target_kind, set()).add(view.rec.target_id)
    fresh: set[tuple[str, int]] = set()
    for kind, ids in wanted.items():
        model = ITEM_MODELS[kind]
        rows = db.execute(select(model.id, model.created_at).where(model.id.in_(ids)))
        fresh.update((kind, rid) for rid, created in rows if created and created > since)
    return fresh


@router.get("/my/matches", response_class=HTMLResponse)
def my_matches(request: Request, page: PageDep) -> HTMLResponse:
    """The organisation's open items with their current recommendations per track."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    items = [(k, i) for k, i in publishing.organisation_items(page.db, actor) if is_open(i)]
    groups = [
        ItemMatches(kind, item, recommendation_sections(request, page, item))
        for kind, item in items[:MAX_ITEMS]
    ]
    since = last_visit(request)
    response = page.render(
        "my_matches.html",
        nav="matches",
        groups=groups,
        more=max(0, len(items) - MAX_ITEMS),
        fresh=new_targets(page.db, groups, since),
        since=since,
        reason_codes=REASON_CODES,
    )
    response.set_cookie(
        SEEN_COOKIE,
        _signer().dumps(round(utcnow().timestamp(), 3)),
        max_age=400 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/my",
    )
    return response
