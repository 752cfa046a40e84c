"""What every page shares: templates, language choice, the signed-in person, rendering, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.deps import get_session
from api.i18n import DEFAULT_LANG, HTML_LANG, Translator, labeller, normalise_lang, translator
from api.pages import session as web_session
from api.pages.session import PageUser

log = logging.getLogger("matchmaker.security")
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LANG_COOKIE = "mm_lang"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


class PageError(Exception):
    """A page cannot be shown: rendered as a friendly HTML error page with this status."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or str(status))
        self.status = status
        self.message = message


def choose_lang(request: Request) -> str:
    """?lang= first, then the language cookie, then Chinese."""
    return (
        normalise_lang(request.query_params.get("lang"))
        or normalise_lang(request.cookies.get(LANG_COOKIE))
        or DEFAULT_LANG
    )


@dataclass
class Page:
    """One page request: who asks, in which language, with the database session."""

    request: Request
    session: Session | None
    user: PageUser | None
    lang: str
    t: Translator = field(init=False)
    label: Mapping[str, Callable[[str], str]] = field(init=False)

    def __post_init__(self) -> None:
        self.t = translator(self.lang)
        self.label = labeller(self.lang)

    @property
    def db(self) -> Session:
        """The database session (every routed page has one)."""
        if self.session is None:
            raise RuntimeError("no database session on this page")
        return self.session

    @property
    def html_lang(self) -> str:
        """The value of <html lang>."""
        return HTML_LANG.get(self.lang, "zh-CN")

    @property
    def csrf(self) -> str:
        """The token this session's forms send back."""
        return web_session.csrf_token(self.request)

    @property
    def here(self) -> str:
        """This page's path and query, for returning to it after a login or a form."""
        url = self.request.url
        return url.path + (f"?{url.query}" if url.query else "")

    def switch_lang_url(self) -> str:
        """This page in the other language."""
        other = "zh" if self.lang == "en" else "en"
        items = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return self.request.url.path + "?" + urlencode([*items, ("lang", other)])

    def login_url(self, reason: str | None = None) -> str:
        """The login page, returning here afterwards."""
        params = {"next": self.here}
        if reason:
            params["why"] = reason
        return "/login?" + urlencode(params)

    def require(self, *roles: str) -> PageUser:
        """The signed-in person with one of these roles (any role if none given), else an error."""
        if self.user is None:
            raise PageError(401)
        if roles and self.user.role not in roles:
            raise PageError(403)
        return self.user

    def permit(self, capability: str) -> PageUser:
        """The signed-in person if their role has this capability (policy), else an error page."""
        user = self.require()
        if not user.as_actor().can(capability):
            raise PageError(403)
        return user

    def check_origin(self) -> None:
        """Refuse a form posted from another site (its Origin or Referer is not ours)."""
        if not web_session.same_origin(self.request):
            log.warning(
                "refused cross-origin form post to %s from %s",
                self.request.url.path,
                self.request.headers.get("origin") or self.request.headers.get("referer"),
            )
            raise PageError(403, self.t("error.origin"))

    def check_csrf(self, token: str | None) -> None:
        """Refuse a form posted from another site or whose token does not belong to this session."""
        self.check_origin()
        if not web_session.csrf_ok(self.request, token):
            raise PageError(400, self.t("error.csrf"))

    def _remember_lang(self, response: Response) -> None:
        chosen = normalise_lang(self.request.query_params.get("lang"))
        if chosen is not None and chosen != normalise_lang(self.request.cookies.get(LANG_COOKIE)):
            response.set_cookie(
                LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", path="/"
            )

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render a template with the page, then remember the language and clear the flash."""
        flash = web_session.read_flash(self.request)
        response = templates.TemplateResponse(
            self.request,
            name,
            {"page": self, "t": self.t, "label": self.label, "flash": flash, **context},
            status_code=status_code,
        )
        self._remember_lang(response)
        if flash is not None:
            response.delete_cookie(web_session.FLASH_COOKIE, path="/")
        return response

    def redirect(self, url: str, message: str | None = None, level: str = "ok") -> Response:
        """See-other redirect after a form, with an optional one-time message."""
        response = RedirectResponse(url, status_code=303)
        if message:
            web_session.set_flash(response, message, level)
        self._remember_lang(response)
        return response


def make_page(request: Request, session: Session | None) -> Page:
    """A page for a request (the session may be None on error pages without a database)."""
    user = web_session.current_user(request, session) if session is not None else None
    return Page(request, session, user, choose_lang(request))


def get_page(request: Request, session: Annotated[Session, Depends(get_session)]) -> Page:
    """The page dependency of every page route."""
    return make_page(request, session)


PageDep = Annotated[Page, Depends(get_page)]
