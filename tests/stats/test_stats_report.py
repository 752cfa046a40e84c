"""A park's report: items and freshness, event outcomes, digest delivery, and the XLSX with charts."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from matchmaker.digest.models import DigestSend, SentItem, Subscription
from matchmaker.events.models import Event, EventMeeting, EventParticipant, EventPlan
from matchmaker.stats.inventory import build_inventory
from matchmaker.stats.outcomes import digest_figures, event_outcomes
from matchmaker.stats.periods import parse_period
from matchmaker.stats.report import build_report
from matchmaker.stats.xlsx import write_report_xlsx
from matchmaker.store.models import Achievement, Need, Scenario
from tests.stats.stats_helpers import World, at, make_world, write_feedback

Q4 = parse_period("2026Q4")


def _more_items(session: Session, world: World) -> None:
    """An old stale need, a closed scenario and a park firm's own achievement."""
    session.add_all(
        [
            Need(
                external_id="S-OLD",
                title="旧需求",
                description="五月发布后未更新",
                enterprise_id=world.firm_a,
                park_id=world.park_a,
                industries=["icv"],
                created_at=at(5, 1),
                updated_at=at(5, 2),
            ),
            Scenario(
                external_id="S-SC",
                title="已关闭场景",
                description="场景",
                status="closed",
                park_id=world.park_a,
                industries=["icv"],
                created_at=at(11, 1),
                updated_at=at(11, 1),
            ),
            Achievement(
                external_id="S-OWN",
                title="园区企业成果",
                summary="简介",
                trl=7,
                owner_id=world.firm_a,
                industries=["icv"],
                created_at=at(12, 1),
                updated_at=at(12, 1),
            ),
            Need(
                external_id="S-LATE",
                title="期后需求",
                description="报告时刻之后才发布",
                enterprise_id=world.firm_a,
                park_id=world.park_a,
                created_at=at(1, 10, 2027),
                updated_at=at(1, 10, 2027),
            ),
        ]
    )
    session.commit()


def test_inventory_counts_items_and_their_freshness(session: Session) -> None:
    world = make_world(session)
    _more_items(session, world)
    inventory = build_inventory(session, Q4, park_id=world.park_a, as_of=at(1, 20, 2027))
    needs = inventory.items["need"]
    # S-NA (Q4) and S-OLD (May); S-LATE was published after the quarter ended
    assert (needs.total, needs.active, needs.new_in_period, needs.fresh) == (2, 2, 1, 1)
    assert needs.fresh_share == 0.5
    assert inventory.items["achievement"].total == 1  # the eastern lab's are not the park's
    scenario = inventory.items["scenario"]
    assert (scenario.total, scenario.active, scenario.fresh_share) == (1, 0, None)
    assert inventory.organisations["enterprise"] == 1
    assert inventory.by_industry["icv"] == {"achievement": 1, "need": 2, "scenario": 0}


def _event(session: Session, world: World, day: dt.date) -> tuple[Event, list[EventParticipant]]:
    event = Event(name=f"对接会{day}", date=day, park_id=world.park_a)
    session.add(event)
    session.flush()
    people = [
        EventParticipant(event_id=event.id, organisation_id=org)
        for org in (world.firm_a, world.firm_b, world.eastern)
    ]
    session.add_all(people)
    session.flush()
    return event, people


def _plan(session: Session, event: Event, version: int, pairs: list[tuple[int, int]]) -> None:
    plan = EventPlan(
        event_id=event.id, version=version, kind="generate", scorer="engine", objective=1.0
    )
    session.add(plan)
    session.flush()
    session.add_all(
        EventMeeting(plan_id=plan.id, a_id=a, b_id=b, slot=i, table_no=0, score=1.0)
        for i, (a, b) in enumerate(pairs)
    )
    session.flush()


