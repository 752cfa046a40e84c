"""A small two-park world with recommendation and feedback rows written at known times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matchmaker.ranking.feedback import PairKey, add_feedback
from matchmaker.store.feedback import ShownRecommendation
from matchmaker.store.models import Achievement, Need, Organisation, Park

UTC = dt.UTC


def at(month: int, day: int, year: int = 2026) -> dt.datetime:
    """Noon UTC on a day."""
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


@dataclass
class World:
    """Database ids of the world's parks, organisations and items."""

    park_a: int
    park_b: int
    firm_a: int
    firm_b: int
    eastern: int
    need_a: int
    need_b: int
    achievements: list[int]


def make_world(session: Session) -> World:
    """Park A and B, one firm and one need in each, an eastern lab with three achievements."""
    park_a = Park(
        external_id="S-A", name="统计测试园区A", level="national", city="柳州", industries=["icv"]
    )
    park_b = Park(
        external_id="S-B",
        name="统计测试园区B",
        level="regional",
        city="百色",
        industries=["metals-biomass"],
    )
    firm_a = Organisation(
        external_id="S-FA",
        name="园区A企业",
        kind="enterprise",
        province="广西",
        park=park_a,
        industries=["icv"],
    )
    firm_b = Organisation(
        external_id="S-FB",
        name="园区B企业",
        kind="enterprise",
        province="广西",
        park=park_b,
        industries=["metals-biomass"],
    )
    eastern = Organisation(
        external_id="S-E", name="东部实验室", kind="research_institute", province="上海"
    )
    session.add_all([park_a, park_b, firm_a, firm_b, eastern])
    session.flush()
    need_a = Need(
        external_id="S-NA",
        title="线控转向",
        description="线控转向需求",
        enterprise_id=firm_a.id,
        park_id=park_a.id,
        industries=["icv"],
        created_at=at(10, 5),
        updated_at=at(10, 5),
    )
    need_b = Need(
        external_id="S-NB",
        title="赤泥利用",
        description="赤泥需求",
        enterprise_id=firm_b.id,
        park_id=park_b.id,
        industries=["metals-biomass"],
        created_at=at(10, 5),
        updated_at=at(10, 5),
    )
    achievements = [
        Achievement(
            external_id=f"S-A{i}",
            title=f"成果{i}",
            summary="成果简介",
            trl=6,
            owner_id=eastern.id,
            industries=[industry],
        )
        for i, industry in enumerate(["icv", "icv", "icv", "metals-biomass"])
    ]
    session.add_all([need_a, need_b, *achievements])
    session.flush()
    return World(
        park_a.id,
        park_b.id,
        firm_a.id,
        firm_b.id,
        eastern.id,
        need_a.id,
        need_b.id,
        [a.id for a in achievements],
    )


def show(session: Session, pair: PairKey, when: dt.datetime) -> None:
    """A recommendation of the pair shown at a given time."""
    session.add(
        ShownRecommendation(
            track=pair.track,
            source_kind=pair.source_kind,
            source_id=pair.source_id,
            target_kind=pair.target_kind,
            target_id=pair.target_id,
            rank=1,
            score=0.5,
            features={},
            shown_at=when,
        )
    )
    session.flush()


def write_feedback(session: Session, world: World) -> dict[str, PairKey]:
    """Seven pairs with known histories (see test_stats_funnel for what each should count as)."""
    a = world.achievements
    pairs = {
        "p1": PairKey("tech-transfer", "need", world.need_a, "achievement", a[0]),
        "p2": PairKey("tech-transfer", "need", world.need_a, "achievement", a[1]),
        "p3": PairKey("tech-transfer", "need", world.need_a, "achievement", a[2]),
        "p4": PairKey("tech-transfer", "need", world.need_a, "achievement", a[3]),
        "p5": PairKey("east-to-guangxi", "park", world.park_a, "achievement", a[0]),
        "p6": PairKey("east-to-guangxi", "park", world.park_a, "achievement", a[1]),
        "p7": PairKey("tech-transfer", "need", world.need_b, "achievement", a[3]),
    }
    for name in ("p1", "p2", "p3", "p4", "p5", "p7"):
        show(session, pairs[name], at(11, 2))
    show(session, pairs["p6"], at(9, 15))  # last quarter's cohort
    show(session, pairs["p1"], at(11, 20))  # shown again: still one pair
    history = [
        ("p1", "accept", at(11, 3)),
        ("p1", "contacted", at(11, 10)),
        ("p1", "met", at(11, 25)),
        ("p1", "signed", at(12, 20)),
        ("p2", "reject", at(11, 4)),
        ("p4", "contacted", at(11, 5)),
        ("p5", "accept", at(11, 6)),
        ("p5", "met", at(12, 1)),
        ("p6", "signed", at(10, 20)),
        ("p7", "accept", at(11, 7)),
    ]
    for name, action, when in history:
        reason = "too_early" if action == "reject" else None
        add_feedback(session, pairs[name], action, reason=reason, at=when)
    session.commit()
    return pairs
