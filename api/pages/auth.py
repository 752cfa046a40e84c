"""Log in by pasting an API key (kept as a signed HttpOnly cookie) and log out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.forms import FormDep, text
from api.pages.session import clear_session, login_with_key, safe_next, set_session
from api.pages.web import PageDep
from api.security.throttle import Throttled, client_address, throttle_of

router = APIRouter(include_in_schema=False)
WHY_KEYS = {"feedback": "login.why_feedback", "required": "login.why_required"}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, page: PageDep) -> HTMLResponse:
    """The login form; `why` says what the person was trying to do."""
    why = WHY_KEYS.get(request.query_params.get("why", ""))
    return page.render(
        "login.html",
        next=safe_next(request.query_params.get("next")),
        why=why,
        error=None,
    )


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, page: PageDep, form: FormDep) -> Response:
    """Check the pasted key; on success set the session cookie and go back where the person was."""
    page.check_origin()
    key = text(form, "api_key", 200)
    back = safe_next(text(form, "next", 2000))
    guard, client = throttle_of(request), client_address(request)
    try:
        guard.check("login", client)
        token = login_with_key(page.db, key) if key else None
        if token is None and key:
            guard.failed("login", client)
    except Throttled as exc:
        refused = page.render("login.html", status_code=429, next=back, why=None, error=exc.detail)
        refused.headers.update(exc.headers)
        return refused
    if token is None:
        error = page.t("login.bad_key") if key else page.t("login.empty_key")
        return page.render("login.html", status_code=401, next=back, why=None, error=error)
    response = page.redirect(back)
    set_session(response, request, token)
    return response


@router.post("/logout")
def logout(request: Request, page: PageDep, form: FormDep) -> Response:
    """End the browser session (a form post with the session's CSRF token)."""
    page.check_csrf(text(form, "csrf", 100))
    response = page.redirect("/", page.t("logout.done"))
    clear_session(response)
    return response
