"""Event use cases on a real database: plan, lock, move, re-plan, cancel, export, demo-size timing.

Every plan a test sees is re-checked here with the independent checker (check_plan) against the
problem rebuilt from the database, besides the check the service itself runs before storing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.models import Event, EventMeeting, EventParticipant, EventPlan
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.events.solver.check import check_plan
from matchmaker.events.solver.model import Meeting, Plan
from matchmaker.store.db import session_factory
from matchmaker.store.models import Need, Organisation
from tests.events.event_world import FAST, ORGS, make_event, seed


def assert_valid(session: Session, event: Event) -> EventPlan:
    """The current plan passes the independent checker against the event as stored now."""
    session.expire_all()
    plan = service.current_plan(session, event)
    assert plan is not None
    problem = service.build_problem(
        session, event, service.stored_scores(plan), [m for m in plan.meetings if m.locked]
    )
    meetings = [Meeting(m.a_id, m.b_id, m.slot, m.table_no, m.score) for m in plan.meetings]
    stored = Plan(meetings=meetings, objective=sum(m.score for m in meetings))
    stored.unmet_must_meet = []
    assert check_plan(problem, stored) == []
    assert service.plan_issues(session, event, plan) == []
    return plan


def places(plan: EventPlan) -> dict[frozenset[int], tuple[int, int]]:
    """Where each pair meets."""
    return {frozenset((m.a_id, m.b_id)): (m.slot, m.table_no) for m in plan.meetings}


def test_generated_plan_is_valid_scored_and_fair_to_small_institutions(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs)
    outcome = service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()

    plan = assert_valid(session, event)
    assert plan.version == 1 and plan.scorer == "lexical"
    assert outcome.changes == {"kept": 0, "moved": 0, "added": len(plan.meetings), "removed": 0}
    assert len(plan.meetings) >= 6
    assert all(m.score > 0 for m in plan.meetings)
    # Only enterprise–university pairs have something to talk about on the tech-transfer track.
    enterprises = {people[e].id for e in ("E1", "E2", "E3")}
    assert all((m.a_id in enterprises) != (m.b_id in enterprises) for m in plan.meetings)
    problem = service.build_problem(session, event, service.stored_scores(plan))
    small = {p.id for p in problem.participants if p.small}
    assert small == {people["E3"].id, people["U2"].id}
    load = {pid: sum(pid in (m.a_id, m.b_id) for m in plan.meetings) for pid in small}
    assert all(count >= 2 for count in load.values())  # the small institutions' floor


def test_locked_and_moved_meetings_stay_put_when_re_planning(session: Session) -> None:
    orgs = seed(session)
    event, _ = make_event(session, orgs, who=("E1", "E2", "U1", "U2", "U3"))
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    first = assert_valid(session, event)
    locked = first.meetings[0]
    service.set_locked(session, event.id, locked.id, True)
    # Move another meeting into a free place where both sides are free (the service validates).
    mover = next(m for m in first.meetings if m.id != locked.id)
    taken = {(m.slot, m.table_no) for m in first.meetings}
    busy = {
        m.slot for m in first.meetings if {m.a_id, m.b_id} & {mover.a_id, mover.b_id} and m != mover
    }
    target = next(
        (s, t)
        for s in range(len(event.slots))
        for t in range(len(event.tables))
        if (s, t) not in taken and s not in busy
    )
    service.move_meeting(session, event.id, mover.id, *target)
    session.commit()
    pinned = {
        frozenset((locked.a_id, locked.b_id)): (locked.slot, locked.table_no),
        frozenset((mover.a_id, mover.b_id)): target,
    }

    # The event changes: two more participants arrive, one constraint changes.
    service.add_participant(session, event.id, orgs["E3"])
    service.add_participant(session, event.id, orgs["U4"])
    outcome = service.replan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()

    second = assert_valid(session, event)
    assert second.version == 2 and second.kind == "replan"
    now = places(second)
    for pair, place in pinned.items():
        assert now[pair] == place
    assert sum(m.locked for m in second.meetings) == 2
    assert outcome.changes["added"] >= 1  # the newcomers got meetings
    before = places(first) | pinned
    assert outcome.changes["kept"] == sum(1 for k, v in now.items() if before.get(k) == v)
    assert outcome.changes["removed"] == len(before.keys() - now.keys())


def test_re_planning_an_unchanged_event_changes_nothing(session: Session) -> None:
    orgs = seed(session)
    event, _ = make_event(session, orgs)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    first = places(assert_valid(session, event))
    outcome = service.replan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    assert outcome.changes == {"kept": len(first), "moved": 0, "added": 0, "removed": 0}
    assert places(assert_valid(session, event)) == first


def test_a_move_that_breaks_a_rule_is_refused_and_changes_nothing(session: Session) -> None:
    orgs = seed(session)
    # 4 tables, and at most 3 meetings per slot (3 enterprises): every slot has a free table.
    event, people = make_event(session, orgs, tables=4)
    service.update_participant(session, event.id, people["U1"].id, {"unavailable_slots": [3]})
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    plan = assert_valid(session, event)

    def free_table(slot: int) -> int:
        used = {m.table_no for m in plan.meetings if m.slot == slot}
        return min(set(range(len(event.tables))) - used)

    meeting = next(m for m in plan.meetings if people["E1"].id in (m.a_id, m.b_id))
    other = next(m for m in plan.meetings if m.slot != meeting.slot)
    with pytest.raises(service.Conflict, match="已有会谈"):
        service.move_meeting(session, event.id, meeting.id, other.slot, other.table_no)
    busy = next(
        m for m in plan.meetings if m.id != meeting.id and people["E1"].id in (m.a_id, m.b_id)
    )
    with pytest.raises(service.Conflict, match="double-booked"):
        service.move_meeting(session, event.id, meeting.id, busy.slot, free_table(busy.slot))
    u1 = next(m for m in plan.meetings if people["U1"].id in (m.a_id, m.b_id))
    with pytest.raises(service.Conflict, match="unavailable"):
        service.move_meeting(session, event.id, u1.id, 3, free_table(3))
    with pytest.raises(service.Invalid):
        service.move_meeting(session, event.id, meeting.id, len(event.slots), 0)
    session.rollback()
    assert places(assert_valid(session, event)) == places(plan)


def test_cancelling_a_participant_removes_its_meetings_and_refills_the_places(
    session: Session,
) -> None:
    orgs = seed(session)
    # 3 slots × 2 tables = 6 places, fewer than the pairs wanting to meet: every place is used.
    event, people = make_event(session, orgs, slots=3, tables=2)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    first = assert_valid(session, event)
    assert len(first.meetings) == 6
    gone = max(people.values(), key=lambda p: sum(p.id in (m.a_id, m.b_id) for m in first.meetings))
    lost = [m for m in first.meetings if gone.id in (m.a_id, m.b_id)]
    assert lost

    outcome = service.cancel_participant(
        session, event.id, gone.id, LexicalScorer(), time_limit=FAST
    )
    session.commit()

    assert outcome is not None and outcome.plan.kind == "cancel"
    second = assert_valid(session, event)
    assert all(gone.id not in (m.a_id, m.b_id) for m in second.meetings)
    assert len(second.meetings) == 6  # the freed places were refilled
    assert outcome.changes["removed"] == len(lost)
    assert outcome.changes["added"] == len(lost)
    kept = {k for k in places(first) if gone.id not in k}
    assert kept <= set(places(second))  # nobody else lost a meeting
    participant = session.get(EventParticipant, gone.id)
    assert participant is not None and participant.status == "cancelled"
    with pytest.raises(service.Conflict):
        service.remove_participant(session, event.id, gone.id)


def test_must_meet_and_never_meet_pairs_are_honoured(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs)
    # Two enterprises have nothing to trade on the track, but the organiser wants them to meet.
    service.add_pair_rule(session, event.id, people["E1"].id, people["E2"].id, "must")
    service.add_pair_rule(session, event.id, people["E1"].id, people["U1"].id, "never")
    with pytest.raises(service.Conflict):
        service.add_pair_rule(session, event.id, people["U1"].id, people["E1"].id, "must")
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    met = places(assert_valid(session, event))
    assert frozenset((people["E1"].id, people["E2"].id)) in met
    assert frozenset((people["E1"].id, people["U1"].id)) not in met


def test_interpreter_needs_keep_meetings_in_interpreted_slots_and_show_on_agendas(
    session: Session,
) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs, interpreters={2: ["英语"], 3: ["英语", "越南语"]})
    service.update_participant(session, event.id, people["U3"].id, {"language": "英语"})
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    plan = assert_valid(session, event)
    own = [m for m in plan.meetings if people["U3"].id in (m.a_id, m.b_id)]
    assert own and all(m.slot in (2, 3) for m in own)
    html = service.export_file(session, event.id, "html").content.decode("utf-8")
    assert "沪上电子研究院（需英语翻译）" in html


def test_exports_list_every_meeting_with_chinese_names(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    plan = assert_valid(session, event)
    names = {p.id: p.organisation.name for p in people.values()}

    text = service.export_file(session, event.id, "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(plan.meetings) + 1
    first = min(plan.meetings, key=lambda m: (m.slot, m.table_no))
    assert rows[1][1] == service.slot_label(event.slots[first.slot])  # e.g. 09:00–09:20
    assert {rows[1][3], rows[1][4]} == {names[first.a_id], names[first.b_id]}
    assert rows[1][2] == f"A{first.table_no + 1}"

    book = load_workbook(io.BytesIO(service.export_file(session, event.id, "xlsx").content))
    cells = {str(c.value) for row in book["会谈总表"].iter_rows() for c in row}
    assert set(names.values()) & cells == {
        names[p] for m in plan.meetings for p in (m.a_id, m.b_id)
    }

    html = service.export_file(session, event.id, "html").content.decode("utf-8")
    assert "邕江科技大学 的会谈日程" in html and "桌位安排总表" in html

    u1 = people["U1"].id
    mine = service.export_file(session, event.id, "html", participant_id=u1)
    agenda = mine.content.decode("utf-8")
    assert "邕江科技大学 的会谈日程" in agenda and "桌位安排总表" not in agenda
    partners = {
        names[m.b_id if m.a_id == u1 else m.a_id] for m in plan.meetings if u1 in (m.a_id, m.b_id)
    }
    assert partners and all(p in agenda for p in partners)
    assert "漓江理工学院 的会谈日程" not in agenda


def test_a_grid_change_that_would_cut_the_plan_is_refused(session: Session) -> None:
    orgs = seed(session)
    event, _ = make_event(session, orgs)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    plan = assert_valid(session, event)
    last = max(m.slot for m in plan.meetings)
    with pytest.raises(service.Conflict):
        service.update_event(session, event.id, {"slots": event.slots[:last]})
    session.rollback()
    updated = service.update_event(session, event.id, {"tables": [*event.tables, "B1"]})
    assert updated.tables[-1] == "B1"


def test_deleting_an_event_with_a_plan_removes_everything(engine: Engine) -> None:
    with session_factory(engine)() as session:
        orgs = seed(session)
        event, _ = make_event(session, orgs)
        service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
        session.commit()
        service.delete_event(session, event.id)
        session.commit()
        for table in (Event, EventParticipant, EventPlan, EventMeeting):
            assert session.scalar(select(func.count()).select_from(table)) == 0
        assert session.scalar(select(func.count()).select_from(Organisation)) == len(ORGS)


def test_demo_event_of_forty_organisations_plans_in_a_few_seconds(sqlite_engine: Engine) -> None:
    from matchmaker.demo.loader import load_demo

    with session_factory(sqlite_engine)() as session:
        load_demo(session)
        session.flush()
        orgs = list(session.scalars(select(Organisation).order_by(Organisation.external_id)))
        with_needs = {n.enterprise_id for n in session.scalars(select(Need))}
        enterprises = [o for o in orgs if o.kind == "enterprise" and o.id in with_needs][::3][:20]
        providers = [o for o in orgs if o.kind in ("university", "research_institute")][:20]
        assert len(enterprises) == 20 and len(providers) == 20
        grid = service.session_slots("上午场", "09:00", "12:00", 20) + service.session_slots(
            "下午场", "14:00", "17:00", 20
        )
        event = service.create_event(
            session,
            service.EventSpec(
                name="2026 广西园校企对接会（演示）",
                date=dt.date(2026, 12, 1),
                slots=grid,
                tables=[f"{i + 1}" for i in range(15)],
            ),
        )
        for org in enterprises + providers:
            service.add_participant(session, event.id, org.id)
        started = time.monotonic()
        outcome = service.generate_plan(session, event.id, LexicalScorer(), time_limit=8.0)
        seconds = time.monotonic() - started
        session.commit()
        plan = assert_valid(session, event)
        print(f"demo event: {len(plan.meetings)} meetings, {seconds:.2f} s ({outcome.plan.stats})")
        assert seconds < 20  # scoring ~1.5 k pairs + planning; ~4 s on 2 busy cores
        assert len(plan.meetings) >= 100
        assert plan.stats["fairness_shortfall"] == 0
        met = {p for m in plan.meetings for p in (m.a_id, m.b_id)}
        scored = {p for pair in service.stored_scores(plan) for p in pair}
        assert scored <= met  # everyone with a possible partner meets someone
