"""Calibrated relevance: the chance a search hit is useful, from a model fitted on labelled pairs.

A hit's features are its dense similarity and its margin over the query's background similarity
(the mean of its candidates ranked 10–50: a real match stands out from the crowd), the
idf-weighted share of the query's words it contains and its BM25 score (generic words such as
研究、分析 count for nothing), and its rank. A logistic regression (scikit-learn, fitted by
`matchmaker eval --colloquial --fit-calibration`) turns them into a probability; the fitted
coefficients live in `models/relevance-calibration.json` with how they were fitted. The levels
高/中/低 and "no good match" are thresholds on that probability.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from matchmaker.retrieval.index.records import Hit

FEATURES: tuple[str, ...] = ("dense", "margin", "coverage", "lexical", "log_rank")
HIGH = 0.6  # 高: more likely useful than not, with room (the probability is calibrated)
BACKGROUND = (10, 50)  # dense ranks whose mean is the query's background similarity
MODEL_FILE = Path(__file__).resolve().parents[2] / "models" / "relevance-calibration.json"
NO_DENSE = 0.75  # dense similarity assumed for a hit the dense retriever did not return
Level = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Calibrator:
    """Standardised logistic regression over FEATURES, plus the thresholds of the levels."""

    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    high: float  # probability at or above which a hit is 高
    medium: float  # at or above: 中; below: 低, and a search whose best hit is below says none
    features: tuple[str, ...] = FEATURES
    fitted: dict[str, Any] = field(default_factory=dict)

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(useful) for each feature row."""
        if rows.size == 0:
            return np.zeros(0)
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def level(self, p: float) -> Level:
        """高 / 中 / 低 for one probability."""
        if p >= self.high:
            return "high"
        return "medium" if p >= self.medium else "low"

    def to_json(self) -> dict[str, Any]:
        """The file form (models/relevance-calibration.json)."""
        return {
            "features": list(self.features),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "thresholds": {"high": self.high, "medium": self.medium},
            "fitted": self.fitted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrator:
        """Read the file form; ValueError when it does not fit FEATURES."""
        features = tuple(data["features"])
        if features != FEATURES:
            raise ValueError(f"calibration features {features} differ from {FEATURES}")
        return cls(
            coef=tuple(float(x) for x in data["coef"]),
            intercept=float(data["intercept"]),
            mean=tuple(float(x) for x in data["mean"]),
            scale=tuple(float(x) for x in data["scale"]),
            high=float(data["thresholds"]["high"]),
            medium=float(data["thresholds"]["medium"]),
            features=features,
            fitted=dict(data.get("fitted") or {}),
        )

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write the model file (pretty, stable key order)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")


def load_calibrator(path: Path = MODEL_FILE) -> Calibrator | None:
    """The shipped calibrator, or None when the file is missing (search then reports no levels)."""
    if not path.is_file():
        return None
    return Calibrator.from_json(json.loads(path.read_text(encoding="utf-8")))


def background(hits: Sequence[Hit]) -> float:
    """The query's background dense similarity: the mean of its candidates' dense scores ranked
    10–50 (what "close in meaning" means for this query's wording; a real match stands out)."""
    scores = sorted((h.dense_score for h in hits if h.dense_score is not None), reverse=True)
    window = scores[BACKGROUND[0] : BACKGROUND[1]] or scores[-1:]
    return float(np.mean(window)) if window else NO_DENSE


def calibrator_for(embedder: str, path: Path = MODEL_FILE) -> Calibrator | None:
    """The shipped calibrator when it was fitted on this embedder's scores and these features,
    else None (search then shows no levels and says "no good match" only when nothing matched)."""
    try:
        found = load_calibrator(path)
    except (ValueError, KeyError, TypeError):
        return None
    if found is None or found.fitted.get("embedder") != embedder:
        return None
    return found


def hit_features(
    hits: Sequence[Hit],
    coverage: dict[int, float],
    base: float,
    first_rank: int = 0,
) -> np.ndarray:
    """Feature rows for hits ranked from `first_rank`: dense similarity, its margin over the
    query's background `base`, the share of the query's words the item holds, BM25 (log), and
    the rank (log)."""
    rows = []
    for rank, hit in enumerate(hits, start=first_rank):
        d = hit.dense_score if hit.dense_score is not None else NO_DENSE
        lexical = math.log1p(hit.lexical_score or 0.0)
        rows.append([d, d - base, coverage.get(hit.id, 0.0), lexical, math.log1p(rank)])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def fit_calibrator(
    rows: np.ndarray,
    labels: np.ndarray,
    top_probability_rows: tuple[np.ndarray, np.ndarray],
    fitted: dict[str, Any],
    max_answerable_none: float = 0.08,
) -> Calibrator:
    """Fit the logistic model on labelled (query, hit) rows (label 1: a judged useful item), then
    choose the no-good-match threshold on the best hit of each query: the highest threshold
    that says "none" for at most `max_answerable_none` of answerable queries.
    `top_probability_rows` = (feature rows of each query's best hit, 1 if answerable else 0)."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit((rows - mean) / scale, labels)
    base = Calibrator(
        coef=tuple(float(x) for x in model.coef_[0]),
        intercept=float(model.intercept_[0]),
        mean=tuple(float(x) for x in mean),
        scale=tuple(float(x) for x in scale),
        high=1.0,
        medium=0.0,
    )
    top_rows, answerable = top_probability_rows
    top_p = base.probability(top_rows)
    medium = choose_threshold(top_p, answerable.astype(bool), max_answerable_none)
    high = max(medium, HIGH)
    return Calibrator(
        coef=base.coef,
        intercept=base.intercept,
        mean=base.mean,
        scale=base.scale,
        high=math.floor(high * 1e4) / 1e4,
        medium=math.floor(medium * 1e4) / 1e4,  # rounded down: never says "none" more often
        fitted=fitted,
    )


def choose_threshold(
    top_p: np.ndarray, answerable: np.ndarray, max_answerable_none: float
) -> float:
    """The highest threshold on the best hit's probability under which at most
    `max_answerable_none` of the answerable queries fall (those would be told "no good match")."""
    scores = np.sort(top_p[answerable])
    if not len(scores):
        return 0.5
    allowed = int(math.floor(max_answerable_none * len(scores)))
    # below scores[allowed] exactly `allowed` answerable queries fall
    return float(scores[min(allowed, len(scores) - 1)])