def test_event_outcomes_use_each_events_newest_plan(session: Session) -> None:
    world = make_world(session)
    empty = event_outcomes(session, Q4, park_id=world.park_a, as_of=at(12, 31))
    assert empty.available and empty.events_planned == 0 and empty.note
    held, (a, b, c) = _event(session, world, dt.date(2026, 11, 20))
    _plan(session, held, 1, [(a.id, b.id), (a.id, c.id), (b.id, c.id)])
    _plan(session, held, 2, [(a.id, b.id), (b.id, c.id)])
    c.status = "cancelled"
    later, (d, e, _) = _event(session, world, dt.date(2026, 12, 20))
    _plan(session, later, 1, [(d.id, e.id)])
    session.commit()
    outcome = event_outcomes(session, Q4, park_id=world.park_a, as_of=at(12, 1))
    assert (outcome.events_planned, outcome.events_held) == (2, 1)
    assert outcome.meetings_planned == 3  # two in the held event's v2, one in the later event
    assert outcome.meetings_held == 1  # b–c fell through: c cancelled
    assert (outcome.participants, outcome.cancelled_participants) == (5, 1)
    other_park = event_outcomes(session, Q4, park_id=world.park_b, as_of=at(12, 1))
    assert other_park.events_planned == 0


def test_digest_rates_and_their_absence(session: Session) -> None:
    world = make_world(session)
    none = digest_figures(session, Q4, park_id=world.park_a)
    assert none.available and none.delivery_rate is None and none.unsubscribe_rate is None
    stays = Subscription(
        email="stay@example.com", parks=[world.park_a], status="active", confirmed_at=at(8, 1)
    )
    leaves = Subscription(
        email="leave@example.com",
        parks=[world.park_a],
        status="unsubscribed",
        confirmed_at=at(8, 1),
        unsubscribed_at=at(12, 5),
    )
    elsewhere = Subscription(
        email="b@example.com", parks=[world.park_b], status="active", confirmed_at=at(8, 1)
    )
    session.add_all([stays, leaves, elsewhere])
    session.flush()
    statuses = ["sent", "sent", "sent", "bounced", "pending"]
    for i, status in enumerate(statuses):
        session.add(
            DigestSend(
                subscription_id=stays.id,
                period=f"2026-11-{i + 10}",
                status=status,
                message_id=f"<m{i}@t>",
                window_end=at(11, 10 + i),
                created_at=at(11, 10 + i),
            )
        )
    session.add(
        DigestSend(
            subscription_id=elsewhere.id,
            period="2026-11-10",
            status="bounced",
            message_id="<b@t>",
            window_end=at(11, 10),
            created_at=at(11, 10),
        )
    )
    session.flush()
    session.add(
        SentItem(
            subscription_id=stays.id, item_kind="need", item_id=world.need_a, sent_at=at(11, 10)
        )
    )
    session.commit()
    figures = digest_figures(session, Q4, park_id=world.park_a)
    assert (figures.sends_attempted, figures.sends_delivered, figures.sends_bounced) == (4, 3, 1)
    assert figures.delivery_rate == 0.75
    assert (figures.subscribers, figures.unsubscribed, figures.unsubscribe_rate) == (1, 1, 0.5)
    assert figures.items_sent == 1
    platform = digest_figures(session, Q4)
    assert platform.sends_attempted == 5 and platform.delivery_rate == 0.6


def test_report_json_and_xlsx_carry_the_same_figures(session: Session) -> None:
    world = make_world(session)
    write_feedback(session, world)
    report = build_report(session, "S-A", Q4, as_of=at(1, 15, 2027))
    data = report.as_dict()
    assert data["park"]["name"] == "统计测试园区A"
    assert data["period"]["label"] == "2026Q4"
    assert data["funnel"]["total"]["counts"]["signed"] == 1
    assert data["funnel"]["by_track"]["tech-transfer"]["counts"]["recommended"] == 4
    assert data["digest"]["note"] and data["events"]["available"]
    wb = load_workbook(io.BytesIO(write_report_xlsx(report)))
    funnel = wb["转化漏斗 Funnel"]
    table = {row[0]: row[1] for row in funnel.iter_rows(min_row=2, max_row=6, values_only=True)}
    assert table == {"已推荐": 5, "已查看": 4, "已联系": 3, "已洽谈": 2, "已签约": 1}
    assert len(funnel._charts) == 1  # the funnel chart
    tracks = wb["分赛道 By track"]
    assert {row[0] for row in tracks.iter_rows(min_row=2, values_only=True)} == {
        "技术转移",
        "东部研发—广西转化",
    }
    assert len(tracks._charts) == 1
    summary = {row[0]: row[1] for row in wb["概览 Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["园区 Park"] == "统计测试园区A" and summary["漏斗：已签约"] == 1
