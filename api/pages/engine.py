"""The search index and recommender the pages use: the app's own, shared with the events API."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from matchmaker.events.service.scoring import ItemScorer, default_scorer
from matchmaker.ranking.service import Recommender
from matchmaker.retrieval.index.service import SearchIndex

# The events API keeps (index, Recommender) under this name; sharing it means one set of
# vectors and one catalogue in memory for pages and API alike.
STATE_KEY = "event_recommender"


def search_index(request: Request) -> SearchIndex | None:
    """The index loaded at start-up (None while starting or when it could not be built)."""
    return getattr(request.app.state, "search_index", None)


def recommender(request: Request) -> Recommender | None:
    """The process's recommender over the app's index, created on first use."""
    index = search_index(request)
    if index is None:
        return None
    cached: Any = getattr(request.app.state, STATE_KEY, None)
    if cached is None or cached[0] is not index:
        cached = (index, Recommender(index))
        setattr(request.app.state, STATE_KEY, cached)
    rec: Recommender = cached[1]
    return rec


@dataclass(frozen=True)
class TermStats:
    """Word statistics over all items: document frequencies and the technical vocabulary."""

    df: Counter[str] = field(default_factory=Counter)
    n_docs: int = 0
    vocabulary: frozenset[str] | None = None


def term_stats(request: Request, session: Session) -> TermStats:
    """The recommender's word statistics, so search explains hits with the words it would use."""
    rec = recommender(request)
    if rec is None:
        return TermStats()
    try:
        space = rec.context(session, "tech-transfer").space
        return TermStats(space.df, space.n_docs, getattr(space, "vocabulary", None))
    except Exception:  # explanations degrade to unweighted terms, search still works
        return TermStats()


def event_scorer(request: Request) -> ItemScorer:
    """Pair scores for planning events: the pairing engine, or its lexical fallback."""
    return default_scorer(recommender(request))
