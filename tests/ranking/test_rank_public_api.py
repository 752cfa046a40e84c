"""The Recommender calls the CLI makes: lists per target, openness, feedback history, training."""

from __future__ import annotations

import pytest

from matchmaker.ranking.tracks import WrongRoute
from tests.ranking.conftest import Ranked


def test_recommend_all_gives_one_list_per_target_or_only_the_one_asked(
    ranked_sqlite: Ranked,
) -> None:
    rec, world = ranked_sqlite.recommender, ranked_sqlite.world
    with ranked_sqlite.session() as session:
        park = world["P-NN"]
        both = rec.recommend_all(session, "east-to-guangxi", "park", park, 3)
        only = rec.recommend_all(
            session, "east-to-guangxi", "park", park, 3, target_kind="organisation"
        )
        with pytest.raises(WrongRoute):
            rec.recommend_all(session, "east-to-guangxi", "park", park, 3, target_kind="need")
    assert list(both) == ["achievement", "organisation"]
    assert list(only) == ["organisation"]
    assert [r.target_id for r in only["organisation"]] == [
        r.target_id for r in both["organisation"]
    ]


def test_closed_and_expired_sources_are_not_open(ranked_sqlite: Ranked) -> None:
    rec, world = ranked_sqlite.recommender, ranked_sqlite.world
    with ranked_sqlite.session() as session:
        assert rec.is_open(session, "need", world["N-BAT"])
        assert not rec.is_open(session, "need", world["N-BAT-CLOSED"])
        assert not rec.is_open(session, "need", world["N-BAT-EXPIRED"])
        assert rec.is_open(session, "park", world["P-NN"])


def test_feedback_history_names_records_by_external_id(ranked_sqlite: Ranked) -> None:
    rec, world = ranked_sqlite.recommender, ranked_sqlite.world
    with ranked_sqlite.session() as session:
        rec.record_feedback(
            session,
            "tech-transfer",
            "need",
            world["N-BAT"],
            "achievement",
            world["A-BAT-1"],
            "reject",
            reason="too_early",
            actor="王经理",
        )
        session.commit()
        mine = rec.feedback_history(session, party=("need", "N-BAT"))
        others = rec.feedback_history(session, party=("need", world["N-BAT-CLOSED"]))
        reports = rec.train_reranker(session, "tech-transfer")
    assert [(e.source, e.target, e.action, e.reason, e.by) for e in mine] == [
        ("need:N-BAT", "achievement:A-BAT-1", "reject", "too_early", "王经理")
    ]
    assert others == []
    assert [r.track for r in reports] == ["tech-transfer"]
    assert not reports[0].trained, "one verdict is far too little to train on"
