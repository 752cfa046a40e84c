"""The search index and recommender the pages use: the app's own, shared with the events API."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import loaded_index, loaded_recommender
from matchmaker.ranking.service import Recommender
from matchmaker.retrieval.index.service import SearchIndex


def search_index(request: Request) -> SearchIndex | None:
    """The index loaded at start-up (None while starting)."""
    return loaded_index(request)


def recommender(request: Request) -> Recommender | None:
    """The app's recommender (None while starting)."""
    return loaded_recommender(request)


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
