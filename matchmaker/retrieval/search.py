"""Search by need, the one search the product has: the API route, the web page and `matchmaker
eval` all call `SearchService.search`.

A search cleans the query, embeds it (LRU cache), retrieves candidates from the index with the
searcher's filters (dense + BM25, fused), leaves out what the asking party rejected, pages, and
explains each hit on the page. `candidates` is the one place candidates are retrieved and fused;
`explain` is the one place a hit is explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.ranking.feedback import rejected_targets
from matchmaker.retrieval.embed import EmbeddingCache
from matchmaker.retrieval.explain import Explanation, Item, TermStats, explain, query_tokens
from matchmaker.retrieval.index.filters import Filters
from matchmaker.retrieval.index.records import Hit
from matchmaker.retrieval.index.service import MODES, Mode, SearchIndex
from matchmaker.retrieval.party import CONTEXT_DEPTH, AskingParty, own_open_items, route_for
from matchmaker.retrieval.query import BadQuery, QueryVectors, clean_query
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Scenario

MAX_RESULTS = 200  # candidates a search ranks and pages through
# Dense similarity at or above which a hit matches the query without sharing a word, per embedder
# (docs/retrieval.md "How many hits match"): with e5-small on the demo, unrelated queries' best
# hit scores at most 0.862 while every demo need's best hit scores at least 0.871.
DENSE_MATCH_FLOOR: dict[str, float] = {"e5-small": 0.87}
_OWNER = {"achievement": Achievement.owner, "need": Need.enterprise, "scenario": Scenario.owner}

__all__ = ["BadQuery", "SearchRequest", "SearchResult", "SearchItem", "SearchService"]


@dataclass(frozen=True)
class SearchRequest:
    """One search as any caller asks it."""

    query: str
    kind: str = "achievement"
    filters: Filters | None = None  # None: active items only
    limit: int = 10
    offset: int = 0
    party: tuple[str, int] | None = None  # (kind, id) whose rejected pairs are left out
    mode: Mode = "hybrid"  # dense / lexical only for ablations (`matchmaker eval`)
    explain: bool = True  # False: ids and scores only (evaluation), same ranking


@dataclass
class SearchItem:
    """One explained hit: the item (loaded in the caller's session), its scores and reasons."""

    item: Item
    hit: Hit
    explanation: Explanation


@dataclass
class SearchResult:
    """A page of results, how many there are to page through, and the page's bare hits."""

    items: list[SearchItem]
    total: int
    hits: list[Hit] = field(default_factory=list)


class SearchService:
    """Search by need over one index; held by the container, reached through `api/deps.py`."""

    def __init__(
        self,
        index: SearchIndex,
        *,
        term_stats: Callable[[Session], TermStats] | None = None,
    ) -> None:
        self.index = index
        self.vectors = QueryVectors(index.embedder)
        self._term_stats = term_stats

    # ---- the search ---------------------------------------------------------------------------
    def search(self, session: Session, request: SearchRequest) -> SearchResult:
        """A page of results for a query, the asking party's rejected pairs left out."""
        kind = _check_kind(request.kind)
        if request.mode not in MODES:
            raise BadQuery(f"未知检索方式 {request.mode!r} / unknown mode, use one of {MODES}")
        text = clean_query(request.query)
        filters = request.filters if request.filters is not None else Filters()
        if request.party is not None:
            rejected = rejected_targets(session, request.party[0], request.party[1], kind)
            filters = replace(filters, exclude_ids=filters.exclude_ids | frozenset(rejected))
        hits = self.candidates(text, kind, filters, request.mode)
        page = hits[request.offset : request.offset + request.limit]
        items = self.explain(session, text, page, filters) if request.explain else []
        total = matched_total(hits, DENSE_MATCH_FLOOR.get(self.index.embedder.name))
        return SearchResult(items=items, total=total, hits=page)

    def candidates(
        self, text: str, kind: str, filters: Filters | None, mode: Mode = "hybrid"
    ) -> list[Hit]:
        """Every candidate of a cleaned query, best first (at most MAX_RESULTS)."""
        vector = None if mode == "lexical" else self.vectors.get(text)
        return self.index.search(
            text, kind, k=MAX_RESULTS, filters=filters, mode=mode, vector=vector
        )

    def explain(
        self, session: Session, text: str, hits: list[Hit], filters: Filters | None = None
    ) -> list[SearchItem]:
        """Load the hits' items and explain each (hits whose item is gone are skipped)."""
        if not hits:
            return []
        kind = hits[0].kind
        model: Any = ITEM_MODELS[kind]
        ids = [h.id for h in hits]
        rows = session.scalars(
            select(model).where(model.id.in_(ids)).options(joinedload(_OWNER[kind]))
        ).unique()
        items = {row.id: row for row in rows}
        stats = self.term_stats(session)
        tokens = query_tokens(text)
        first = filters.industries if filters is not None else frozenset()
        return [
            SearchItem(items[h.id], h, explain(text, tokens, items[h.id], h, stats, first))
            for h in hits
            if h.id in items
        ]

    def term_stats(self, session: Session) -> TermStats:
        """The recommender's word statistics (explanations degrade to unweighted words without)."""
        if self._term_stats is None:
            return TermStats()
        try:
            return self._term_stats(session)
        except Exception:  # explanations degrade to unweighted terms, search still works
            return TermStats()

    # ---- who is asking ----------------------------------------------------------------------
    def asking_party(
        self,
        session: Session,
        organisation_id: int,
        query: str,
        kind: str,
        chosen_id: int | None = None,
    ) -> AskingParty | None:
        """The organisation's open item this search is for: `chosen_id` when it is one of them,
        else the one closest to the query, else the newest; None when it has none."""
        route = route_for(kind)
        if route is None:
            return None
        track, source_kind = route
        options = own_open_items(session, organisation_id, source_kind)
        if not options:
            return None
        picked = next((o for o in options if o.id == chosen_id), None)
        if picked is not None:
            return AskingParty(track, source_kind, picked, options, auto=False)
        best = self._closest(query, source_kind, {o.id for o in options})
        chosen = next((o for o in options if o.id == best), options[0])
        return AskingParty(track, source_kind, chosen, options, auto=True)

    def _closest(self, query: str, kind: str, ids: set[int]) -> int | None:
        """Which of the given items is closest to the query (None when none ranks)."""
        try:
            text = clean_query(query)
        except BadQuery:
            return None
        hits = self.index.search(
            text, kind, k=CONTEXT_DEPTH, filters=Filters(), vector=self.vectors.get(text)
        )
        return next((h.id for h in hits if h.id in ids), None)

    # ---- evaluation runs ------------------------------------------------------------------------
    def warm_queries(self, queries: list[str], cache: EmbeddingCache | None) -> None:
        """Embed many queries in one batch through the on-disk cache before searching them."""
        texts = []
        for query in queries:
            try:
                texts.append(clean_query(query))
            except BadQuery:
                continue
        self.vectors.warm(texts, cache)

    def query_vector(self, query: str) -> np.ndarray:
        """The embedding of a query as searches use it (cleaned, cached)."""
        return self.vectors.get(clean_query(query))


def matched_total(hits: list[Hit], dense_floor: float | None) -> int:
    """How many candidates actually match the query, the `total` a search reports: those sharing
    a word with it (BM25 score above 0) or with a dense score at or above the embedder's floor.
    The dense retriever always returns its k nearest items, however unrelated, so counting every
    candidate said 200 for any query. Without a measured floor every dense candidate counts."""
    return sum(
        1
        for h in hits
        if (h.lexical_score is not None and h.lexical_score > 0)
        or (h.dense_score is not None and (dense_floor is None or h.dense_score >= dense_floor))
    )


def _check_kind(kind: str) -> str:
    if kind not in ITEM_KINDS:
        raise BadQuery(f"kind 应为 {'/'.join(ITEM_KINDS)} / kind must be one of {ITEM_KINDS}")
    return kind
