"""Rules moved out of the API, pages and CLI into the event service: whom an organiser may invite,
who sees what of an event, how people name slots, tables, organisations and items, and how
null fields and grids given as sessions are read. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from matchmaker.events.service import (
    access,
    downloads,
    events,
    grid,
    invitations,
    participants,
    planning,
    queries,
    rules,
    views,
)
from matchmaker.events.service.access import Viewer
from matchmaker.events.service.errors import Conflict, Forbidden, Invalid, NotFound
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.store.models import Need, Organisation, Scenario
from tests.events.event_world import FAST, TEAM, make_event, seed

READER = Viewer("reader", principal="key:4")
ORGANISER = Viewer("organiser", principal=TEAM)  # on the test events' organiser team
OTHER_ORGANISER = Viewer("organiser", principal="key:2")  # organises other events only
ADMIN = Viewer("admin", principal="key:3")


def _extra_world(session: Session) -> dict[str, int]:
    """Organisations that test the invitation rule: off-theme, closed-only, scenario-only, empty."""
    rows = {
        "X1": Organisation(
            external_id="X1", name="玉柴新能源动力", kind="enterprise", province="广西"
        ),
        "X2": Organisation(
            external_id="X2", name="钦州旧需求公司", kind="enterprise", province="广西"
        ),
        "X3": Organisation(
            external_id="X3", name="南宁场景运营中心", kind="park_operator", province="广西"
        ),
        "X4": Organisation(
            external_id="X4", name="北海空白学院", kind="university", province="广西"
        ),
    }
    session.add_all(rows.values())
    session.flush()
    for ext, industry, status in (
        ("X1", "new-energy", "active"),
        ("X2", "electronic-info", "closed"),
    ):
        need = Need(
            external_id=f"N-{ext}",
            title="需求",
            description="电池管理系统检测",
            enterprise_id=rows[ext].id,
            industries=[industry],
            status=status,
        )
        need.refresh_hash()
        session.add(need)
    scenario = Scenario(
        external_id="S-X3",
        title="园区智能巡检场景",
        description="开放园区电子设备巡检场景",
        owner_id=rows["X3"].id,
        industries=["electronic-info"],
    )
    scenario.refresh_hash()
    session.add(scenario)
    session.flush()
    return {ext: org.id for ext, org in rows.items()}


def _external_ids(orgs: list[Organisation]) -> set[str]:
    return {o.external_id for o in orgs}


def test_organisers_are_offered_organisations_with_an_active_item_in_the_theme(
    session: Session,
) -> None:
    orgs = seed(session) | _extra_world(session)
    event, people = make_event(session, orgs, who=("E1", "E2", "U1"))
    events.update_event(session, event.id, {"industries": ["electronic-info"]})
    planning.cancel_participant(session, event.id, people["E2"].id, LexicalScorer())
    session.commit()

    offered = invitations.invitable_organisations(session, event)
    # X1's need is off-theme, X2's only need is closed, X4 brings nothing; E1, U1 are in and the
    # cancelled E2 still counts as at the event.
    assert _external_ids(offered) == {"E3", "U2", "U3", "U4", "X3"}
    assert [(o.kind, o.name) for o in offered] == sorted((o.kind, o.name) for o in offered)
    others = invitations.uninvited_organisations(session, event)
    assert _external_ids(others) == {"E3", "U2", "U3", "U4", "X1", "X2", "X3", "X4"}

    events.update_event(session, event.id, {"industries": []})  # no theme: any active item
    offered = invitations.invitable_organisations(session, event)
    assert _external_ids(offered) == {"E3", "U2", "U3", "U4", "X1", "X3"}


def test_inviting_several_adds_each_once_and_a_refusal_adds_none(session: Session) -> None:
    orgs = seed(session)
    event, _ = make_event(session, orgs, who=("E1",))
    session.commit()
    added = invitations.invite(session, event.id, [orgs["E3"], orgs["U2"], orgs["E3"]])
    session.commit()
    assert [row.organisation_id for row in added] == [orgs["E3"], orgs["U2"]]
    assert added[0].need_ids, "invited with its default items"

    with pytest.raises(Conflict, match="已是本活动的参会方"):
        invitations.invite(session, event.id, [orgs["U3"], orgs["E1"]])
    session.rollback()
    assert participants.participant_of_organisation(session, event, orgs["U3"]) is None
    with pytest.raises(Invalid):
        invitations.invite(session, event.id, [])


def _planned_event(session: Session) -> tuple[int, dict[str, int], dict[str, int]]:
    """A planned event whose plan carries organisers' notes: an interpreter warning and, after a
    never-meet rule between two partners, a checker issue."""
    orgs = seed(session)
    event, people = make_event(session, orgs, who=("E1", "E2", "U1", "U2", "U3"))
    participants.update_participant(session, event.id, people["U3"].id, {"language": "英语"})
    planning.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    plan = events.current_plan(session, event)
    assert plan is not None
    first = next(m for m in plan.meetings if people["E1"].id not in (m.a_id, m.b_id))
    rules.add_pair_rule(session, event.id, first.a_id, first.b_id, "never")
    session.commit()
    return event.id, orgs, {ext: row.id for ext, row in people.items()}


def test_an_enterprise_sees_its_own_meetings_without_the_organisers_notes(
    session: Session,
) -> None:
    event_id, orgs, people = _planned_event(session)

    for team in (ORGANISER, ADMIN):
        whole = views.plan_view(session, event_id, team)
        assert whole.only is None and whole.document is not None
        assert any("英语" in w for w in whole.document["warnings"])
        assert whole.document["issues"], "the never-meet rule now clashes with the stored plan"
        assert all(m["score"] is not None for m in whole.document["meetings"])

    mine = views.plan_view(session, event_id, Viewer("enterprise", orgs["E1"]))
    assert mine.only == people["E1"] and mine.document is not None
    assert mine.document["meetings"]
    assert all(people["E1"] in (m["a"], m["b"]) for m in mine.document["meetings"])
    assert [p["participant_id"] for p in mine.document["participants"]] == [people["E1"]]
    assert mine.document["warnings"] == [] and mine.document["issues"] == []
    assert mine.document["stats"] == {} and mine.document["objective"] is None
    assert all(m["score"] is None for m in mine.document["meetings"]), "scores are confidential"

    outsiders = (
        Viewer("enterprise", orgs["E3"]),
        Viewer("enterprise", None),
        READER,
        OTHER_ORGANISER,
        Viewer(),
    )
    for outsider in outsiders:
        with pytest.raises(NotFound):
            views.plan_view(session, event_id, outsider)
        with pytest.raises(NotFound):
            queries.event_setup(session, event_id, outsider)


def test_pair_rules_and_invitations_are_shown_to_the_organiser_team_only(
    session: Session,
) -> None:
    event_id, orgs, people = _planned_event(session)
    setup = queries.event_setup(session, event_id, ORGANISER)
    assert setup.rules is not None and [r.rule for r in setup.rules] == ["never"]
    assert _external_ids(setup.candidates) == {"E3", "U4"}
    assert len(setup.participants) == 5
    setup = queries.event_setup(session, event_id, Viewer("enterprise", orgs["E1"]))
    assert setup.rules is None, "never-meet rules are confidential"
    assert setup.candidates == [] and setup.others == []
    assert [p.id for p in setup.participants] == [people["E1"]], "its own entry only"
    assert setup.plan is not None


def test_exports_and_agendas_follow_the_viewer(session: Session) -> None:
    event_id, orgs, people = _planned_event(session)
    e1 = Viewer("enterprise", orgs["E1"])
    whole = downloads.plan_file(session, event_id, "csv", ORGANISER)
    assert whole.filename.endswith(".csv") and "得分" in whole.content.decode("utf-8-sig")
    # A participant's export is its own agenda: its meetings only, no scores.
    mine = downloads.plan_file(session, event_id, "csv", e1).content.decode("utf-8-sig")
    assert "得分" not in mine and "南宁智造电子" not in mine.splitlines()[0]
    lines = mine.splitlines()[1:]
    assert lines and len(lines) < len(whole.content.decode("utf-8-sig").splitlines()) - 1
    calendar = downloads.plan_file(session, event_id, "ics", e1)
    assert calendar.content.startswith(b"BEGIN:VCALENDAR")
    assert calendar.content.count(b"BEGIN:VEVENT") == len(lines)
    with pytest.raises(NotFound):
        downloads.plan_file(session, event_id, "csv", READER)
    own = downloads.agenda_file(session, event_id, people["E1"], e1)
    assert "南宁智造电子" in own.content.decode("utf-8")
    with pytest.raises(Forbidden):
        downloads.agenda_file(session, event_id, people["E2"], e1)
    assert downloads.agenda_file(session, event_id, people["E2"], ORGANISER).content
    files = downloads.export_set(session, event_id)
    assert [f.filename.rsplit(".", 1)[1] for f in files] == ["csv", "xlsx", "html"]


def test_events_listed_for_a_viewer(session: Session) -> None:
    event_id, orgs, _ = _planned_event(session)
    assert [e.id for e in queries.visible_events(session, ORGANISER).events] == [event_id]
    assert [e.id for e in queries.visible_events(session, ADMIN).events] == [event_id]
    mine = queries.visible_events(session, Viewer("enterprise", orgs["E1"]))
    assert mine.total == 1 and mine.plans[event_id] is not None
    for outsider in (Viewer("enterprise", orgs["E3"]), READER, OTHER_ORGANISER, Viewer()):
        assert queries.visible_events(session, outsider).total == 0
    standing = access.authorise(session, ORGANISER, event_id, access.Action.MANAGE)[1]
    assert standing.whole


def test_slots_tables_organisations_and_items_are_found_the_way_people_name_them(
    session: Session,
) -> None:
    orgs = seed(session)
    event, _ = make_event(session, orgs, who=("E1",))
    assert grid.slot_by_ref(event, "1") == 0
    assert grid.slot_by_ref(event, "09:20") == grid.slot_by_ref(event, "9:20") == 1
    with pytest.raises(Invalid, match="没有时段“99”"):
        grid.slot_by_ref(event, "99")
    assert grid.table_by_ref(event, "A2") == 1
    with pytest.raises(Invalid, match="没有桌号“Z9”，可选：A1、A2、A3"):
        grid.table_by_ref(event, "Z9")
    for ref in ("E1", "南宁智造电子有限公司", str(orgs["E1"])):
        assert participants.find_organisation(session, ref) == orgs["E1"]
    with pytest.raises(NotFound, match="找不到机构“无此机构”"):
        participants.find_organisation(session, "无此机构")
    need = session.query(Need).filter_by(external_id="N-E2").one()
    assert participants.find_items(session, "need", ["N-E2", str(need.id)]) == [need.id] * 2
    with pytest.raises(NotFound, match="找不到 need“N-NONE”"):
        participants.find_items(session, "need", ["N-NONE"])


def test_a_grid_given_as_sessions_and_a_table_count(session: Session) -> None:
    sessions = [
        grid.SessionSpec("上午场", "09:00", "10:00", 30),
        grid.SessionSpec("下午场", "14:00", "14:40", 20, ["英语"]),
    ]
    spec = events.EventSpec(name="会", date=dt.date(2026, 12, 1), sessions=sessions, table_count=3)
    event = events.create_event(session, spec)
    assert [(s["start"], s["session"]) for s in event.slots] == [
        ("09:00", "上午场"),
        ("09:30", "上午场"),
        ("14:00", "下午场"),
        ("14:20", "下午场"),
    ]
    assert event.slots[-1]["interpreters"] == ["英语"]
    assert event.tables == ["1", "2", "3"]
    both = events.EventSpec(
        name="会", date=dt.date(2026, 12, 1), sessions=sessions, slots=event.slots, tables=["A"]
    )
    with pytest.raises(Invalid, match="二选一"):
        events.create_event(session, both)
    late = [grid.SessionSpec("晚场", "21:00", "21:10", 20)]
    with pytest.raises(Invalid, match="放不下一场 20 分钟的会谈"):
        events.create_event(
            session,
            events.EventSpec(name="会", date=dt.date(2026, 12, 1), sessions=late, table_count=1),
        )


def test_null_leaves_a_field_unless_it_can_be_cleared(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs, who=("E1",))
    park = session.query(Organisation).filter_by(external_id="E1").one().park_id
    events.update_event(session, event.id, {"park_id": park, "venue": "会展中心"})
    updated = events.update_event(
        session, event.id, {"name": None, "venue": None, "tracks": None, "park_id": None}
    )
    assert updated.name == "2026 南宁园校企对接会" and updated.venue == "会展中心"
    assert updated.tracks == ["tech-transfer"] and updated.park_id is None

    row = people["E1"]
    participants.update_participant(
        session, event.id, row.id, {"max_meetings": 2, "note": "带样品", "unavailable_slots": [1]}
    )
    changed = participants.update_participant(
        session,
        event.id,
        row.id,
        {"max_meetings": None, "note": None, "unavailable_slots": None, "status": None},
    )
    assert changed.max_meetings is None, "null cap: the event's default applies"
    assert changed.note == "带样品" and changed.unavailable_slots == [1]
    assert changed.status == "active"
