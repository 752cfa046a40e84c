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
from matchmaker.ranking.terms import GENERIC_WORDS
from matchmaker.retrieval.calibration import Calibrator, Level, background, hit_features
from matchmaker.retrieval.embed import EmbeddingCache
from matchmaker.retrieval.explain import Explanation, Item, TermStats, explain, query_tokens
from matchmaker.retrieval.index.filters import Filters
from matchmaker.retrieval.index.records import Hit
from matchmaker.retrieval.index.service import MODES, Expansion, Mode, SearchIndex
from matchmaker.retrieval.party import CONTEXT_DEPTH, AskingParty, own_open_items, route_for
from matchmaker.retrieval.query import BadQuery, QueryVectors, clean_query
from matchmaker.retrieval.understand import (
    INDUSTRY_BOOST,
    PRF_DOCS,
    CorpusTerms,
    QueryPlan,
    QueryUnderstanding,
    Switches,
    rocchio,
)
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Scenario

MAX_RESULTS = 200  # candidates a search ranks and pages through
# Dense similarity at or above which a hit matches the query without sharing a word, per embedder
# (docs/retrieval.md "How many hits match"): with e5-small on the demo, unrelated queries' best
# hit scores at most 0.862 while every demo need's best hit scores at least 0.871.
DENSE_MATCH_FLOOR: dict[str, float] = {"e5-small": 0.87}
WARM_UP_QUERY = "生产线产品表面缺陷检测"
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
    relevance: float | None = None  # calibrated chance the item is useful (None: no calibrator)
    level: Level | None = None  # 高/中/低 from `relevance`

    @property
    def weak(self) -> bool:
        """A low calibrated relevance (without a calibrator: no word in common)."""
        return self.level == "low" if self.level is not None else self.explanation.weak


@dataclass
class SearchResult:
    """A page of results, how many there are to page through, and the page's bare hits."""

    items: list[SearchItem]
    total: int
    hits: list[Hit] = field(default_factory=list)
    no_good_match: bool = False  # no candidate is likely to be useful (calibrated)
    relevance: list[float] = field(default_factory=list)  # per hit of the page (calibrated)
    levels: list[Level] = field(default_factory=list)


