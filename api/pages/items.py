"""The item page (/items/{kind}/{id}): details, contacts for allowed roles, recommendations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages import engine
from api.pages.feedback import REASON_CODES, FeedbackTarget, actor_of, may_give_feedback
from api.pages.forms import to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.catalog.listing import get_record
from matchmaker.core.errors import NotFound
from matchmaker.core.kinds import EAST_TO_GUANGXI, ITEM_KINDS
from matchmaker.core.messages import UserFacingError
from matchmaker.core.vocab import is_guangxi
from matchmaker.policy.actor import ITEMS_SUBMIT
from matchmaker.policy.catalog import owner_id
from matchmaker.ranking.results import Recommendation, no_good_match
from matchmaker.ranking.tracks import TRACKS
from matchmaker.retrieval.explain import Item, organisation_of, park_name
from matchmaker.store.models import Achievement

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
PER_SECTION = 5


@dataclass
class RecView:
    """One recommendation with where it links and the pair a 'not relevant' click rejects."""

    rec: Recommendation
    url: str | None
    feedback: FeedbackTarget | None
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    ask_url: str | None = None  # the target's introduction form, on behalf of the source item


@dataclass
class RecSection:
    """The recommendations of one track for one target kind."""

    track: str
    target_kind: str | None
    items: list[RecView] = field(default_factory=list)
    error: str | None = None
    note: str | None = None  # the track does not apply to this item (said once, no targets)

    @property
    def no_good_match(self) -> bool:
        """Every recommended pair is calibrated 低 (nothing here is likely to fit)."""
        return no_good_match([v.rec for v in self.items])


def target_url(kind: str, target_id: int) -> str | None:
    """Where a recommended target can be read (organisations have no page of their own)."""
    if kind in ITEM_KINDS:
        return f"/items/{kind}/{target_id}"
    if kind == "park":
        return f"/parks/{target_id}"
    return None


def is_open(item: Item) -> bool:
    """Active and not past its deadline: only open items get recommendations."""
    deadline = getattr(item, "deadline", None)
    return item.status == "active" and (deadline is None or deadline >= dt.date.today())


def recommendation_sections(request: Request, page: Page, item: Item) -> list[RecSection]:
    """One section per (track, target kind) this item's kind is a source for."""
    rec = engine.recommender(request)
    may = may_give_feedback(page.db, page.user, item.kind, item.id)
    asks = _asks_for(page, item)
    sections: list[RecSection] = []
    for track in TRACKS.values():
        if track.name == EAST_TO_GUANGXI and _made_in_guangxi(item):
            sections.append(RecSection(track.name, None, note=page.t("item.east_only")))
            continue
        for target in track.targets(item.kind):
            section = RecSection(track.name, target)
            sections.append(section)
            if rec is None:
                section.error = page.t("search.unavailable")
                continue
            try:
                found = rec.recommend(
                    page.db, track.name, item.kind, item.id, PER_SECTION, target_kind=target
                )
            except UserFacingError as exc:  # e.g. a Guangxi result on east-to-guangxi
                section.error = exc.render(page.lang)
                continue
            for r in found:
                fb = (
                    FeedbackTarget(track.name, item.kind, item.id, r.target_kind, r.target_id)
                    if may
                    else None
                )
                evidence = [(e.title, target_url(e.kind, e.id) or "") for e in r.evidence[:3]]
                ask = (
                    f"/items/{r.target_kind}/{r.target_id}?from={item.kind}:{item.id}"
                    f"&track={track.name}#ask-intro"
                    if asks and r.target_kind in ITEM_KINDS
                    else None
                )
                section.items.append(
                    RecView(r, target_url(r.target_kind, r.target_id), fb, evidence, ask)
                )
    return sections


def _asks_for(page: Page, item: Item) -> bool:
    """Whether the person may ask for introductions on behalf of this item (a member of its
    organisation, the item published)."""
    if page.user is None or item.status != "active":
        return False
    actor = page.user.as_actor()
    owner = owner_id(item)
    return actor.can(ITEMS_SUBMIT) and owner is not None and actor.acts_for(owner)


def _made_in_guangxi(item: Item) -> bool:
    """An achievement owned in Guangxi: the east-to-Guangxi track starts from eastern results."""
    org = organisation_of(item)
    return isinstance(item, Achievement) and org is not None and is_guangxi(org.province)


@dataclass
class AskForm:
    """The introduction form of an item page: which of the person's own items it is for (the
    choices, the one chosen), the track it came from, what was typed and what was wrong."""

    sources: list[tuple[str, Any]]
    chosen: str = ""  # "kind:id" of the chosen own item
    track: str = ""
    message: str = ""
    error: str | None = None
    field: str | None = None


@router.get("/items/{kind}/{item_id}", response_class=HTMLResponse)
def item_page(kind: str, item_id: str, request: Request, page: PageDep) -> HTMLResponse:
    """Details of one achievement, need or scenario and what it pairs with on each track."""
    item = visible_item(page, kind, item_id)
    ask = None
    if may_introduce(page, item):
        ask = AskForm(
            own_sources(page, item),
            chosen=request.query_params.get("from", "")[:40],
            track=request.query_params.get("track", "")[:32],
        )
    return render_item(request, page, item, ask)


def visible_item(page: Page, kind: str, item_id: str) -> Item:
    """The item the person may see by kind and id from the URL, or a 404 page."""
    number = to_int(item_id, 1, MAX_ID)
    item: Any = None
    if kind in ITEM_KINDS and number is not None:
        try:
            item = get_record(page.db, actor_of(page.user), kind, number)
        except NotFound:  # drafts of others are 'not found', as in the API
            item = None
    if item is None:
        label = page.t(f"item.kind.{kind}") if kind in ITEM_KINDS else kind
        raise PageError(404, page.t("error.item_missing", kind=label, id=item_id))
    return item


def render_item(
    request: Request, page: Page, item: Item, ask: AskForm | None, status: int = 200
) -> HTMLResponse:
    """The item page, with the introduction form as given (None: no form)."""
    return page.render(
        "item.html",
        status_code=status,
        item=item,
        kind=item.kind,
        organisation=organisation_of(item),
        park=park_name(item),
        open=is_open(item),
        sections=recommendation_sections(request, page, item),
        reason_codes=REASON_CODES,
        anonymous=page.user is None,
        introduce=ask,
        finance=finance_for(page, item),
    )


def own_sources(page: Page, item: Item) -> list[tuple[str, Any]]:
    """The person's organisation's published items an introduction to `item` may be for."""
    from matchmaker.accounts.intro_feedback import own_sources as sources

    org = page.user.as_actor().organisation_id if page.user is not None else None
    return sources(page.db, org, item.kind) if org is not None else []


def may_introduce(page: Page, item: Item) -> bool:
    """Whether the person may ask the item's organisation for an introduction: a member of
    another organisation, about a published item that has one."""
    if page.user is None or item.status != "active":
        return False
    actor = page.user.as_actor()
    owner = owner_id(item)
    return actor.can(ITEMS_SUBMIT) and owner is not None and not actor.acts_for(owner)


def finance_for(page: Page, item: Any) -> list[Any]:
    """科技金融驿站: the financial products that fit an open need or achievement."""
    from matchmaker.finance.match import products_for
    from matchmaker.store.models import Achievement, Need

    if not isinstance(item, Need | Achievement) or not is_open(item):
        return []
    return list(products_for(page.db, item))
