"""Introduction pages: ask for an introduction from an item page, and "our introductions"
(/my/introductions) where the item's organisation accepts or declines and both sides, once
accepted, see each other's contacts and record meeting and signing. Rules:
`matchmaker.accounts.introductions`."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import (
    account_text,  # noqa: F401 - registers the page strings
    engine,
)
from api.pages.forms import FormDep, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.accounts import introductions as intro
from matchmaker.accounts import mail
from matchmaker.accounts.errors import AccountError
from matchmaker.core.config import get_settings
from matchmaker.core.messages import Text
from matchmaker.policy.actor import ITEMS_SUBMIT, ORGS_APPROVE
from matchmaker.store.models import Organisation

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
ACTIONS = ("accept", "decline", "met", "signed")


def parse_source(value: str) -> tuple[str, int] | None:
    """A form's "kind:id" naming one of the requester's items (None when empty or malformed)."""
    kind, _, number = value.partition(":")
    item_id = to_int(number, 1, MAX_ID)
    return (kind, item_id) if kind and item_id is not None else None


@router.get("/my/introductions", response_class=HTMLResponse)
def my_introductions(page: PageDep) -> HTMLResponse:
    """Requests to and from the organisation, with contacts once accepted."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    incoming, outgoing = intro.for_organisation(page.db, actor)
    rows = incoming + outgoing
    names = {
        o.id: o.name
        for o in page.db.query(Organisation).filter(
            Organisation.id.in_({r.from_org_id for r in rows} | {r.to_org_id for r in rows})
        )
    }
    return page.render(
        "introductions.html",
        nav="intros",
        incoming=incoming,
        outgoing=outgoing,
        names=names,
        titles={r.id: intro.title_of(page.db, r) for r in rows},
        sources={r.id: intro.source_title_of(page.db, r) for r in rows},
        contacts={r.id: intro.contacts(page.db, actor, r) for r in rows},
    )


def ask_again(
    request: Request,
    page: Page,
    kind: str,
    item_id: int,
    exc: AccountError,
    message: str,
    source: str,
) -> Response:
    """The item page again with the form as typed and the wrong field named (400)."""
    from api.pages.items import AskForm, may_introduce, own_sources, render_item, visible_item

    item = visible_item(page, kind, str(item_id))
    if not may_introduce(page, item):
        return page.redirect(f"/items/{kind}/{item_id}", exc.render(page.lang), "error")
    ask = AskForm(
        own_sources(page, item),
        chosen=source,
        message=message,
        error=exc.render(page.lang),
        field=exc.field,
    )
    return render_item(request, page, item, ask, status=400)


@router.post("/introductions", response_class=HTMLResponse)
def ask(request: Request, page: PageDep, background: BackgroundTasks, form: FormDep) -> Response:
    """Ask the organisation behind an item for an introduction (its members get an e-mail)."""
    user = page.permit(ITEMS_SUBMIT)
    page.check_csrf(text(form, "csrf", 100))
    kind = text(form, "target_kind", 20)
    item_id = to_int(form.get("target_id"), 1, MAX_ID) or 0
    back = f"/items/{kind}/{item_id}" if item_id else "/my/introductions"
    raw_source = text(form, "source", 40)
    source = parse_source(raw_source)
    message = text(form, "message", 1000, multiline=True)
    try:
        if raw_source and source is None:
            raise AccountError(Text("intro.bad_source"), "source")
        row = intro.request(
            page.db,
            user.as_actor(),
            kind,
            item_id,
            message,
            user.user_id,
            source=source,
            track=text(form, "track", 32) or None,
            recommender=engine.recommender(request),
        )
    except AccountError as exc:
        if exc.status == 403:
            raise PageError(403, exc.render(page.lang)) from exc
        page.db.rollback()
        if exc.field in ("message", "source") and item_id:
            return ask_again(request, page, kind, item_id, exc, message, raw_source)
        return page.redirect(back, exc.render(page.lang), "error")
    settings = get_settings()
    for msg, to in intro.notices(page.db, settings, row):
        background.add_task(mail.send, msg, to, settings)
    return page.redirect(back, page.t("intros.asked"))


@router.post("/review/introductions/{intro_id}/nudge", response_class=HTMLResponse)
def nudge(
    intro_id: str, request: Request, page: PageDep, background: BackgroundTasks, form: FormDep
) -> Response:
    """Park staff remind an organisation of a request it has not answered (e-mail again)."""
    actor = page.permit(ORGS_APPROVE).as_actor()
    number = to_int(intro_id, 1, MAX_ID)
    if number is None:
        raise PageError(404)
    page.check_csrf(text(form, "csrf", 100))
    settings = get_settings()
    try:
        messages = intro.nudge(page.db, settings, actor, number)
    except AccountError as exc:
        if exc.status in (403, 404):
            raise PageError(exc.status, exc.render(page.lang)) from exc
        return page.redirect("/review", exc.render(page.lang), "error")
    for msg, to in messages:
        background.add_task(mail.send, msg, to, settings)
    return page.redirect("/review", page.t("intros.nudged", n=len(messages)))


@router.post("/introductions/{intro_id}/{action}", response_class=HTMLResponse)
def act(
    intro_id: str,
    action: str,
    request: Request,
    page: PageDep,
    background: BackgroundTasks,
    form: FormDep,
) -> Response:
    """Accept or decline a request (the item's organisation), or record a meeting or a signing."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    number = to_int(intro_id, 1, MAX_ID)
    if number is None or action not in ACTIONS:
        raise PageError(404)
    page.check_csrf(text(form, "csrf", 100))
    try:
        if action in ("accept", "decline"):
            row = intro.decide(
                page.db,
                actor,
                number,
                accept=action == "accept",
                recommender=engine.recommender(request),
            )
            settings = get_settings()
            for msg, to in intro.notices(page.db, settings, row):
                background.add_task(mail.send, msg, to, settings)
        else:
            row = intro.record_step(page.db, actor, number, action, engine.recommender(request))
    except AccountError as exc:
        if exc.status == 404:
            raise PageError(404) from exc
        return page.redirect("/my/introductions", exc.render(page.lang), "error")
    return page.redirect("/my/introductions", page.t(f"intros.done.{row.status}"))
