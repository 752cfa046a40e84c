"""Calibrated relevance: a probability that rises with evidence, levels, and the shipped model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matchmaker.retrieval.calibration import (
    FEATURES,
    MODEL_FILE,
    Calibrator,
    background,
    calibrator_for,
    choose_threshold,
    fit_calibrator,
    hit_features,
    load_calibrator,
)
from matchmaker.retrieval.index.records import Hit


def _rows(rng: np.random.Generator, n: int, useful: bool) -> np.ndarray:
    dense = rng.normal(0.9 if useful else 0.85, 0.01, n)
    margin = rng.normal(0.05 if useful else 0.015, 0.01, n)
    cover = np.clip(rng.normal(0.6 if useful else 0.1, 0.15, n), 0, 1)
    lexical = np.log1p(rng.uniform(5, 15, n) if useful else rng.uniform(0, 5, n))
    rank = np.log1p(rng.integers(0, 10, n))
    return np.column_stack([dense, margin, cover, lexical, rank])


def test_a_fitted_calibrator_ranks_evidence_and_keeps_the_answerable_share(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    good, bad = _rows(rng, 200, True), _rows(rng, 600, False)
    rows = np.vstack([good, bad])
    labels = np.array([1] * 200 + [0] * 600)
    tops = np.vstack([good[:80], bad[:20]])
    answerable = np.array([1] * 80 + [0] * 20)
    model = fit_calibrator(rows, labels, (tops, answerable), {"embedder": "e5-small"})
    p_good, p_bad = model.probability(good).mean(), model.probability(bad).mean()
    assert p_good > 0.6 > 0.3 > p_bad
    # at most 10 % of answerable queries fall under the no-good-match threshold
    assert (model.probability(tops[:80]) < model.medium).mean() <= 0.10
    assert (model.probability(tops[80:]) < model.medium).mean() >= 0.8
    assert model.high >= model.medium
    assert model.level(0.99) == "high" and model.level(0.0) == "low"
    model.save(tmp_path / "cal.json")
    again = load_calibrator(tmp_path / "cal.json")
    assert again is not None
    assert np.allclose(again.probability(rows), model.probability(rows))
    assert calibrator_for("e5-small", tmp_path / "cal.json") is not None
    assert calibrator_for("other-model", tmp_path / "cal.json") is None  # scores differ per model
    assert load_calibrator(tmp_path / "missing.json") is None


def test_threshold_lets_through_at_most_the_allowed_share() -> None:
    top = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.05, 0.02])
    answerable = np.array([True] * 10 + [False] * 2)
    threshold = choose_threshold(top, answerable, 0.10)
    assert (top[answerable] < threshold).sum() == 1
    assert (top[~answerable] < threshold).all()


def test_features_of_hits_follow_rank_and_the_query_background() -> None:
    hits = [Hit(1, "achievement", 1.0, 0.91, 3.0)] + [
        Hit(i, "achievement", 0.5, 0.85, None) for i in range(2, 61)
    ]
    base = background(hits)
    assert base == pytest.approx(0.85)  # ranks 10-50 of the dense scores
    rows = hit_features(hits[:2], {1: 0.5}, base, first_rank=0)
    assert rows.shape == (2, len(FEATURES))
    assert rows[0].tolist() == pytest.approx([0.91, 0.06, 0.5, np.log1p(3.0), 0.0])
    assert rows[1][2] == 0.0 and rows[1][3] == 0.0 and rows[1][4] == pytest.approx(np.log(2))


def test_the_shipped_model_says_how_it_was_fitted() -> None:
    model = load_calibrator(MODEL_FILE)
    assert isinstance(model, Calibrator)
    assert model.fitted["embedder"] == "e5-small"
    assert {"model", "data", "rows", "command", "threshold_rule"} <= model.fitted.keys()
    assert 0 < model.medium <= model.high < 1
