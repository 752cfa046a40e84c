"""The shared objects the pages use: the app's own search service and recommender."""

from __future__ import annotations

from fastapi import Request

from api.deps import loaded_recommender, loaded_search
from matchmaker.ranking.service import Recommender
from matchmaker.retrieval.search import SearchService


def search_service(request: Request) -> SearchService | None:
    """The search service once the index is loaded (None while starting)."""
    return loaded_search(request)


def recommender(request: Request) -> Recommender | None:
    """The app's recommender (None while starting)."""
    return loaded_recommender(request)
