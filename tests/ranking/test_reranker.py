"""The learned re-ranker: waits for enough feedback, and replaces the hand-set weights only when it
wins on held-out feedback."""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy.orm import Session

from matchmaker.ranking.feedback import (
    PairKey,
    ShownRow,
    add_feedback,
    log_shown,
    training_examples,
)
from matchmaker.ranking.reranker import MIN_EXAMPLES, model_path, save, train
from matchmaker.ranking.scoring import hand_set
from matchmaker.ranking.tracks import FEATURES, TRACKS
from matchmaker.store.db import session_factory
from tests.ranking.conftest import Ranked

TRACK = TRACKS["tech-transfer"]


def write_feedback(session: Session, n: int, label_of: str, seed: int = 0) -> None:
    """n pairs over 12 needs, each shown with random features and judged by a rule."""
    rng = np.random.default_rng(seed)
    scorer = hand_set(TRACK)
    rows = []
    for i in range(n):
        features = {f: float(rng.uniform(0, 1)) for f in FEATURES}
        rows.append(
            ShownRow(
                PairKey(TRACK.name, "need", 1000 + i % 12, "achievement", 5000 + 1000 * seed + i),
                1,
                scorer.score(features),
                features,
                "hand-set",
            )
        )
    for row in log_shown(session, rows):
        f = row.features
        # "coop": parties care about the cooperation mode; else they agree with the hand-set weights
        good = f["coop"] > 0.5 if label_of == "coop" else scorer.score(f) > 0.55
        pair = PairKey(row.track, row.source_kind, row.source_id, row.target_kind, row.target_id)
        add_feedback(
            session,
            pair,
            "met" if good else "reject",
            reason=None if good else "wrong_field",
            shown=row,
        )
    session.commit()


def test_too_little_feedback_keeps_the_hand_set_weights(ranked_sqlite: Ranked) -> None:
    with session_factory(ranked_sqlite.engine)() as session:
        write_feedback(session, MIN_EXAMPLES - 20, "coop")
        report = train(TRACK, training_examples(session, TRACK.name))
    assert not report.trained and not report.active
    assert "反馈不足" in report.message and str(MIN_EXAMPLES) in report.message
    assert ranked_sqlite.recommender.scorer(TRACK).name == "hand-set"


def test_learned_model_is_used_only_when_it_beats_the_hand_set_weights(
    ranked_sqlite: Ranked,
) -> None:
    data_dir, recommender = ranked_sqlite.data_dir, ranked_sqlite.recommender
    with session_factory(ranked_sqlite.engine)() as session:
        write_feedback(session, 120, "hand-set", seed=1)
        agrees = train(TRACK, training_examples(session, TRACK.name))
    assert agrees.trained and not agrees.active, agrees.message
    save(agrees, data_dir)
    assert recommender.scorer(TRACK).name == "hand-set", "a model that does not win stays unused"

    with session_factory(ranked_sqlite.engine)() as session:
        write_feedback(session, 120, "coop", seed=2)
        examples = training_examples(session, TRACK.name)
    # only the new, coop-driven pairs differ in label from the hand-set ranking
    coop_only = [e for e in examples if e.pair.target_id >= 7000]
    report = train(TRACK, coop_only)
    assert report.trained and report.active, report.message
    assert report.metrics["auc_learned"] > report.metrics["auc_hand_set"]
    assert max(report.weights, key=lambda f: abs(report.weights[f])) == "coop"
    path = save(report, data_dir)
    assert path == model_path(data_dir, TRACK.name) and path.parent.name == "models"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["active"] and saved["metrics"]["auc_learned"] == report.metrics["auc_learned"]

    scorer = recommender.scorer(TRACK)
    assert scorer.name.startswith("learned")
    with ranked_sqlite.session() as session:
        recs = recommender.recommend(session, TRACK.name, "need", ranked_sqlite.world["N-VIS"], 5)
    assert all(r.model.startswith("learned") for r in recs)
    assert recs[0].score == scorer.score(recs[0].features)
