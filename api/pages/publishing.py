"""Self-service publishing pages: "our items" of the signed-in member's organisation, the
draft form (the importer's fields, rules and messages; refused values come back with the field
named), submit for review, and the reviewers' queue of submitted items (publish / send back).
The rules live in `matchmaker.catalog.publishing`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from api.deps import loaded_index
from api.pages import account_text  # noqa: F401 - registers the page strings
from api.pages.forms import FormDep, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.catalog import publishing
from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.readers import ReadError
from matchmaker.catalog.parsers import parse_block
from matchmaker.core.errors import Forbidden, Invalid, NotFound
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.messages import label
from matchmaker.policy.actor import ITEMS_REVIEW, ITEMS_SUBMIT

router = APIRouter(include_in_schema=False)
LABELLED = {"industries": "industry", "coop_modes": "coop", "ipr_status": "ipr"}
FIELD_MAX = 20000


def _number(value: str) -> int:
    """A record id from the path; anything else is a page that does not exist."""
    number = to_int(value, 1, 2**31 - 1)
    if number is None:
        raise PageError(404)
    return number


def _kind(kind: str) -> str:
    if kind not in ITEM_KINDS:
        raise PageError(404)
    return kind


def _shown(name: str, value: Any) -> str:
    """A stored value as the form shows it (lists joined by 、, codes by their Chinese names)."""
    if value is None:
        return ""
    group = LABELLED.get(name)
    if isinstance(value, list):
        return "、".join(label(group, v, "zh") if group else str(v) for v in value)
    if group:
        return label(group, str(value), "zh")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _render_form(
    page: Page,
    kind: str,
    values: dict[str, str],
    item: Any = None,
    problems: dict[str, str] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    fields = [
        (spec.name, spec.label_zh, spec.required, spec.parse is parse_block)
        for spec in publishing.form_fields(kind)
    ]
    return page.render(
        "item_form.html",
        status_code=422 if problems or error else 200,
        nav="mine",
        kind=kind,
        item=item,
        fields=fields,
        values=values,
        problems=problems or {},
        error=error,
        history=publishing.history(page.db, kind, item.id) if item is not None else [],
        live=item is not None and item.status == "active" and publishing.edits_live(page.db, item),
    )


def _read_values(kind: str, form: Any) -> dict[str, str]:
    return {
        spec.name: text(form, spec.name, FIELD_MAX, multiline=spec.parse is parse_block)
        for spec in publishing.form_fields(kind)
    }


@router.get("/my/items", response_class=HTMLResponse)
def my_items(page: PageDep) -> HTMLResponse:
    """The organisation's items in every status, with what can be done next."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    return page.render(
        "my_items.html",
        nav="mine",
        items=publishing.organisation_items(page.db, actor),
        problems=[],
        upload_name=None,
    )


@router.post("/my/items/imports", response_class=HTMLResponse)
def upload(request: Request, page: PageDep, form: FormDep) -> Response:
    """Import the organisation's own spreadsheet as drafts, all or nothing; the importer's report
    (row, field, reason) is shown on the page when anything is wrong."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    page.check_csrf(text(form, "csrf", 100))
    kind = _kind(text(form, "kind", 20))
    upload = form.get("file")
    if not isinstance(upload, StarletteUpload) or not upload.filename:
        return page.redirect("/my/items", page.t("mine.upload_missing"), "error")
    data = upload.file.read()
    try:
        report = publishing.import_drafts(
            page.db, actor, kind, upload.filename, data, index=loaded_index(request)
        )
    except ReadError as exc:
        return page.redirect("/my/items", str(exc), "error")
    except ImportFailed as exc:
        return page.render(
            "my_items.html",
            status_code=422,
            nav="mine",
            items=publishing.organisation_items(page.db, actor),
            problems=exc.report.problems,
            upload_name=upload.filename,
        )
    return page.redirect("/my/items", page.t("mine.uploaded", n=report.created))


@router.get("/my/items/new/{kind}", response_class=HTMLResponse)
def new_item_form(kind: str, page: PageDep) -> HTMLResponse:
    """An empty draft form for one kind."""
    page.permit(ITEMS_SUBMIT)
    return _render_form(page, _kind(kind), {})


@router.get("/my/items/{kind}/{item_id}/edit", response_class=HTMLResponse)
def edit_item_form(kind: str, item_id: str, page: PageDep) -> HTMLResponse:
    """The form of one of the organisation's items, filled in."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    try:
        item = publishing.own_item(page.db, actor, _kind(kind), _number(item_id))
    except NotFound as exc:
        raise PageError(404) from exc
    values = {
        spec.name: _shown(spec.name, getattr(item, spec.name, None))
        for spec in publishing.form_fields(kind)
    }
    return _render_form(page, kind, values, item)


