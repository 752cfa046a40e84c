"""On the day, on a real database: check-in, and a no-show whose places are refilled while no
other meeting moves."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.service import onsite
from matchmaker.events.service.errors import Conflict
from matchmaker.events.service.scoring import LexicalScorer
from tests.events.event_world import FAST, make_event, seed
from tests.events.test_event_service import assert_valid


def test_a_no_show_frees_its_places_and_nobody_else_moves(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs, slots=4, tables=2, max_meetings=2)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    first = assert_valid(session, event)
    absent = people["U1"].id
    assert any(absent in (m.a_id, m.b_id) for m in first.meetings)
    others = {
        frozenset((m.a_id, m.b_id)): (m.slot, m.table_no)
        for m in first.meetings
        if absent not in (m.a_id, m.b_id)
    }
    onsite.check_in(session, event.id, people["E1"].id)
    outcome = onsite.no_show(session, event.id, absent, LexicalScorer(), time_limit=FAST)
    session.commit()
    assert outcome is not None
    second = assert_valid(session, event)
    now = {frozenset((m.a_id, m.b_id)): (m.slot, m.table_no) for m in second.meetings}
    assert all(now.get(pair) == place for pair, place in others.items()), "nobody else moved"
    assert not any(absent in pair for pair in now)
    assert outcome.changes["moved"] == 0
    assert people["U1"].status == "cancelled"
    assert people["E1"].checked_in_at is not None
    with pytest.raises(Conflict):
        onsite.check_in(session, event.id, absent)
