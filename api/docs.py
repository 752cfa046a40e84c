"""The interactive API documentation (/docs Swagger UI, /redoc ReDoc) served from this process:
the assets come from the `fastapi-offline` package (swagger-ui 5 and ReDoc dist files), so the
pages work offline and where public CDNs are slow or blocked, and need no inline script."""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="icon" type="image/png" href="{ASSETS_URL}/favicon.png">{head}</head>'
        f"<body>{body}</body></html>"
    )


def install(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Mount the local assets and add the two documentation pages (build the app with
    docs_url=None, redoc_url=None so FastAPI's CDN-loading pages are not added)."""
    app.mount(ASSETS_URL, StaticFiles(directory=str(ASSETS_DIR)), name="docs-assets")
    openapi = escape(app.openapi_url or "/openapi.json")

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        """Swagger UI over /openapi.json, started by a static script (no inline code)."""
        return _page(
            f"{app.title} - Swagger UI",
            f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">',
            f'<div id="swagger-ui" data-openapi="{openapi}"></div>'
            f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>'
            '<script src="/static/docs/swagger-init.js"></script>',
        )

    @app.get(redoc_url, include_in_schema=False)
    def redoc() -> HTMLResponse:
        """ReDoc over /openapi.json (reads the spec URL from its element; no web fonts)."""
        return _page(
            f"{app.title} - ReDoc",
            "",
            f'<redoc spec-url="{openapi}"></redoc>'
            f'<script src="{ASSETS_URL}/redoc.standalone.js"></script>',
        )
