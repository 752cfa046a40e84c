"""Why a search hit is there: the words it shares with the query, highlighted, and plain reasons.

The recommender explains item-to-item pairs; a search starts from free text, so the page explains
its hits itself with the same building blocks (shared rare words, <mark> highlighting, snippets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from api.i18n import Translator
from api.pages.engine import TermStats
from matchmaker.core.vocab import is_eastern, is_guangxi, normalise_province
from matchmaker.ranking.terms import mark_terms, shared_terms, snippet
from matchmaker.retrieval.index.service import Hit
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import Achievement, Need, Organisation, Scenario

Item = Achievement | Need | Scenario


@dataclass
class SearchResult:
    """One hit as the search page shows it."""

    item: Item
    hit: Hit
    organisation: Organisation | None
    terms: list[str]
    title_html: Markup
    snippet_html: Markup
    reasons: list[str] = field(default_factory=list)

    @property
    def weak(self) -> bool:
        """No word in common with the query: close in meaning only, maybe not relevant."""
        return not self.terms


def organisation_of(item: Item) -> Organisation | None:
    """The organisation behind an item: owner, enterprise, or a scenario's owner."""
    if isinstance(item, Achievement):
        return item.owner
    if isinstance(item, Need):
        return item.enterprise
    return item.owner


def park_name(item: Item) -> str | None:
    """The park an item belongs to (its own, else its organisation's)."""
    park = getattr(item, "park", None)
    if park is None:
        org = organisation_of(item)
        park = org.park if org is not None else None
    return park.name if park is not None else None


def explain_hit(
    query: str,
    query_tokens: frozenset[str],
    item: Item,
    hit: Hit,
    stats: TermStats,
    t: Translator,
    label: Any,
    chosen: dict[str, Any],
) -> SearchResult:
    """Reasons and highlighting for one hit; `chosen` holds the filters the user set."""
    text = item.embedding_text()
    terms = shared_terms(
        query_tokens,
        frozenset(tokenize(text)),
        query,
        text,
        stats.df,
        stats.n_docs,
        vocabulary=stats.vocabulary,
        prefer=frozenset(tokenize(" ".join(item.keywords or []))),
    )
    if not stats.n_docs:  # no frequencies: longest words first
        terms.sort(key=len, reverse=True)
    org = organisation_of(item)
    reasons: list[str] = []
    if terms:
        if hit.dense_score is not None:
            reasons.append(t("why.semantic", v=f"{hit.dense_score:.2f}"))
        reasons.append(t("why.terms", terms="、".join(terms)))
    if isinstance(item, Achievement):
        reasons.append(t("why.trl", trl=item.trl))
    elif isinstance(item, Need) and item.min_trl is not None:
        reasons.append(t("why.min_trl", trl=item.min_trl))
    wanted_industry = chosen.get("industry")
    industries = list(item.industries or [])
    if wanted_industry and wanted_industry in industries:
        industries = [wanted_industry] + [c for c in industries if c != wanted_industry]
    if industries:
        reasons.append(t("why.industry", names="、".join(label["industry"](c) for c in industries)))
    coop = list(getattr(item, "coop_modes", None) or [])
    if coop:
        reasons.append(t("why.coop", names="、".join(label["coop"](c) for c in coop)))
    if org is not None and is_guangxi(org.province):
        reasons.append(t("why.guangxi"))
    elif org is not None and is_eastern(org.province):
        reasons.append(t("why.eastern", province=normalise_province(org.province)))
    park = park_name(item)
    if park:
        reasons.append(t("why.park", park=park))
    return SearchResult(
        item=item,
        hit=hit,
        organisation=org,
        terms=terms,
        title_html=Markup(mark_terms(item.title, terms)),
        snippet_html=Markup(mark_terms(snippet(item.body(), terms), terms)),
        reasons=reasons,
    )
