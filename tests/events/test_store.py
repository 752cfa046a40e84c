"""Event tables on both databases: grid and lists round-trip, duplicates refused, deletes cascade."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.events.models import (
    Event,
    EventMeeting,
    EventPairRule,
    EventParticipant,
    EventPlan,
)
from matchmaker.store.db import session_factory
from matchmaker.store.models import Organisation, Park

SLOTS = [
    {"start": "09:00", "end": "09:20", "session": "上午场", "interpreters": ["英语"]},
    {"start": "09:20", "end": "09:40", "session": "上午场", "interpreters": []},
    {"start": "14:00", "end": "14:20", "session": "下午场", "interpreters": []},
]


def _world(session: Session) -> tuple[Event, EventParticipant, EventParticipant]:
    park = Park(external_id="P-NN", name="南宁高新区", level="national", city="南宁")
    ent = Organisation(
        external_id="E1", name="南宁电子有限公司", kind="enterprise", province="广西"
    )
    uni = Organisation(
        external_id="U1", name="邕江科技大学", kind="university", province="广西", size="small"
    )
    event = Event(
        name="2026 南宁园校企对接会",
        date=dt.date(2026, 12, 1),
        park=park,
        tracks=["tech-transfer"],
        industries=["electronic-info"],
        slots=SLOTS,
        tables=["A1", "A2"],
    )
    session.add_all([park, ent, uni, event])
    session.flush()
    a = EventParticipant(event_id=event.id, organisation_id=ent.id, need_ids=[3, 4])
    b = EventParticipant(
        event_id=event.id, organisation_id=uni.id, language="英语", unavailable_slots=[2]
    )
    session.add_all([a, b])
    session.flush()
    return event, a, b


def test_event_grid_participants_and_plan_round_trip(session: Session) -> None:
    event, a, b = _world(session)
    plan = EventPlan(
        event_id=event.id,
        version=1,
        kind="generate",
        scorer="lexical",
        objective=42.5,
        scores=[[a.id, b.id, 42.5]],
        changes={"added": 1},
    )
    plan.meetings = [
        EventMeeting(a_id=a.id, b_id=b.id, slot=0, table_no=1, score=42.5, locked=True)
    ]
    session.add(plan)
    session.commit()
    session.expire_all()

    loaded = session.get(Event, event.id)
    assert loaded is not None
    assert loaded.slots[0]["interpreters"] == ["英语"]
    assert [s["start"] for s in loaded.slots] == ["09:00", "09:20", "14:00"]
    assert loaded.tables == ["A1", "A2"]
    assert loaded.park is not None and loaded.park.name == "南宁高新区"
    assert loaded.default_max_meetings == 6 and loaded.small_min_meetings == 2
    people = {p.organisation.name: p for p in loaded.participants}
    assert people["南宁电子有限公司"].need_ids == [3, 4]
    assert people["邕江科技大学"].language == "英语"
    assert people["邕江科技大学"].unavailable_slots == [2]
    assert people["邕江科技大学"].status == "active"
    stored = loaded.plans[0]
    assert stored.scores == [[a.id, b.id, 42.5]]
    meeting = stored.meetings[0]
    assert (meeting.slot, meeting.table_no, meeting.locked) == (0, 1, True)
    assert stored.created_at.tzinfo is not None


def test_an_organisation_joins_an_event_once(session: Session) -> None:
    event, a, _ = _world(session)
    session.add(EventParticipant(event_id=event.id, organisation_id=a.organisation_id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_one_meeting_per_table_and_slot_in_a_plan(session: Session) -> None:
    event, a, b = _world(session)
    plan = EventPlan(event_id=event.id, version=1, kind="generate", scorer="lexical", objective=0)
    plan.meetings = [
        EventMeeting(a_id=a.id, b_id=b.id, slot=0, table_no=0, score=1.0),
        EventMeeting(a_id=b.id, b_id=a.id, slot=0, table_no=0, score=1.0),
    ]
    session.add(plan)
    with pytest.raises(IntegrityError):
        session.flush()


def test_deleting_an_event_row_cascades_to_participants_rules_and_plans(engine: Engine) -> None:
    with session_factory(engine)() as session:
        event, a, b = _world(session)
        session.add(EventPairRule(event_id=event.id, a_id=a.id, b_id=b.id, rule="must"))
        session.add(
            EventPlan(event_id=event.id, version=1, kind="generate", scorer="x", objective=0)
        )
        session.commit()
        event_id = event.id
    with session_factory(engine)() as session:
        session.execute(delete(Event).where(Event.id == event_id))
        session.commit()
        for table in (EventParticipant, EventPairRule, EventPlan):
            assert session.scalar(select(func.count()).select_from(table)) == 0
        assert session.scalar(select(func.count()).select_from(Organisation)) == 2


def test_a_participant_in_a_plan_cannot_be_deleted_behind_the_plans_back(session: Session) -> None:
    event, a, b = _world(session)
    plan = EventPlan(event_id=event.id, version=1, kind="generate", scorer="x", objective=1)
    plan.meetings = [EventMeeting(a_id=a.id, b_id=b.id, slot=1, table_no=0, score=1.0)]
    session.add(plan)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(delete(EventParticipant).where(EventParticipant.id == a.id))
        session.flush()
