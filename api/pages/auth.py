"""Log in with e-mail and password (people) or by pasting an API key (staff tools), kept as a
signed HttpOnly cookie, and log out. Failed logins are limited per client address and, for
passwords, per account."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.pages import account_text  # noqa: F401 - registers the page strings
from api.pages.forms import FormDep, text
from api.pages.session import (
    clear_session,
    login_with_account,
    login_with_key,
    safe_next,
    set_session,
)
from api.pages.web import Page, PageDep
from api.security.throttle import Throttled, client_address, throttle_of
from matchmaker.accounts import service
from matchmaker.accounts.errors import AccountError

router = APIRouter(include_in_schema=False)
WHY_KEYS = {"feedback": "login.why_feedback", "required": "login.why_required"}


def _form(page: Page, back: str, status: int = 200, **context: object) -> HTMLResponse:
    defaults: dict[str, object] = {"why": None, "error": None, "key_error": None, "email": ""}
    return page.render("login.html", status_code=status, next=back, **{**defaults, **context})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, page: PageDep) -> HTMLResponse:
    """The login form; `why` says what the person was trying to do."""
    why = WHY_KEYS.get(request.query_params.get("why", ""))
    return _form(page, safe_next(request.query_params.get("next")), why=why)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, page: PageDep, form: FormDep) -> Response:
    """Check the e-mail and password (or the pasted key); on success set the session cookie and
    go back where the person was."""
    page.check_origin()
    back = safe_next(text(form, "next", 2000))
    if "email" in form:
        return _password_login(request, page, back, text(form, "email", 254), form)
    key = text(form, "api_key", 200)
    guard, client = throttle_of(request), client_address(request)
    try:
        guard.check("login", client)
        token = login_with_key(page.db, key) if key else None
        if token is None and key:
            guard.failed("login", client)
    except Throttled as exc:
        refused = _form(page, back, 429, key_error=exc.detail)
        refused.headers.update(exc.headers)
        return refused
    if token is None:
        error = page.t("login.bad_key") if key else page.t("login.empty_key")
        return _form(page, back, 401, key_error=error)
    response = page.redirect(back)
    set_session(response, request, token)
    return response


def _password_login(
    request: Request, page: Page, back: str, email: str, form: FormData
) -> Response:
    password = str(form.get("password") or "")[:400]
    account = email.strip().lower()[:254] or "-"
    guard, client = throttle_of(request), client_address(request)
    try:
        guard.check("login", client)
        guard.check("login-account", account)
        if not email or not password:
            return _form(page, back, 400, error=page.t("login.empty_password"), email=email)
        try:
            user = service.authenticate(page.db, email, password)
        except AccountError as exc:  # right password, address not verified yet
            return _form(page, back, exc.status, error=exc.render(page.lang), email=email)
        if user is None:
            guard.failed("login-account", account)
            guard.failed("login", client)
            return _form(page, back, 401, error=page.t("account.login.wrong"), email=email)
    except Throttled as exc:
        refused = _form(page, back, 429, error=exc.detail, email=email)
        refused.headers.update(exc.headers)
        return refused
    guard.forget("login-account", account)
    response = page.redirect(back if back != "/" else "/account")
    set_session(response, request, login_with_account(user))
    return response


@router.post("/logout")
def logout(request: Request, page: PageDep, form: FormDep) -> Response:
    """End the browser session (a form post with the session's CSRF token)."""
    page.check_csrf(text(form, "csrf", 100))
    response = page.redirect("/", page.t("logout.done"))
    clear_session(response)
    return response
