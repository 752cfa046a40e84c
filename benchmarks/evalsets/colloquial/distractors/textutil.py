"""Character-bigram similarity and an incremental near-duplicate index."""

from __future__ import annotations

import re
from collections import Counter

_PUNCT = re.compile(r"[\s，。、；：！？（）()《》“”\"'.,;:!?\-—~～/]+")


def bigrams(text: str) -> frozenset[str]:
    """Set of character bigrams of a text, punctuation and spaces removed."""
    clean = _PUNCT.sub("", text)
    return frozenset(clean[i : i + 2] for i in range(len(clean) - 1))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared bigrams over the smaller set: the share of one text's bigrams found in the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two bigram sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class NearDupIndex:
    """Bigram sets of accepted texts with an inverted index, to find the closest earlier text fast."""

    def __init__(self) -> None:
        self.sets: list[frozenset[str]] = []
        self.labels: list[str] = []
        self._postings: dict[str, list[int]] = {}

    def closest(self, grams: frozenset[str]) -> tuple[float, int]:
        """Highest overlap with any accepted text, and that text's position (-1 when empty)."""
        counts: Counter[int] = Counter()
        for gram in grams:
            for idx in self._postings.get(gram, ()):
                counts[idx] += 1
        best, best_idx = 0.0, -1
        for idx, shared in counts.items():
            score = shared / min(len(grams), len(self.sets[idx]))
            if score > best:
                best, best_idx = score, idx
        return best, best_idx

    def add(self, grams: frozenset[str], label: str) -> None:
        """Accept a text."""
        idx = len(self.sets)
        self.sets.append(grams)
        self.labels.append(label)
        for gram in grams:
            self._postings.setdefault(gram, []).append(idx)
