"""The day after: outcomes of meetings (met / follow-up / not useful) feed the event statistics
and the re-ranker's training examples; meeting requests close at the planning deadline; the
RSVP takes soft preferred windows that the plan honours where it can."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.service import humane, outcomes, requests, rsvp
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.scoring import LexicalScorer
from matchmaker.ranking.feedback import training_examples
from matchmaker.stats.outcomes import event_outcomes
from matchmaker.stats.periods import Period
from matchmaker.store.models import utcnow
from tests.events.event_world import FAST, make_event, seed


def test_outcomes_feed_statistics_and_the_reranker(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs, slots=4, tables=3)
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    plan = service.current_plan(session, event)
    assert plan is not None
    # A meeting between an enterprise (needs) and a university (achievements).
    meeting = next(
        m
        for m in plan.meetings
        if {m.a_id, m.b_id} & {people[x].id for x in ("E1", "E2", "E3")}
        and {m.a_id, m.b_id} & {people[x].id for x in ("U1", "U2", "U3", "U4")}
    )
    a, b = meeting.a_id, meeting.b_id
    before = event.date - dt.timedelta(days=1)
    with pytest.raises(Conflict):  # not before the event
        outcomes.record_outcome(session, event, a, b, "met", today=before)
    with pytest.raises(Invalid):
        outcomes.record_outcome(session, event, a, b, "great", today=event.date)
    others = [p.id for p in people.values() if p.id not in (a, b)]
    stranger = next(o for o in others if not any({m.a_id, m.b_id} == {a, o} for m in plan.meetings))
    with pytest.raises(NotFound):
        outcomes.record_outcome(session, event, a, stranger, "met", today=event.date)

    first = outcomes.record_outcome(session, event, a, b, "follow_up", today=event.date)
    second = outcomes.record_outcome(session, event, b, a, "not_useful", today=event.date)
    again = outcomes.record_outcome(session, event, a, b, "met", today=event.date)
    assert again.id == first.id and again.outcome == "met"  # a new answer replaces the old
    assert first.feedback_id is not None and second.feedback_id is not None
    assert outcomes.outcomes_of(session, event, a) == {b: "met"}

    figures = event_outcomes(
        session,
        Period("test", "month", event.date.replace(day=1), event.date + dt.timedelta(days=1)),
        as_of=utcnow(),
    )
    assert (figures.outcomes_met, figures.outcomes_follow_up, figures.outcomes_not_useful) == (
        1,
        0,
        1,
    )
    examples = training_examples(session, "tech-transfer") + training_examples(session, "scenario")
    assert examples, "the outcomes are training examples with features"
    assert all(set(e.features) >= {"semantic", "lexical", "industry"} for e in examples)


def test_requests_close_at_the_planning_deadline(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs)
    e1, u1 = people["E1"].id, people["U1"].id
    asked = requests.stance(session, event, u1, e1, "request")
    humane.set_schedule_rules(
        session, event.id, requests_deadline=utcnow() - dt.timedelta(minutes=1)
    )
    with pytest.raises(Conflict) as refused:
        requests.stance(session, event, e1, u1, "wish")
    assert "截止" in str(refused.value) and "organiser" in str(refused.value)
    assert "[" not in str(refused.value)  # plain words, no field paths
    with pytest.raises(Conflict):
        requests.answer_request(session, event, asked.id, e1, True)
    with pytest.raises(Conflict):
        requests.withdraw(session, event, u1, e1)
    humane.set_schedule_rules(session, event.id, requests_deadline=utcnow() + dt.timedelta(days=1))
    assert requests.answer_request(session, event, asked.id, e1, True).status == "accepted"


def test_preferred_windows_from_the_answer_steer_the_plan(session: Session) -> None:
    orgs = seed(session)
    event, _ = make_event(session, orgs, who=(), slots=6, tables=3)
    invited = rsvp.invite_organisations(
        session,
        event.id,
        [rsvp.Invitee(orgs[x], f"{x.lower()}@example.cn") for x in ("E1", "U1", "U2")],
    )
    by_org = {r.organisation_id: r for r in invited}
    with pytest.raises(Invalid) as bad:
        rsvp.respond(
            session,
            by_org[orgs["E1"]],
            rsvp.Answer(accept=True, available_slots=[0, 1, 2], preferred_slots=[5]),
        )
    assert bad.value.field == "preferred_slots" and "不在您可参会的时段内" in str(bad.value)
    rsvp.respond(session, by_org[orgs["E1"]], rsvp.Answer(accept=True, preferred_slots=[4, 5]))
    for x in ("U1", "U2"):
        rsvp.respond(session, by_org[orgs[x]], rsvp.Answer(accept=True))
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    plan = service.current_plan(session, event)
    assert plan is not None
    e1 = by_org[orgs["E1"]].participant_id
    mine = [m.slot for m in plan.meetings if e1 in (m.a_id, m.b_id)]
    assert mine and all(s in (4, 5) for s in mine)
    assert plan.stats.get("window_misses") == 0
