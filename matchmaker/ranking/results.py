"""What a recommendation looks like to its callers (API, CLI, events, digests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matchmaker.ranking.reasons import Reason


@dataclass(frozen=True)
class OrgRef:
    """The organisation behind a target (an achievement's owner, a need's enterprise)."""

    id: int
    external_id: str
    name: str
    kind: str
    province: str


@dataclass(frozen=True)
class Evidence:
    """An item that supports an organisation or park target (its best-matching achievement or need)."""

    kind: str
    id: int
    external_id: str
    title: str
    score: float


@dataclass
class Recommendation:
    """One recommended pair with its score, per-feature contributions and Chinese reasons."""

    track: str
    source_kind: str
    source_id: int
    source_external_id: str
    target_kind: str
    target_id: int
    target_external_id: str
    title: str
    rank: int
    score: float
    features: dict[str, float]
    contributions: dict[str, float]
    reasons: list[Reason]
    terms: list[str] = field(default_factory=list)
    highlight: str = ""  # a snippet of the target with the shared terms in <mark>…</mark>
    organisation: OrgRef | None = None
    park: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    model: str = "hand-set"
    cosine: float | None = None  # raw cosine of the two texts' vectors (what relevance reads)
    relevance: float | None = None  # calibrated chance the pair is a good match (None: no model)
    level: str | None = None  # high / medium / low from `relevance`

    @property
    def weak(self) -> bool:
        """A calibrated low level (never set without a calibrator)."""
        return self.level == "low"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (reasons as dicts, numbers rounded)."""
        return {
            "track": self.track,
            "rank": self.rank,
            "source": {
                "kind": self.source_kind,
                "id": self.source_id,
                "external_id": self.source_external_id,
            },
            "target": {
                "kind": self.target_kind,
                "id": self.target_id,
                "external_id": self.target_external_id,
                "title": self.title,
            },
            "score": round(self.score, 4),
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "reasons": [r.as_dict() for r in self.reasons],
            "terms": self.terms,
            "highlight": self.highlight,
            "organisation": None if self.organisation is None else self.organisation.__dict__,
            "park": self.park,
            "evidence": [e.__dict__ for e in self.evidence],
            "model": self.model,
            "relevance": self.relevance,
            "level": LEVEL_NAMES.get(self.level or ""),
            "weak": self.weak,
        }


LEVEL_NAMES = {"high": "高", "medium": "中", "low": "低"}


def no_good_match(recs: list[Recommendation]) -> bool:
    """A calibrated list none of whose pairs reaches 中 (an empty or uncalibrated one: False)."""
    return bool(recs) and all(r.level == "low" for r in recs)
