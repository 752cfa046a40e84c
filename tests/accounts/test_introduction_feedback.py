"""Introductions feed the funnel and the re-ranker: each step (requested → accepted/declined →
met → signed) is stored as feedback on the pair the requester's own item forms with the target,
with the features the pair was scored with, so the park's funnel counts it and the re-ranker's
training examples include it (real embedder, real index, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from matchmaker.accounts import introductions as intro
from matchmaker.accounts.errors import AccountError
from matchmaker.policy.actor import MEMBER, Actor
from matchmaker.ranking.feedback import PairKey, rejected_targets, training_examples
from matchmaker.stats.funnel import build_funnel
from matchmaker.stats.periods import current_quarter
from matchmaker.store.feedback import PairFeedback
from matchmaker.store.models import utcnow
from tests.ranking.conftest import Ranked, embedder, rank_cache_dir, ranked

__all__ = ["embedder", "rank_cache_dir", "ranked"]  # the ranking tests' fixtures


def member_of(ranked: Ranked, org: str, user: int) -> Actor:
    """A member of one of the ranking world's organisations."""
    return Actor(MEMBER, ranked.world[org], f"user:{user}")


def test_every_step_is_counted_in_the_parks_funnel_and_trains_the_reranker(
    ranked: Ranked,
) -> None:
    world, rec = ranked.world, ranked.recommender
    asker, owner = member_of(ranked, "BJ-U", 1), member_of(ranked, "GX-E", 2)
    with ranked.session() as session:
        with pytest.raises(AccountError) as unnamed:  # BJ-U has results that pair with a need
            intro.request(session, asker, "need", world["N-VIS"], "我们有视觉检测成果")
        assert unnamed.value.field == "source" and "哪一项" in unnamed.value.render()
        with pytest.raises(AccountError) as foreign:  # not an item of the asker's organisation
            intro.request(
                session,
                asker,
                "need",
                world["N-VIS"],
                "你好",
                source=("achievement", world["A-VIS-3"]),
            )
        assert foreign.value.field == "source"
        row = intro.request(
            session,
            asker,
            "need",
            world["N-VIS"],
            "我们有冲压件视觉检测成果，希望交流。",
            source=("achievement", world["A-VIS-7"]),
            recommender=rec,
        )
        assert (row.source_kind, row.source_id, row.track) == (
            "achievement",
            world["A-VIS-7"],
            "tech-transfer",
        )
        intro.decide(session, owner, row.id, accept=True, recommender=rec)
        intro.record_step(session, asker, row.id, "met", rec)
        intro.record_step(session, owner, row.id, "signed", rec)

        pair = PairKey("tech-transfer", "achievement", world["A-VIS-7"], "need", world["N-VIS"])
        stored = session.scalars(
            select(PairFeedback)
            .where(
                PairFeedback.source_id == pair.source_id, PairFeedback.target_id == pair.target_id
            )
            .order_by(PairFeedback.id)
        ).all()
        assert [f.action for f in stored] == ["accept", "contacted", "met", "signed"]
        assert all(f.shown_id is not None and f.track == "tech-transfer" for f in stored)
        assert stored[-1].created_at == row.signed_at

        examples = {e.pair: e for e in training_examples(session, "tech-transfer")}
        assert pair in examples
        learned = examples[pair]
        assert learned.label == 1 and learned.gain == 4 and learned.features["semantic"] > 0

        report = build_funnel(
            session,
            current_quarter(),
            park_id=world["P-LZ"],
            as_of=utcnow() + dt.timedelta(minutes=1),
        )
        counts = report.total.counts
        assert counts == {"recommended": 1, "viewed": 1, "contacted": 1, "met": 1, "signed": 1}
        elsewhere = build_funnel(
            session,
            current_quarter(),
            park_id=world["P-QZ"],
            as_of=utcnow() + dt.timedelta(minutes=1),
        )
        assert elsewhere.total.counts["recommended"] == 0


def test_a_declined_introduction_is_a_negative_example_and_is_not_recommended_again(
    ranked: Ranked,
) -> None:
    world, rec = ranked.world, ranked.recommender
    asker, owner = member_of(ranked, "SH-R", 3), member_of(ranked, "GX-E", 2)
    with ranked.session() as session:
        row = intro.request(
            session,
            asker,
            "need",
            world["N-VIS"],
            "我们的成果可以试试。",
            source=("achievement", world["A-VIS-3"]),
            recommender=rec,
        )
        intro.decide(session, owner, row.id, accept=False, recommender=rec)
        pair = PairKey("tech-transfer", "achievement", world["A-VIS-3"], "need", world["N-VIS"])
        learned = {e.pair: e for e in training_examples(session, "tech-transfer")}[pair]
        assert learned.label == 0 and learned.features
        assert world["N-VIS"] in rejected_targets(session, "achievement", world["A-VIS-3"], "need")
        report = build_funnel(
            session,
            current_quarter(),
            park_id=world["P-LZ"],
            as_of=utcnow() + dt.timedelta(minutes=1),
        )
        assert report.total.rejected == 1 and report.total.counts["contacted"] == 0
        shown = rec.recommend(session, "tech-transfer", "achievement", world["A-VIS-3"], 10)
        assert world["N-VIS"] not in {r.target_id for r in shown}


def test_an_organisation_without_a_fitting_item_asks_about_a_scenario_as_itself(
    ranked: Ranked,
) -> None:
    """A firm whose items do not pair with a scenario asks as the organisation: the scenario
    track ranks organisations for scenarios, so the steps still form a pair."""
    world, rec = ranked.world, ranked.recommender
    asker = member_of(ranked, "GX-E2", 4)
    with ranked.session() as session:
        row = intro.request(
            session, asker, "scenario", world["S-LZ-QC"], "我们想参与这个场景。", recommender=rec
        )
        assert row.source_kind is None and row.track == "scenario"
        stored = session.scalars(
            select(PairFeedback).where(PairFeedback.note.contains(f"#{row.id}："))
        ).one()
        assert (stored.source_kind, stored.source_id, stored.target_kind, stored.target_id) == (
            "scenario",
            world["S-LZ-QC"],
            "organisation",
            world["GX-E2"],
        )
        assert stored.action == "accept"
