"""Friendly HTML error pages for people; API clients keep getting problem+json.

A request is a person's when it is not for the API or the docs and its Accept header asks for
HTML (browsers always do). Page routes raise `PageError`; unknown paths reach Starlette's 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.pages.session import safe_next
from api.pages.web import Page, PageError, choose_lang, make_page
from matchmaker.store.db import session_factory

log = logging.getLogger("matchmaker.pages")
API_PREFIXES = ("/api/", "/docs", "/redoc", "/openapi.json", "/health", "/ready", "/static/")
Handler = Callable[[Request, Any], Any]
MESSAGES = {
    400: ("error.400", None),
    401: ("error.401", "login.why_required"),
    403: ("error.403", "error.403_lead"),
    404: ("error.404", "error.404_lead"),
    409: ("error.409", None),
    422: ("error.422", None),
    429: ("error.429", None),
    503: ("error.500", "search.unavailable"),
}


def wants_page(request: Request) -> bool:
    """A person's browser asking for a page (not an API client, not the API docs)."""
    path = request.url.path
    if any(path.startswith(p) for p in API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def render_error(request: Request, status: int, message: str | None = None) -> Response:
    """The error page for a status, in the person's language, with ways to go on."""
    session = None
    try:
        session = session_factory()()
        page = make_page(request, session)
    except Exception:  # the database itself may be the problem: show the page without a user
        page = Page(request, None, None, choose_lang(request))
    try:
        title_key, lead_key = MESSAGES.get(status, ("error.500", "error.500_lead"))
        return page.render(
            "error.html",
            status_code=status,
            status=status,
            title=page.t(title_key),
            message=message or (page.t(lead_key) if lead_key else page.t(title_key)),
        )
    finally:
        if session is not None:
            session.close()


def _login_redirect(request: Request) -> Response:
    if request.method == "GET":
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        back = safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    target = "/login?" + urlencode({"next": back, "why": "required"})
    return RedirectResponse(target, status_code=303)


def install_error_pages(app: FastAPI) -> None:
    """Wrap the app's HTTP and unexpected-error handlers so people get HTML error pages."""
    previous_http: Handler | None = app.exception_handlers.get(StarletteHTTPException)
    previous_any: Handler | None = app.exception_handlers.get(Exception)

    async def page_error(request: Request, exc: Exception) -> Response:
        """A page refused: log in first (401) or read the error page."""
        assert isinstance(exc, PageError)
        if exc.status == 401:
            return _login_redirect(request)
        return render_error(request, exc.status, exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        """Unknown paths: an HTML 404 for people, the problem document for clients."""
        assert isinstance(exc, StarletteHTTPException)
        if wants_page(request) and exc.status_code in (404, 405):
            return render_error(request, 404)
        if previous_http is None:
            raise exc
        return await previous_http(request, exc)

    async def unexpected(request: Request, exc: Exception) -> Response:
        """A bug: a logged HTML 500 for people, the problem document for clients."""
        if wants_page(request):
            log.exception("unhandled error on page %s", request.url.path)
            return render_error(request, 500)
        if previous_any is None:
            raise exc
        return await previous_any(request, exc)

    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
