"""What users of each track see: eligibility, feature effects on order, diversity, region, ASEAN."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from matchmaker.ranking.context import UnknownSource
from matchmaker.ranking.tracks import UnknownTrack, WrongRoute
from matchmaker.store.models import Achievement, Need, Organisation
from tests.ranking.conftest import NOW, VISION, Ranked


def listed(ranked: Ranked, track: str, kind: str, ext: str, k: int = 10, **kw: Any) -> list[str]:
    with ranked.session() as session:
        recs = ranked.recommender.recommend(session, track, kind, ranked.world[ext], k, **kw)
        session.commit()
    return [r.target_external_id for r in recs]


def test_closed_and_expired_items_never_appear_until_reopened(ranked: Ranked) -> None:
    needs = listed(ranked, "tech-transfer", "achievement", "A-BAT-1", k=20)
    assert "N-BAT" in needs
    assert "N-BAT-CLOSED" not in needs and "N-BAT-EXPIRED" not in needs
    assert "A-BAT-CLOSED" not in listed(ranked, "tech-transfer", "need", "N-BAT", k=20)
    assert listed(ranked, "tech-transfer", "need", "N-BAT-CLOSED") == []
    assert listed(ranked, "tech-transfer", "need", "N-BAT-EXPIRED") == []

    with ranked.session() as session:  # reopen both: the same ranking now shows them
        closed = session.get(Need, ranked.world["N-BAT-CLOSED"])
        expired = session.get(Need, ranked.world["N-BAT-EXPIRED"])
        assert closed is not None and expired is not None
        closed.status = "active"
        expired.deadline = dt.date(2027, 6, 30)
        session.commit()
    needs = listed(ranked, "tech-transfer", "achievement", "A-BAT-1", k=20)
    assert "N-BAT-CLOSED" in needs and "N-BAT-EXPIRED" in needs


def test_too_early_result_ranks_below_an_equally_similar_mature_one(ranked_sqlite: Ranked) -> None:
    with ranked_sqlite.session() as session:
        recs = ranked_sqlite.recommender.recommend(
            session, "tech-transfer", "need", ranked_sqlite.world["N-VIS"], 10
        )
    by_id = {r.target_external_id: r for r in recs}
    mature, early = by_id["A-VIS-7"], by_id["A-VIS-3"]
    assert mature.rank < early.rank
    assert mature.features["semantic"] == pytest.approx(early.features["semantic"])
    assert mature.features["lexical"] == pytest.approx(early.features["lexical"])
    assert mature.features["trl"] == 1.0 and early.features["trl"] < 0
    assert "成熟度 TRL3，低于需求要求的 TRL≥6（偏早期）" in [r.text for r in early.reasons]
    assert "成熟度 TRL7，满足需求 TRL≥6" in [r.text for r in mature.reasons]


# Each case: two results with the same text, differing in one field; the first must rank higher.
FEATURE_CASES = {
    "coop": ({"coop_modes": ["license"]}, {"coop_modes": ["equity"]}),
    "budget": ({"price_min": 60, "price_max": 120}, {"price_min": 400, "price_max": 600}),
    "industry": ({"industries": ["icv"]}, {"industries": ["advanced-equipment"]}),
    "park_industry": (
        {"industries": ["green-env", "advanced-equipment"]},
        {"industries": ["green-env", "biomedicine"]},
    ),
    "region": ({"province": "广西", "city": "柳州"}, {"province": "北京", "city": "北京"}),
    "freshness": ({"updated_at": NOW}, {"updated_at": NOW - dt.timedelta(days=3 * 365)}),
    "trl": ({"trl": 8}, {"trl": 4}),
}


@pytest.mark.parametrize("feature", sorted(FEATURE_CASES))
def test_each_feature_moves_an_equally_similar_result(ranked_sqlite: Ranked, feature: str) -> None:
    better, worse = FEATURE_CASES[feature]
    with ranked_sqlite.session() as session:
        need = session.get(Need, ranked_sqlite.world["N-VIS"])
        assert need is not None
        if feature == "park_industry":  # a need whose industries include a non-leading one
            need.industries = ["icv", "green-env"]
        for tag, fields in (("better", better), ("worse", worse)):
            owner = Organisation(
                external_id=f"O-{tag}",
                name=f"{tag}视觉科技有限公司",
                kind="enterprise",
                province=fields.get("province", "上海"),
                city=fields.get("city", "上海"),
                industries=[],
                description="",
            )
            session.add(owner)
            session.flush()
            values: dict[str, Any] = {
                "coop_modes": ["license"],
                "price_min": 60,
                "price_max": 120,
                "industries": ["icv"],
                "trl": 7,
            }
            values.update({k: v for k, v in fields.items() if k not in ("province", "city")})
            item = Achievement(
                external_id=f"A-{tag}",
                title="冲压件表面缺陷视觉检测设备",
                summary=VISION,
                owner_id=owner.id,
                **values,
            )
            item.refresh_hash()
            session.add(item)
        session.commit()
        recs = ranked_sqlite.recommender.recommend(
            session, "tech-transfer", "need", ranked_sqlite.world["N-VIS"], 40
        )
    by_id = {r.target_external_id: r for r in recs}
    high, low = by_id["A-better"], by_id["A-worse"]
    differing = {f for f in high.features if abs(high.features[f] - low.features[f]) > 1e-9}
    assert differing == {feature}
    assert high.rank < low.rank and high.score > low.score


def test_rejected_pair_is_not_shown_again_to_that_party(ranked: Ranked) -> None:
    world, recommender = ranked.world, ranked.recommender
    with ranked.session() as session:
        shown = recommender.recommend(session, "tech-transfer", "need", world["N-VIS"], 5, log=True)
        assert "A-VIS-7" in [r.target_external_id for r in shown]
        row = recommender.record_feedback(
            session,
            "tech-transfer",
            "need",
            world["N-VIS"],
            "achievement",
            world["A-VIS-7"],
            "reject",
            reason="too_early",
            actor="罗工",
        )
        session.commit()
        assert (row.party_kind, row.party_id, row.reason) == ("need", world["N-VIS"], "too_early")
        assert row.shown_id is not None, "feedback points at what was shown, with its features"
    assert "A-VIS-7" not in listed(ranked, "tech-transfer", "need", "N-VIS", k=30)
    assert "A-VIS-7" in listed(ranked, "tech-transfer", "need", "N-VIS2"), (
        "other parties still see it"
    )
    assert "A-VIS-7" in listed(ranked, "scenario", "scenario", "S-LZ-QC")


def test_one_owner_cannot_fill_the_list(ranked_sqlite: Ranked) -> None:
    from matchmaker.ranking.context import load_source
    from matchmaker.ranking.targets import rank_targets

    with ranked_sqlite.session() as session:
        recommender = ranked_sqlite.recommender
        need_id = ranked_sqlite.world["N-BAT"]
        ctx = recommender.context(session, "tech-transfer")
        raw = rank_targets(ctx, load_source(ctx, "need", need_id), "achievement")
        owners = {o.id: o.external_id for o in session.scalars(select(Organisation))}
        assert [owners[s.owner_id or 0] for s in raw[:6]] == ["GD-E"] * 6, (
            "by score alone, one owner fills the top"
        )
        recs = recommender.recommend(session, "tech-transfer", "need", need_id, 10)
    from_gd = [r for r in recs if r.organisation and r.organisation.external_id == "GD-E"]
    assert len(recs) == 10 and len(from_gd) == 3
    assert [r.rank for r in from_gd] == sorted(r.rank for r in from_gd)
    lowered = [r for r in from_gd[1:] if any(x.feature == "diversity" for x in r.reasons)]
    assert len(lowered) == 2 and all(r.contributions["diversity"] < 0 for r in lowered)
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


def test_east_to_guangxi_prefers_eastern_owners_and_asean_markets(ranked: Ranked) -> None:
    world, recommender = ranked.world, ranked.recommender
    with ranked.session() as session:
        recs = recommender.recommend_for_park(session, world["P-QZ"], 10)
        firms = recommender.recommend_for_park(
            session, world["P-QZ"], 10, target_kind="organisation"
        )
    order = [r.target_external_id for r in recs]
    by_id = {r.target_external_id: r for r in recs}
    # the same text from Zhejiang, Sichuan and Guangxi: eastern first, Guangxi not at all
    assert order.index("A-PCS-E") < order.index("A-PCS-SC")
    assert "A-PCS-GX" not in order
    assert "A-PCS-GX" in listed(ranked, "tech-transfer", "need", "N-QZ-HOME"), (
        "local results stay in tech transfer"
    )
    # the same offer sold into ASEAN markets ranks above the one sold at home
    asean, home = by_id["A-SOLAR-ASEAN"], by_id["A-SOLAR-HOME"]
    assert asean.rank < home.rank
    assert asean.contributions["asean"] > 0 and home.contributions["asean"] == 0
    assert any(r.text.startswith("面向东盟市场：") and "越南" in r.text for r in asean.reasons)
    assert all(f.organisation is None or f.organisation.province != "广西" for f in firms)
    assert (
        firms[0].target_external_id == "BJ-U"
        and firms[0].evidence[0].external_id == "A-SOLAR-ASEAN"
    )
    with ranked.session() as session, pytest.raises(WrongRoute, match="tech-transfer"):
        recommender.recommend(session, "east-to-guangxi", "achievement", world["A-PCS-GX"])
    with ranked.session() as session:
        parks = recommender.recommend(
            session, "east-to-guangxi", "achievement", world["A-PCS-E"], 3, target_kind="park"
        )
    assert parks[0].target_external_id == "P-QZ"
    assert parks[0].evidence[0].external_id == "N-QZ-PCS"


def test_scenario_track_ranks_results_and_solution_providers(ranked_sqlite: Ranked) -> None:
    with ranked_sqlite.session() as session:
        lists = ranked_sqlite.recommender.recommend_all(
            session, "scenario", "scenario", ranked_sqlite.world["S-LZ-QC"], 5
        )
    results, providers = lists["achievement"], lists["organisation"]
    assert [r.target_external_id for r in results[:2]] == ["A-VIS-7", "A-VIS-3"]
    assert providers[0].target_external_id == "BJ-U"
    assert providers[0].evidence[0].external_id == "A-VIS-7"
    assert "PM-LZ" not in [p.target_external_id for p in providers], "the scenario owner itself"


def test_wrong_track_route_or_id_is_a_clear_error(ranked_sqlite: Ranked) -> None:
    recommender = ranked_sqlite.recommender
    with ranked_sqlite.session() as session:
        with pytest.raises(UnknownTrack, match="tech-transfer"):
            recommender.recommend(session, "fast-track", "need", 1)
        with pytest.raises(WrongRoute, match="场景驱动"):
            recommender.recommend(session, "scenario", "need", ranked_sqlite.world["N-VIS"])
        with pytest.raises(UnknownSource):
            recommender.resolve(session, "need", "N-NOPE")
        assert recommender.resolve(session, "need", "N-VIS") == ranked_sqlite.world["N-VIS"]
        assert (
            recommender.resolve(session, "park", str(ranked_sqlite.world["P-QZ"]))
            == ranked_sqlite.world["P-QZ"]
        )
