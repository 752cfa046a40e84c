"""API keys on the web (/admin/keys): a signed-in platform admin creates keys for machines (the
key is shown once, on the answer page), lists them and revokes them. Same rules as
`matchmaker apikey` (`matchmaker.store.auth`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.pages import account_text  # noqa: F401 - registers the page strings
from api.pages.forms import FormDep, text, to_int
from api.pages.web import Page, PageDep, PageError
from matchmaker.core.errors import NotFound
from matchmaker.policy.actor import EVENTS_ALL
from matchmaker.store.auth import ROLES, create_key, list_keys, revoke_key
from matchmaker.store.models import Organisation

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


def _admin(page: Page) -> None:
    """Platform admins only (people or admin keys)."""
    user = page.permit(EVENTS_ALL)
    if not user.as_actor().is_admin:
        raise PageError(403)


def _render(page: Page, status: int = 200, **extra: object) -> HTMLResponse:
    orgs = {o.id: o.name for o in page.db.scalars(select(Organisation).order_by(Organisation.name))}
    context: dict[str, object] = {"new_key": None, "error": None, **extra}
    return page.render(
        "keys.html",
        status_code=status,
        nav="keys",
        keys=list_keys(page.db),
        roles=ROLES,
        organisations=orgs,
        **context,
    )


@router.get("/admin/keys", response_class=HTMLResponse)
def keys_page(page: PageDep) -> HTMLResponse:
    """Every key (never its secret) and the form that creates one."""
    _admin(page)
    return _render(page)


@router.post("/admin/keys", response_class=HTMLResponse)
def create(request: Request, page: PageDep, form: FormDep) -> HTMLResponse:
    """Create a key and show it once."""
    _admin(page)
    page.check_csrf(text(form, "csrf", 100))
    role = text(form, "role", 20)
    name = text(form, "name", 100) or "web"
    org = to_int(form.get("organisation_id"), 1, MAX_ID) if form.get("organisation_id") else None
    if org is not None and page.db.get(Organisation, org) is None:
        return _render(page, 400, error=page.t("account.org.unknown"))
    try:
        key = create_key(page.db, name=name, role=role, organisation_id=org)
    except ValueError as exc:
        page.db.rollback()
        return _render(page, 400, error=str(exc))
    page.db.commit()
    return _render(page, 201, new_key=key)


@router.post("/admin/keys/{key_id}/revoke", response_class=HTMLResponse)
def revoke(key_id: str, request: Request, page: PageDep, form: FormDep) -> Response:
    """Revoke a key: it stops working at once (its browser sessions too)."""
    _admin(page)
    number = to_int(key_id, 1, MAX_ID)
    page.check_csrf(text(form, "csrf", 100))
    try:
        if number is None:
            raise NotFound("no such key")
        revoke_key(page.db, number)
    except NotFound as exc:
        raise PageError(404) from exc
    page.db.commit()
    return page.redirect("/admin/keys", page.t("keys.revoked", id=number))
