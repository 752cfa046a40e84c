"""The recommended → viewed → contacted → met → signed funnel counts exactly the rows written."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matchmaker.stats.funnel import build_funnel
from matchmaker.stats.periods import parse_period
from tests.stats.stats_helpers import at, make_world, write_feedback

Q4 = parse_period("2026Q4")


def test_park_funnel_counts_each_pair_once_at_the_furthest_stage(session: Session) -> None:
    world = make_world(session)
    write_feedback(session, world)
    report = build_funnel(session, Q4, park_id=world.park_a, as_of=at(1, 15, 2027))
    # p1 signed, p2 rejected, p3 silent, p4 contacted, p5 met; p6 is Q3's, p7 is park B's
    # (a pair that met was also contacted, even when nobody recorded the contact)
    assert report.total.counts == {
        "recommended": 5,
        "viewed": 4,
        "contacted": 3,
        "met": 2,
        "signed": 1,
    }
    assert (report.total.accepted, report.total.rejected) == (2, 1)
    assert report.total.rate("signed") == 0.2
    assert report.by_track["tech-transfer"].counts == {
        "recommended": 4,
        "viewed": 3,
        "contacted": 2,
        "met": 1,
        "signed": 1,
    }
    assert report.by_track["east-to-guangxi"].counts["met"] == 1
    assert report.by_industry["icv"].counts["recommended"] == 5  # p4 counts in both industries
    assert report.by_industry["metals-biomass"].counts == {
        "recommended": 1,
        "viewed": 1,
        "contacted": 1,
        "met": 0,
        "signed": 0,
    }
    # what parties did during the quarter, whatever cohort the pair is in (p6 signed in Q4)
    assert report.actions == {"accept": 2, "reject": 1, "contacted": 2, "met": 2, "signed": 2}


def test_outcomes_count_only_up_to_the_report_moment(session: Session) -> None:
    world = make_world(session)
    write_feedback(session, world)
    early = build_funnel(session, Q4, park_id=world.park_a, as_of=at(11, 30))
    assert early.total.counts["met"] == 1  # p1 met on 11-25; p5 only on 12-01
    assert early.total.counts["signed"] == 0  # p1 signs on 12-20


def test_whole_platform_and_other_periods(session: Session) -> None:
    world = make_world(session)
    write_feedback(session, world)
    everyone = build_funnel(session, Q4, as_of=at(1, 15, 2027))
    assert everyone.total.counts["recommended"] == 6  # park B's p7 joins
    park_b = build_funnel(session, Q4, park_id=world.park_b, as_of=at(1, 15, 2027))
    assert park_b.total.counts["recommended"] == 1  # p7 only: a pair belongs to its sides' parks
    q3 = build_funnel(session, parse_period("2026Q3"), park_id=world.park_a, as_of=at(1, 15, 2027))
    assert q3.total.counts == {
        "recommended": 1,
        "viewed": 1,
        "contacted": 1,
        "met": 1,
        "signed": 1,
    }
    november = build_funnel(
        session, parse_period("2026-11"), park_id=world.park_a, as_of=at(1, 15, 2027)
    )
    assert november.total.counts["recommended"] == 5
    assert november.actions == {"accept": 2, "reject": 1, "contacted": 2, "met": 1}
