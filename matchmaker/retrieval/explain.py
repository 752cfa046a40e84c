"""Why a search hit is there: the rare words it shares with the query, highlighted, and reasons.

One explainer for every search (API and web page). Reasons are returned as keys with values
(`Reason("why.trl", {"trl": 7})`) so each caller words them in its reader's language; the words
are in `api/i18n.py`. Shared words are ranked rarest first with the recommender's word
statistics (`TermStats`) when it has them, longest first otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from matchmaker.core.vocab import is_eastern, is_guangxi, normalise_province
from matchmaker.ranking.terms import Frequencies, mark_terms, shared_terms, snippet
from matchmaker.retrieval.index.records import Hit
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import Achievement, Need, Organisation, Scenario

Item = Achievement | Need | Scenario


@dataclass(frozen=True)
class TermStats:
    """Word statistics over all items: document frequencies and the technical vocabulary."""

    df: Mapping[str, int] | Frequencies = field(default_factory=Counter)
    n_docs: int = 0
    vocabulary: frozenset[str] | None = None


@dataclass(frozen=True)
class Reason:
    """One reason, as a message key and its values (lists of codes are labelled when worded)."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    """What a reader is shown about one hit besides its title."""

    terms: list[str]
    title_html: str  # the title, HTML-escaped, shared terms in <mark>
    snippet_html: str  # a window of the body around the first shared term, marked the same way
    reasons: list[Reason]
    organisation: Organisation | None
    park: str | None

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


def query_tokens(query: str) -> frozenset[str]:
    """The query's words, tokenised once per search."""
    return frozenset(tokenize(query))


def explain(
    query: str,
    tokens: frozenset[str],
    item: Item,
    hit: Hit,
    stats: TermStats,
    industries_first: Collection[str] = (),
) -> Explanation:
    """Shared words, highlighting and reasons for one hit; `industries_first` (the industries the
    searcher filtered on) are named before the item's others."""
    text = item.embedding_text()
    own = frozenset(tokenize(" ".join(item.keywords or [])))
    vocabulary = stats.vocabulary
    if vocabulary is not None:  # the item's own title and keywords count even when the word
        vocabulary = vocabulary | own | frozenset(tokenize(item.title))  # statistics predate it
    terms = shared_terms(
        tokens,
        frozenset(tokenize(text)),
        query,
        text,
        stats.df,
        stats.n_docs,
        vocabulary=vocabulary,
        prefer=own,
    )
    if not stats.n_docs:  # no frequencies: longest words first
        terms.sort(key=len, reverse=True)
    org = organisation_of(item)
    park = park_name(item)
    return Explanation(
        terms=terms,
        title_html=mark_terms(item.title, terms),
        snippet_html=mark_terms(snippet(item.body(), terms), terms),
        reasons=_reasons(item, hit, terms, org, park, industries_first),
        organisation=org,
        park=park,
    )


MAX_REASONS = 3


def _reasons(
    item: Item,
    hit: Hit,
    terms: list[str],
    org: Organisation | None,
    park: str | None,
    industries_first: Collection[str],
) -> list[Reason]:
    """At most MAX_REASONS reasons, best first: the shared words, then maturity and cooperation
    in plain words, then industry, origin and park. The similarity figure is not a reason: the
    calibrated relevance level stands beside each result instead."""
    reasons: list[Reason] = []
    if terms:
        reasons.append(Reason("why.terms", {"terms": list(terms)}))
    if isinstance(item, Achievement) and item.trl is not None:
        reasons.append(Reason("why.trl", {"trl": item.trl, "stage": trl_stage(item.trl)}))
    elif isinstance(item, Need) and item.min_trl is not None:
        reasons.append(Reason("why.min_trl", {"trl": item.min_trl}))
    coop = list(getattr(item, "coop_modes", None) or [])
    if coop:
        reasons.append(Reason("why.coop", {"coop_modes": coop}))
    industries = list(item.industries or [])
    if industries:
        ordered = [c for c in industries if c in industries_first]
        ordered += [c for c in industries if c not in industries_first]
        reasons.append(Reason("why.industry", {"industries": ordered}))
    if org is not None and is_guangxi(org.province):
        reasons.append(Reason("why.guangxi"))
    elif org is not None and is_eastern(org.province):
        reasons.append(Reason("why.eastern", {"province": normalise_province(org.province)}))
    if park:
        reasons.append(Reason("why.park", {"park": park}))
    return reasons[:MAX_REASONS]


def trl_stage(trl: int | None) -> str:
    """A TRL in plain words: lab, pilot or ready for use."""
    if trl is None:
        return "unknown"
    if trl <= 3:
        return "lab"
    return "pilot" if trl <= 6 else "ready"
