"""Calibrated relevance of a recommended pair: the chance it is a good match, fitted on labelled pairs.

A pair's features are the raw cosine of the two texts' vectors (absolute, unlike the ranker's
per-source `semantic`), the ranker's `lexical` word overlap and its track score (TRL, industry,
budget … folded in). A logistic regression fitted on the demo's labelled good/bad pairs
(`matchmaker calibrate recommendations`) turns them into P(good); the levels 高/中/低 and "no good
match" are thresholds on it, as for search (`retrieval/calibration.py`). The search calibrator is
not reused: its features (margin over the query's background, query-word coverage, BM25, rank)
describe a short query against a corpus and do not exist for an item-to-item pair.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.retrieval.calibration import HIGH, Level, choose_threshold

PAIR_FEATURES: tuple[str, ...] = ("cosine", "lexical", "score")
MODEL_FILE = Path(__file__).resolve().parents[2] / "models" / "recommendation-calibration.json"
NO_COSINE = 0.75  # cosine assumed when a target has no vector (organisation without results)
# 中 starts at most here: the demo's good pairs are so clearly apart from its bad ones that the
# 8 % rule alone put the line at P 0.92, which would call a pair with a 0.8 chance 低.
MAX_MEDIUM = 0.3


@dataclass(frozen=True)
class PairCalibrator:
    """Standardised logistic regression over PAIR_FEATURES and the thresholds of the levels."""

    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    high: float
    medium: float  # below: 低; a list whose best pair is below says "no good match"
    fitted: dict[str, Any] = field(default_factory=dict)

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(good match) for each feature row."""
        if rows.size == 0:
            return np.zeros(0)
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))

    def level(self, p: float) -> Level:
        """高 / 中 / 低 for one probability."""
        if p >= self.high:
            return "high"
        return "medium" if p >= self.medium else "low"

    def to_json(self) -> dict[str, Any]:
        """The file form (models/recommendation-calibration.json)."""
        return {
            "features": list(PAIR_FEATURES),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "thresholds": {"high": self.high, "medium": self.medium},
            "fitted": self.fitted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PairCalibrator:
        """Read the file form; ValueError when its features are not PAIR_FEATURES."""
        if tuple(data["features"]) != PAIR_FEATURES:
            raise ValueError(f"pair calibration features {data['features']} != {PAIR_FEATURES}")
        return cls(
            coef=tuple(float(x) for x in data["coef"]),
            intercept=float(data["intercept"]),
            mean=tuple(float(x) for x in data["mean"]),
            scale=tuple(float(x) for x in data["scale"]),
            high=float(data["thresholds"]["high"]),
            medium=float(data["thresholds"]["medium"]),
            fitted=dict(data.get("fitted") or {}),
        )

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write the model file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")


def pair_calibrator_for(embedder: str, path: Path = MODEL_FILE) -> PairCalibrator | None:
    """The shipped pair calibrator when it was fitted on this embedder's vectors, else None."""
    if not path.is_file():
        return None
    try:
        found = PairCalibrator.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError):
        return None
    return found if found.fitted.get("embedder") == embedder else None


def pair_row(cosine: float | None, lexical: float, score: float) -> list[float]:
    """One pair's feature row."""
    return [NO_COSINE if cosine is None else float(cosine), float(lexical), float(score)]


def fit_pair_calibrator(
    rows: np.ndarray,
    labels: np.ndarray,
    best_rows: np.ndarray,
    fitted: dict[str, Any],
    max_answerable_none: float = 0.08,
) -> PairCalibrator:
    """Fit the logistic model on labelled pairs, then the "no good match" threshold on the best
    shown pair of each source that has a good target: the highest that says none for at most
    `max_answerable_none` of them, and never above MAX_MEDIUM."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit((rows - mean) / scale, labels)
    base = PairCalibrator(
        coef=tuple(float(x) for x in model.coef_[0]),
        intercept=float(model.intercept_[0]),
        mean=tuple(float(x) for x in mean),
        scale=tuple(float(x) for x in scale),
        high=1.0,
        medium=0.0,
    )
    best_p = base.probability(best_rows)
    rule = choose_threshold(best_p, np.ones(len(best_p), dtype=bool), max_answerable_none)
    medium = min(rule, MAX_MEDIUM)
    return PairCalibrator(
        coef=base.coef,
        intercept=base.intercept,
        mean=base.mean,
        scale=base.scale,
        high=math.floor(max(medium, HIGH) * 1e4) / 1e4,
        medium=math.floor(medium * 1e4) / 1e4,
        fitted=fitted,
    )


def reliability(predicted: Sequence[float], labels: Sequence[int]) -> list[dict[str, Any]]:
    """Pairs, mean predicted and observed share of good pairs per 0.2-wide bin of P."""
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(labels, dtype=float)
    out = []
    for lo in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = (p >= lo) & (p < lo + 0.2 if lo < 0.8 else p <= 1.0)
        if inside.any():
            out.append(
                {
                    "bin": f"{lo:.1f}-{lo + 0.2:.1f}",
                    "pairs": int(inside.sum()),
                    "predicted": round(float(p[inside].mean()), 3),
                    "observed": round(float(y[inside].mean()), 3),
                }
            )
    return out
