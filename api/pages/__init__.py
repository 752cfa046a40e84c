"""Server-rendered pages for people (search by need, items, parks, events), beside the JSON API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import (
    accounts,
    auth,
    checkin,
    events,
    feedback,
    introductions,
    items,
    keys,
    matches,
    park_map,
    parks,
    portal,
    publishing,
    rd_zero,
    schedule,
    search,
    stats,
)
from api.pages.errors import install_error_pages
from api.pages.web import STATIC_DIR

ROUTERS = (
    search.router,
    auth.router,
    accounts.router,
    publishing.router,
    matches.router,
    introductions.router,
    keys.router,
    feedback.router,
    items.router,
    parks.router,
    park_map.router,
    rd_zero.router,
    events.router,
    schedule.router,
    stats.router,
    portal.router,
    checkin.router,
)


def install(app: FastAPI) -> None:
    """Mount the static files, add the page routes and the HTML error pages to the app."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    install_error_pages(app)
