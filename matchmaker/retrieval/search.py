"""Search by need: a problem in plain words → items with scores and short Chinese reasons."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matchmaker.core.taxonomy import industry_zh
from matchmaker.core.vocab import COOP_MODES, is_eastern
from matchmaker.ranking.terms import GENERIC_WORDS, mark_terms, snippet
from matchmaker.retrieval.index.filters import Filters
from matchmaker.retrieval.index.service import Hit, SearchIndex
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import Achievement, Need, Scenario

KINDS = ("achievement", "need", "scenario")
MAX_RESULTS = 200  # a search pages through at most this many hits
MAX_QUERY_CHARS = 500
MODELS: dict[str, Any] = {"achievement": Achievement, "need": Need, "scenario": Scenario}


class BadQuery(ValueError):
    """The query cannot be searched (empty, too long); the message names the problem."""


@dataclass
class SearchItem:
    """One result as a user sees it."""

    id: int
    kind: str
    external_id: str
    title: str
    score: float
    reasons: list[str]
    terms: list[str] = field(default_factory=list)
    highlight: str = ""
    organisation: str | None = None
    trl: int | None = None
    industries: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "external_id": self.external_id,
            "title": self.title,
            "score": round(self.score, 4),
            "reasons": self.reasons,
            "terms": self.terms,
            "highlight": self.highlight,
            "organisation": self.organisation,
            "trl": self.trl,
            "industries": self.industries,
        }


@dataclass
class SearchResult:
    """A page of results and how many there are to page through."""

    items: list[SearchItem]
    total: int


def clean_query(query: str) -> str:
    """The query with whitespace folded; BadQuery when it is empty or too long."""
    text = " ".join((query or "").split())
    if not text:
        raise BadQuery("查询内容为空，请用一句话描述您的技术问题 / the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(
            f"查询过长（最多 {MAX_QUERY_CHARS} 字）/ query longer than {MAX_QUERY_CHARS} characters"
        )
    return text


def search_items(
    session: Session,
    index: SearchIndex,
    query: str,
    kind: str,
    *,
    filters: Filters | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchResult:
    """Hybrid (semantic + BM25) search of one kind, a page of results with reasons."""
    if kind not in KINDS:
        raise BadQuery(f"kind 应为 {'/'.join(KINDS)} / kind must be one of {KINDS}")
    text = clean_query(query)
    vector = query_vector(index, text)
    hits = index.search(text, kind, k=MAX_RESULTS, filters=filters, vector=vector)
    page = hits[offset : offset + limit]
    items = _load(session, kind, [h.id for h in page])
    query_tokens = _content_tokens(text)
    out = [_explain(items[h.id], h, query_tokens) for h in page if h.id in items]
    return SearchResult(items=out, total=len(hits))


_QUERY_CACHE_SIZE = 4096
_query_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_query_lock = threading.Lock()


def query_vector(index: SearchIndex, text: str) -> np.ndarray:
    """The query's embedding, from a small LRU cache: popular searches repeat, and embedding is
    the most expensive step of a search (about 10 ms of CPU with the default embedder)."""
    key = (index.embedder.fingerprint, text)
    with _query_lock:
        found = _query_cache.get(key)
        if found is not None:
            _query_cache.move_to_end(key)
            return found
    vector = index.embedder.encode_queries([text])[0]
    with _query_lock:
        _query_cache[key] = vector
        while len(_query_cache) > _QUERY_CACHE_SIZE:
            _query_cache.popitem(last=False)
    return vector


def _content_tokens(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) >= 2 and t not in GENERIC_WORDS and not t.isdigit()}


def _load(session: Session, kind: str, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    model = MODELS[kind]
    owner = {"achievement": Achievement.owner, "need": Need.enterprise, "scenario": Scenario.park}[
        kind
    ]
    rows = session.scalars(select(model).where(model.id.in_(ids)).options(joinedload(owner))).all()
    return {row.id: row for row in rows}


def _explain(item: Any, hit: Hit, query_tokens: set[str]) -> SearchItem:
    body = item.embedding_text()
    lower = body.lower()
    terms = sorted((t for t in query_tokens if t in lower), key=len, reverse=True)[:6]
    reasons: list[str] = []
    if terms:
        reasons.append("共同术语：" + "、".join(terms))
    if hit.dense_score is not None:
        reasons.append(f"语义相似度 {hit.dense_score:.2f}（与您的描述意思相近）")
    organisation = None
    trl = None
    if isinstance(item, Achievement):
        trl = item.trl
        organisation = item.owner.name
        region = "东部" if is_eastern(item.owner.province) else item.owner.province
        reasons.append(f"成熟度 TRL{item.trl}；成果单位：{item.owner.name}（{region}）")
        if item.coop_modes:
            reasons.append("合作方式：" + "、".join(COOP_MODES.get(m, m) for m in item.coop_modes))
    elif isinstance(item, Need):
        organisation = item.enterprise.name
        if item.min_trl:
            reasons.append(f"需求企业：{item.enterprise.name}；要求成熟度 TRL≥{item.min_trl}")
        else:
            reasons.append(f"需求企业：{item.enterprise.name}")
    elif isinstance(item, Scenario) and item.park is not None:
        organisation = item.park.name
        reasons.append(f"开放园区：{item.park.name}")
    if item.industries:
        reasons.append("所属行业：" + "、".join(industry_zh(c) for c in item.industries))
    return SearchItem(
        id=item.id,
        kind=item.kind,
        external_id=item.external_id,
        title=item.title,
        score=hit.score,
        reasons=reasons,
        terms=terms,
        highlight=mark_terms(snippet(body, terms), terms),
        organisation=organisation,
        trl=trl,
        industries=list(item.industries or []),
    )
