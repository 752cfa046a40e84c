"""Security headers on every response: a strict Content-Security-Policy (the pages run no inline
script or style), no framing, no MIME sniffing, a short Referer, and HSTS over HTTPS.

A response that sets its own Content-Security-Policy keeps it; files (printable HTML agendas sent
with Content-Disposition, SVG maps) get the sandboxed `DOCUMENT_POLICY` that allows their inline
styles and nothing else; the API docs pages get the looser `DOCS_POLICY` Swagger UI and ReDoc need.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Swagger UI and ReDoc (/docs, /redoc) load their bundles from this server (api/docs.py) and
# start from a static script; their widgets inject styles at run time, so styles may be inline
# there (never scripts). Nothing on those pages comes from users.
DOCS_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
# Files people download or open on their own (printable agendas, SVG maps): styles inline, no
# script, no network, sandboxed.
DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"
FIXED: tuple[tuple[str, str], ...] = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def policy_for(path: str) -> str:
    """The Content-Security-Policy of a path (pages and API alike, the docs apart)."""
    if any(path == p or path.startswith(p + "/") for p in DOCS_PATHS):
        return DOCS_POLICY
    return PAGE_POLICY


def is_document(headers: MutableHeaders) -> bool:
    """A file rather than a page: an SVG drawing, or HTML handed out as a file (printable agendas)."""
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "image/svg+xml":
        return True
    return kind == "text/html" and "content-disposition" in headers


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response (pure ASGI: streaming is untouched).

    HSTS is sent only when the request came over HTTPS; behind a proxy the scheme is the one the
    trusted proxy reports (MATCHMAKER_TRUSTED_PROXIES), never a header from anyone else.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = (
                        DOCUMENT_POLICY if is_document(headers) else policy_for(path)
                    )
                for name, value in FIXED:
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
