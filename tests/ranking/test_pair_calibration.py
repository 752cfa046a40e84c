"""Calibrated relevance of recommended pairs: levels from the fitted model, "no good match" when no
pair reaches 中, and the model file only used with the embedder it was fitted for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matchmaker.ranking.calibration import (
    MODEL_FILE,
    PairCalibrator,
    fit_pair_calibrator,
    pair_calibrator_for,
)
from matchmaker.ranking.results import no_good_match
from tests.ranking.conftest import Ranked


def _constant(p_logit: float) -> PairCalibrator:
    """A model that gives every pair the same probability (to check the plumbing, not the fit)."""
    return PairCalibrator((0.0, 0.0, 0.0), p_logit, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), 0.6, 0.3)


def test_fit_orders_pairs_and_sets_the_threshold_by_the_answerable_sources() -> None:
    rng = np.random.default_rng(3)
    good = np.column_stack(
        [rng.normal(0.9, 0.02, 60), rng.uniform(0.3, 1, 60), rng.normal(0.7, 0.1, 60)]
    )
    bad = np.column_stack(
        [rng.normal(0.82, 0.02, 60), rng.uniform(0, 0.5, 60), rng.normal(0.4, 0.1, 60)]
    )
    rows = np.vstack([good, bad])
    labels = np.array([1] * 60 + [0] * 60)
    model = fit_pair_calibrator(rows, labels, good[:25], {"embedder": "e5-small"})
    p = model.probability(rows)
    assert p[:60].mean() > 0.8 and p[60:].mean() < 0.2
    below = (model.probability(good[:25]) < model.medium).sum()
    assert below <= 2, "at most 8 % of sources with a good target are told no good match"
    assert model.high >= model.medium and model.level(0.99) == "high" and model.level(0.0) == "low"
    again = PairCalibrator.from_json(json.loads(json.dumps(model.to_json())))
    assert np.allclose(again.probability(rows), p)


def test_the_model_file_is_used_only_with_its_embedder(tmp_path: Path) -> None:
    path = tmp_path / "pairs.json"
    model = _constant(0.0)
    fitted = PairCalibrator(
        model.coef, 0.0, model.mean, model.scale, 0.6, 0.3, fitted={"embedder": "e5-small"}
    )
    fitted.save(path)
    assert pair_calibrator_for("e5-small", path) is not None
    assert pair_calibrator_for("bge-m3", path) is None
    assert pair_calibrator_for("e5-small", tmp_path / "missing.json") is None
    path.write_text('{"features": ["cosine"]}', "utf-8")
    assert pair_calibrator_for("e5-small", path) is None


def test_the_shipped_file_fits_the_default_embedder() -> None:
    assert pair_calibrator_for("e5-small", MODEL_FILE) is not None
    fitted = json.loads(MODEL_FILE.read_text("utf-8"))["fitted"]
    assert fitted["rows"] >= 150 and fitted["held_out"]["auc"] > 0.7


def test_recommendations_carry_levels_and_say_no_good_match_when_all_are_low(
    ranked_sqlite: Ranked,
) -> None:
    rec = ranked_sqlite.recommender
    need = ranked_sqlite.world["N-VIS"]
    with ranked_sqlite.session() as session:
        rec.set_calibrator(_constant(5.0))
        high = rec.recommend(session, "tech-transfer", "need", need, 5)
        rec.set_calibrator(_constant(-5.0))
        low = rec.recommend(session, "tech-transfer", "need", need, 5)
        rec.set_calibrator(None)
        plain = rec.recommend(session, "tech-transfer", "need", need, 5)
    assert high and all(r.level == "high" and r.as_dict()["level"] == "高" for r in high)
    assert not no_good_match(high)
    assert all(r.level == "low" and r.weak and r.as_dict()["weak"] for r in low)
    assert no_good_match(low)
    assert all(r.level is None and r.relevance is None for r in plain)
    assert not no_good_match(plain) and not no_good_match([])


def test_the_shipped_model_rates_a_written_match_above_an_unrelated_need(
    ranked_sqlite: Ranked,
) -> None:
    rec = ranked_sqlite.recommender
    with ranked_sqlite.session() as session:
        rec.set_calibrator(pair_calibrator_for("e5-small"))
        recs = rec.recommend(session, "tech-transfer", "need", ranked_sqlite.world["N-VIS"], 5)
    by_id = {r.target_external_id: r for r in recs}
    assert by_id["A-VIS-7"].relevance is not None
    assert by_id["A-VIS-7"].level in ("high", "medium")
    others = [r.relevance for r in recs if not r.target_external_id.startswith("A-VIS")]
    assert all(p is not None and p < by_id["A-VIS-7"].relevance for p in others)


@pytest.mark.parametrize("levels,expected", [(["low", "low"], True), (["low", "medium"], False)])
def test_no_good_match_needs_every_pair_low(levels: list[str], expected: bool) -> None:
    from matchmaker.ranking.results import Recommendation

    recs = [
        Recommendation("t", "need", 1, "N", "achievement", i, f"A{i}", "x", i, 0.5, {}, {}, [])
        for i in range(len(levels))
    ]
    for r, level in zip(recs, levels, strict=True):
        r.level = level
    assert no_good_match(recs) is expected