def _save(request: Request, page: Page, form: Any, kind: str, item_id: int | None) -> Response:
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    _kind(kind)
    page.check_csrf(text(form, "csrf", 100))
    values = _read_values(kind, form)
    item = None
    try:
        if item_id is not None:
            item = publishing.own_item(page.db, actor, kind, item_id)
        saved = publishing.save_draft(
            page.db, actor, kind, values, item_id, index=loaded_index(request)
        )
        if text(form, "then", 10) == "submit" and saved.status == "draft":
            publishing.submit(page.db, actor, kind, saved.id)
    except NotFound as exc:
        raise PageError(404) from exc
    except Forbidden as exc:
        raise PageError(403, exc.message) from exc
    except Invalid as exc:
        page.db.rollback()
        problems = {p.field: p.message for p in exc.fields}
        return _render_form(page, kind, values, item, problems, exc.message)
    key = "mine.submitted" if saved.status == "pending" else "mine.saved"
    return page.redirect("/my/items", page.t(key, title=saved.title))


@router.post("/my/items/new/{kind}", response_class=HTMLResponse)
def create_item(kind: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Save a new draft (and submit it when asked); a refused form keeps the values."""
    return _save(request, page, form, kind, None)


@router.post("/my/items/{kind}/{item_id}/edit", response_class=HTMLResponse)
def change_item(
    kind: str, item_id: str, request: Request, page: PageDep, form: FormDep
) -> Response:
    """Save changes to an item (a published one goes back to review)."""
    return _save(request, page, form, kind, _number(item_id))


@router.post("/my/items/{kind}/{item_id}/submit", response_class=HTMLResponse)
def submit_item(
    kind: str, item_id: str, request: Request, page: PageDep, form: FormDep
) -> Response:
    """Send a draft to the park's reviewers."""
    actor = page.permit(ITEMS_SUBMIT).as_actor()
    page.check_csrf(text(form, "csrf", 100))
    try:
        item = publishing.submit(page.db, actor, _kind(kind), _number(item_id))
    except NotFound as exc:
        raise PageError(404) from exc
    except Invalid as exc:
        return page.redirect("/my/items", exc.message, "error")
    return page.redirect("/my/items", page.t("mine.submitted", title=item.title))


@router.post("/review/items/{kind}/{item_id}", response_class=HTMLResponse)
def review_item(
    kind: str, item_id: str, request: Request, page: PageDep, form: FormDep
) -> Response:
    """Publish a submitted item (searchable at once) or send it back with a comment."""
    actor = page.permit(ITEMS_REVIEW).as_actor()
    page.check_csrf(text(form, "csrf", 100))
    decision = text(form, "decision", 10)
    comment = text(form, "comment", 2000, multiline=True)
    try:
        if decision == "publish":
            item = publishing.publish(
                page.db, actor, _kind(kind), _number(item_id), index=loaded_index(request)
            )
            message = page.t("review.published", title=item.title)
        else:
            item = publishing.send_back(page.db, actor, _kind(kind), _number(item_id), comment)
            message = page.t("review.returned", title=item.title)
    except NotFound as exc:
        raise PageError(404) from exc
    except Forbidden as exc:
        raise PageError(403, exc.message) from exc
    except Invalid as exc:
        return page.redirect("/review", exc.message, "error")
    return page.redirect("/review", message)
