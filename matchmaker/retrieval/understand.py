"""Query understanding: what a colloquial query means in the catalogue's words, before retrieval.

Four steps, each switchable (`Switches`, measured one by one in docs/retrieval.md):
- **thesaurus**: colloquial → technical words from `lexicon/zh_thesaurus.txt` (written by the
  project) and the industry taxonomy's aliases (an alias names its industry);
- **cooccurrence**: catalogue keywords that appear in the query bring the keywords they most
  often stand beside in items (mined from the catalogue, `CorpusTerms`);
- **industry**: industries the query points at (taxonomy aliases, and the industries of items
  whose keywords the query contains) get a small boost in the fused ranking;
- **crosslingual**: English words are translated with `lexicon/en_zh.txt`; an English query is
  embedded and matched lexically in Chinese as well;
- **prf** (pseudo-relevance feedback, off as shipped): the query vector moves towards the mean
  vector of the first search's top items (Rocchio) and the search runs again.
Expansion words go to the lexical signal only, at a lower weight than the words typed.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from matchmaker.core.taxonomy import INDUSTRIES

LEXICON = Path(__file__).parent / "lexicon"
EXPANSION_WEIGHT = 0.4  # BM25 weight of expansion words against the words typed
MAX_EXPANSIONS = 8
MAX_COOCCURRING = 2  # co-occurring keywords added per keyword found in the query
INDUSTRY_BOOST = 0.05  # added to the fused score (0..1) of items in an inferred industry
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-+.]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Switches:
    """Which query-understanding steps run; the defaults are what the product ships (industry
    inference measured slightly worse on the colloquial set, so it is off: docs/retrieval.md)."""

    thesaurus: bool = True
    cooccurrence: bool = True
    industry: bool = False
    crosslingual: bool = True
    prf: bool = False  # measured on the colloquial set: docs/retrieval.md

    @classmethod
    def without(cls, names: Iterable[str], with_: Iterable[str] = ()) -> Switches:
        """The shipped steps with the named ones off (`names`) or on (`with_`); ValueError
        names an unknown step."""
        known = {f.name for f in fields(cls)}
        off = {n.strip() for n in names if n.strip()}
        on = {n.strip() for n in with_ if n.strip()}
        unknown = (off | on) - known
        if unknown:
            raise ValueError(
                f"未知的查询理解步骤 / unknown step(s): {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(known))}"
            )
        changes = dict.fromkeys(on, True) | dict.fromkeys(off, False)
        return replace(cls(), **changes)

    @classmethod
    def none(cls) -> Switches:
        """Every step off (the search as typed)."""
        return cls(False, False, False, False, False)


@dataclass(frozen=True)
class QueryPlan:
    """A query as retrieval uses it."""

    text: str  # the cleaned query as typed (BM25 at full weight)
    dense_text: str  # the text embedded
    expansion: tuple[str, ...] = ()  # extra words for BM25 at `expansion_weight`
    expansion_weight: float = EXPANSION_WEIGHT
    industries: frozenset[str] = frozenset()  # inferred, boosted
    translated: tuple[str, ...] = ()  # Chinese words of the query's English words
    prf: bool = False  # pseudo-relevance feedback on the query vector


def _read_pairs(name: str) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for line in (LEXICON / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        left, _, right = line.partition("\t")
        targets = tuple(t.strip() for t in right.split("、") if t.strip())
        if left.strip() and targets:
            out.append((left.strip(), targets))
    return out


@lru_cache(maxsize=1)
def thesaurus() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Colloquial → technical entries, longest first (so 电池不耐用 wins over 电池)."""
    return tuple(sorted(_read_pairs("zh_thesaurus.txt"), key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def glossary() -> dict[tuple[str, ...], tuple[str, ...]]:
    """English word sequences → Chinese terms."""
    return {
        tuple(_fold(w) for w in left.split()): right for left, right in _read_pairs("en_zh.txt")
    }


@lru_cache(maxsize=1)
def _aliases() -> tuple[tuple[str, str], ...]:
    """(lower-case alias or name, industry code), longest first; two-letter aliases kept only
    when they are Latin (AI), so 电子 does not match every electronics word."""
    pairs = []
    for ind in INDUSTRIES:
        for name in (ind.zh, *ind.aliases):
            key = name.strip().lower()
            if len(key) >= 2:
                pairs.append((key, ind.code))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _fold(word: str) -> str:
    """Lower case, plural folded (batteries → battery, mangoes → mango, sensors → sensor)."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("oes", "ses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_english(text: str) -> bool:
    """A query written in English (Latin words and no Chinese characters)."""
    return not _CJK.search(text) and len(_WORD.findall(text)) >= 1


def translate(text: str) -> tuple[str, ...]:
    """Chinese terms for the English words of a text, longest phrase first (unknown words are
    skipped)."""
    words = [_fold(w) for w in _WORD.findall(text)]
    table = glossary()
    out: list[str] = []
    at = 0
    while at < len(words):
        for size in (4, 3, 2, 1):
            key = tuple(words[at : at + size])
            if len(key) == size and key in table:
                out.extend(t for t in table[key] if t not in out)
                at += size
                break
        else:
            at += 1
    return tuple(out)


@dataclass
class CorpusTerms:
    """Keyword statistics of the catalogue: which keywords stand together, and in which
    industries each keyword's items are."""

    cooccurring: dict[str, list[str]] = field(default_factory=dict)
    industries_of: dict[str, Counter[str]] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def build(cls, items: Iterable[tuple[list[str], list[str]]]) -> CorpusTerms:
        """From (keywords, industries) per item: keyword pairs ranked by PMI (seen together at
        least twice), and industry counts per keyword."""
        df: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        industries_of: dict[str, Counter[str]] = defaultdict(Counter)
        n = 0
        for keywords, industries in items:
            n += 1
            kws = sorted({k.strip() for k in keywords if len(k.strip()) >= 2})
            df.update(kws)
            for a in kws:
                industries_of[a].update(industries)
                for b in kws:
                    if a != b:
                        pairs[(a, b)] += 1
        scored: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for (a, b), count in pairs.items():
            if count >= 2:
                pmi = math.log(count * n / (df[a] * df[b]))
                scored[a].append((pmi, b))
        cooccurring = {a: [b for _, b in sorted(v, reverse=True)] for a, v in scored.items()}
        return cls(cooccurring, dict(industries_of), n)

    def keywords_in(self, text: str) -> list[str]:
        """Catalogue keywords written in the text (longest first, none inside a longer one)."""
        lower = text.lower()
        found: list[str] = []
        for kw in sorted(self.industries_of, key=len, reverse=True):
            if kw.lower() in lower and not any(kw.lower() in f.lower() for f in found):
                found.append(kw)
        return found


class QueryUnderstanding:
    """Turns a cleaned query into a `QueryPlan` with the switched-on steps."""

    def __init__(self, switches: Switches | None = None, corpus: CorpusTerms | None = None):
        self.switches = switches or Switches()
        self.corpus = corpus or CorpusTerms()

    def plan(self, text: str) -> QueryPlan:
        """The plan of one cleaned query."""
        on = self.switches
        expansion: list[str] = []
        translated: tuple[str, ...] = ()
        english = is_english(text)
        if on.crosslingual:
            translated = translate(text)
            expansion.extend(translated)
        seen_text = text + " " + " ".join(translated)
        if on.thesaurus:
            for left, targets in thesaurus():
                if left in seen_text:
                    expansion.extend(targets)
        industries: Counter[str] = Counter()
        keywords = self.corpus.keywords_in(seen_text) if self.corpus.size else []
        if on.cooccurrence:
            for kw in keywords:
                expansion.extend(self.corpus.cooccurring.get(kw, [])[:MAX_COOCCURRING])
        if on.industry:
            lower = seen_text.lower()
            for alias, code in _aliases():
                if alias in lower:
                    industries[code] += 2
            for kw in keywords:
                counts = self.corpus.industries_of.get(kw, Counter())
                total = sum(counts.values())
                for code, c in counts.items():
                    if total and c / total >= 0.5:  # a keyword of two or more items counts double
                        industries[code] += 2 if c >= 2 else 1
        unique = [w for w in dict.fromkeys(expansion) if w not in text][:MAX_EXPANSIONS]
        inferred = _leading(industries)
        dense_text = text
        weight = EXPANSION_WEIGHT
        if english and translated:
            dense_text = f"{text} （{'、'.join(translated)}）"
            weight = 1.0  # the translation is the query in the catalogue's language
        return QueryPlan(text, dense_text, tuple(unique), weight, inferred, translated, on.prf)


PRF_DOCS = 3  # top items whose mean vector the query moves towards
PRF_BETA = 0.5  # weight of that mean against the query vector


def rocchio(query: np.ndarray, top: list[np.ndarray]) -> np.ndarray:
    """The query vector moved towards the mean of the top items' vectors, unit length again."""
    if not top:
        return query
    moved = query + PRF_BETA * np.mean(np.stack(top), axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(query.dtype) if norm else query


def _leading(votes: Counter[str]) -> frozenset[str]:
    """The industries with most votes when they hold at least half of them (else none)."""
    if not votes:
        return frozenset()
    total = sum(votes.values())
    best = max(votes.values())
    if best * 2 < total or best < 2:
        return frozenset()
    return frozenset(code for code, v in votes.items() if v == best)
