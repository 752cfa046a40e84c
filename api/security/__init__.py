"""The app's defences in one place: streaming body limits, security headers, forwarded headers
from trusted proxies only, and abuse limits (429 with Retry-After). Who may do what is decided
by `matchmaker.policy`; this package guards the transport."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.security.body import BodyLimitMiddleware
from api.security.headers import SecurityHeadersMiddleware
from api.security.throttle import Throttled, make_throttle
from matchmaker.core.config import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares, the throttle (`app.state.throttle`) and the 429 handler to the app."""
    app.state.throttle = make_throttle(settings)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.proxies:  # outermost: every later layer sees the real client and scheme
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies)

    @app.exception_handler(Throttled)
    async def _throttled(request: Request, exc: Exception) -> Response:
        """429: an HTML page for people, a problem document for API clients."""
        assert isinstance(exc, Throttled)
        from api.pages.errors import render_error, wants_page
        from api.problems import problem_response

        if wants_page(request):
            response = render_error(request, 429, exc.detail)
            response.headers.update(exc.headers)
            return response
        return problem_response(request, 429, exc.detail, headers=exc.headers)
