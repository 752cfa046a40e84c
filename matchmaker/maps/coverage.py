"""Which links of a chain a park's enterprises cover, with the items that show it and their scores.

Every piece of evidence (a firm's profile, one of its needs or achievements) is compared with
every link of every chain in force: cosine of the piece's document vector and the link's query
vector (name, description, core technologies). A piece's *lift* for a link is that cosine minus
the piece's mean cosine over all links, so long generic texts do not match everything.

A piece supports the one link of a chain where its lift is highest, if that lift is at least
`threshold`. A firm works in a link when its profile supports it, or two of its pieces do, or one
piece does with a lift of at least `threshold + strong` (one stray need is not a capability).
A link is covered when at least `min_firms` firms work in it, weak with one, a gap with none.
The defaults were calibrated on hand-labelled demo parks (docs/maps.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matchmaker.maps.chains import Chain, Link
from matchmaker.maps.sources import Firm, Piece

COVERED, WEAK, GAP = "covered", "weak", "gap"
STATUS_ZH: dict[str, str] = {COVERED: "已覆盖", WEAK: "薄弱", GAP: "缺失"}
PIECE_ZH: dict[str, str] = {"need": "需求", "achievement": "成果", "profile": "企业简介"}


@dataclass(frozen=True)
class CoverageRule:
    """The calibrated decision rule (see the module docstring and docs/maps.md)."""

    threshold: float = 0.03
    strong: float = 0.02
    min_firms: int = 2


DEFAULT_RULE = CoverageRule()


@dataclass(frozen=True)
class Match:
    """One piece supporting one link: its lift, its plain cosine, the core technologies it names."""

    piece: Piece
    score: float
    cosine: float
    terms: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON."""
        return {
            "kind": self.piece.kind,
            "kind_zh": PIECE_ZH[self.piece.kind],
            "id": self.piece.id,
            "external_id": self.piece.external_id,
            "title": self.piece.title,
            "score": round(self.score, 4),
            "cosine": round(self.cosine, 4),
            "terms": list(self.terms),
        }


@dataclass
class FirmSupport:
    """A park firm that works in a link, with its supporting pieces, best first."""

    firm: Firm
    matches: list[Match]

    @property
    def best(self) -> float:
        """Its best piece's lift."""
        return self.matches[0].score


@dataclass
class LinkCoverage:
    """One link's status in the park, and the firms behind it."""

    link: Link
    status: str
    firms: list[FirmSupport] = field(default_factory=list)

    @property
    def evidence_count(self) -> int:
        """How many pieces support the link."""
        return sum(len(f.matches) for f in self.firms)


def named_terms(link: Link, text: str) -> tuple[str, ...]:
    """The link's core technologies that a text names literally (case-insensitive)."""
    lowered = text.lower()
    return tuple(t for t in link.core_technologies if t.lower() in lowered)


@dataclass
class Scores:
    """Cosines and lifts of pieces (rows) against every link in force (columns)."""

    cosine: np.ndarray
    lift: np.ndarray

    def columns(self, start: int, stop: int) -> Scores:
        """The scores of one chain's links (a slice of the columns)."""
        return Scores(self.cosine[:, start:stop], self.lift[:, start:stop])


def lift_scores(piece_vectors: np.ndarray, link_vectors: np.ndarray) -> Scores:
    """Cosine of every piece with every link, and the lift over the piece's mean cosine."""
    if not len(piece_vectors) or not len(link_vectors):
        empty = np.zeros((len(piece_vectors), len(link_vectors)), dtype=np.float32)
        return Scores(empty, empty)
    cosine = piece_vectors @ link_vectors.T
    return Scores(cosine, cosine - cosine.mean(axis=1, keepdims=True))


def _corroborated(matches: list[Match], rule: CoverageRule) -> bool:
    """Whether a firm's supporting pieces show a capability, not a stray mention."""
    return (
        any(m.piece.kind == "profile" for m in matches)
        or len(matches) >= 2
        or max(m.score for m in matches) >= rule.threshold + rule.strong
    )


def chain_coverage(
    chain: Chain,
    firms: dict[int, Firm],
    pieces: list[Piece],
    scores: Scores,
    rule: CoverageRule = DEFAULT_RULE,
) -> list[LinkCoverage]:
    """Each link's status and supporting firms, from one chain's columns of `lift_scores`."""
    by_link: list[dict[int, list[Match]]] = [{} for _ in chain.links]
    if len(pieces) and len(chain.links):
        best = scores.lift.argmax(axis=1)
        for row, piece in enumerate(pieces):
            column = int(best[row])
            lift = float(scores.lift[row, column])
            if lift < rule.threshold:
                continue
            link = chain.links[column]
            match = Match(
                piece, lift, float(scores.cosine[row, column]), named_terms(link, piece.text)
            )
            by_link[column].setdefault(piece.org_id, []).append(match)
    out: list[LinkCoverage] = []
    for link, found in zip(chain.links, by_link, strict=True):
        support = [
            FirmSupport(firms[org_id], sorted(matches, key=lambda m: -m.score))
            for org_id, matches in found.items()
            if _corroborated(matches, rule)
        ]
        support.sort(key=lambda f: (-f.best, f.firm.id))
        status = COVERED if len(support) >= rule.min_firms else WEAK if support else GAP
        out.append(LinkCoverage(link, status, support))
    return out