class SearchService:
    """Search by need over one index; held by the container, reached through `api/deps.py`."""

    def __init__(
        self,
        index: SearchIndex,
        *,
        term_stats: Callable[[Session], TermStats] | None = None,
        calibrator: Calibrator | None = None,
    ) -> None:
        self.index = index
        self.vectors = QueryVectors(index.embedder)
        self._term_stats = term_stats
        self.calibrator = calibrator
        self.understanding = QueryUnderstanding(Switches())
        self._corpus_key: tuple[int, ...] | None = None

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
        plan = self.plan(session, text)
        hits = self.candidates(text, kind, filters, request.mode, plan)
        page = hits[request.offset : request.offset + request.limit]
        total = matched_total(hits, DENSE_MATCH_FLOOR.get(self.index.embedder.name))
        relevance, none = self.calibrate(plan, kind, hits, request.offset, len(page))
        result = SearchResult(items=[], total=total, hits=page, no_good_match=none)
        if relevance:
            cal = self.calibrator
            assert cal is not None
            result.relevance = relevance
            result.levels = [cal.level(p) for p in relevance]
        if request.explain:
            result.items = self.explain(session, text, page, filters)
            for found in result.items:
                at = page.index(found.hit)
                if result.relevance:
                    found.relevance, found.level = result.relevance[at], result.levels[at]
        return result

    def calibrate(
        self, plan: QueryPlan, kind: str, hits: list[Hit], offset: int, count: int
    ) -> tuple[list[float], bool]:
        """Calibrated relevance of the page's hits and whether no candidate is likely useful
        (without a calibrator: no levels, and "no good match" only when nothing matched)."""
        if self.calibrator is None:
            dense_floor = DENSE_MATCH_FLOOR.get(self.index.embedder.name)
            return [], matched_total(hits, dense_floor) == 0
        if not hits:
            return [], True
        text = calibration_text(plan)
        wanted = [hits[0], *hits[offset : offset + count]]
        coverage = self.index.coverage(kind, text, [h.id for h in wanted], GENERIC_WORDS)
        base = background(hits)
        top = self.calibrator.probability(hit_features(hits[:1], coverage, base))
        page = self.calibrator.probability(
            hit_features(hits[offset : offset + count], coverage, base, offset)
        )
        return [round(float(p), 4) for p in page], float(top[0]) < self.calibrator.medium

    def features(self, plan: QueryPlan, kind: str, hits: list[Hit], head: int) -> np.ndarray:
        """Calibration features of the first `head` of a query's ranked candidates (fitting)."""
        text = calibration_text(plan)
        coverage = self.index.coverage(kind, text, [h.id for h in hits[:head]], GENERIC_WORDS)
        return hit_features(hits[:head], coverage, background(hits))

    def candidates(
        self,
        text: str,
        kind: str,
        filters: Filters | None,
        mode: Mode = "hybrid",
        plan: QueryPlan | None = None,
    ) -> list[Hit]:
        """Every candidate of a cleaned query, best first (at most MAX_RESULTS); `plan` (query
        understanding) changes the embedded text, adds lexical words and boosts industries."""
        dense_text = plan.dense_text if plan is not None else text
        vector = None if mode == "lexical" else self.vectors.get(dense_text)
        expansion = None
        if plan is not None and (plan.expansion or plan.industries):
            expansion = Expansion(
                plan.expansion, plan.expansion_weight, plan.industries, INDUSTRY_BOOST
            )
        hits = self.index.search(
            text,
            kind,
            k=MAX_RESULTS,
            filters=filters,
            mode=mode,
            vector=vector,
            expansion=expansion,
        )
        if plan is None or not plan.prf or vector is None or not hits:
            return hits
        top = [self.index.vector_of(kind, h.id) for h in hits[:PRF_DOCS]]
        moved = rocchio(vector, [v for v in top if v is not None])
        return self.index.search(
            text,
            kind,
            k=MAX_RESULTS,
            filters=filters,
            mode=mode,
            vector=moved,
            expansion=expansion,
        )

    def plan(self, session: Session, text: str) -> QueryPlan:
        """What the query means in the catalogue's words (thesaurus, co-occurring keywords,
        industries, translation), with the catalogue's keyword statistics kept current."""
        switches = self.understanding.switches
        if switches.cooccurrence or switches.industry:
            key = tuple(self.index.count(k) for k in ITEM_KINDS)
            if key != self._corpus_key:
                self.understanding = QueryUnderstanding(switches, corpus_terms(session))
                self._corpus_key = key
        return self.understanding.plan(text)

    def set_switches(self, switches: Switches) -> None:
        """Turn query-understanding steps on or off (ablations in `matchmaker eval`)."""
        self.understanding = QueryUnderstanding(switches, self.understanding.corpus)

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
        base = self.term_stats(session)  # vocabulary of titles and keywords (a snapshot)
        stats = replace(base, df=self.index.frequencies(kind), n_docs=self.index.count(kind))
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

    # ---- start-up -----------------------------------------------------------------------------
    def warm_up(self, session: Session) -> float:
        """Load what a first search needs (embedding model, jieba, the lexical matrices, keyword
        statistics, calibrator, the explainer's vocabulary) by running one explained search of each
        kind; returns the seconds it took. The API calls it before /ready says ready. Shared
        words are ranked by the index's current word counts, so writes after start-up count."""
        import time

        started = time.perf_counter()
        for kind in ITEM_KINDS:
            self.search(session, SearchRequest(query=WARM_UP_QUERY, kind=kind, limit=3))
        self.vectors.clear()  # the warm-up query is no user's
        return time.perf_counter() - started

    # ---- evaluation runs ------------------------------------------------------------------------
    def warm_queries(self, queries: list[str], cache: EmbeddingCache | None) -> None:
        """Embed many queries in one batch through the on-disk cache before searching them."""
        texts = []
        for query in queries:
            try:
                texts.append(self.understanding.plan(clean_query(query)).dense_text)
            except BadQuery:
                continue
        self.vectors.warm(texts, cache)

    def query_vector(self, query: str) -> np.ndarray:
        """The embedding of a query as searches use it (cleaned, cached)."""
        return self.vectors.get(clean_query(query))


def calibration_text(plan: QueryPlan) -> str:
    """The words a hit is checked against: the query, plus the translation of its English."""
    return " ".join((plan.text, *plan.translated))


def corpus_terms(session: Session) -> CorpusTerms:
    """Keyword co-occurrence and keyword industries over every item of the catalogue."""
    rows: list[tuple[list[str], list[str]]] = []
    for model in ITEM_MODELS.values():
        for keywords, industries in session.execute(select(model.keywords, model.industries)):
            rows.append((list(keywords or []), list(industries or [])))
    return CorpusTerms.build(rows)


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
