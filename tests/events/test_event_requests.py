"""Meeting requests and wish-lists on a real database: what participants see of each other and
how their requests, wishes and "not interested" marks change the plan."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.models import Event
from matchmaker.events.service import requests
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.problem import base_scores, pair_key
from matchmaker.events.service.scoring import LexicalScorer
from tests.events.event_world import FAST, make_event, seed
from tests.events.test_event_service import assert_valid


def pairs(session: Session, event: Event) -> dict[tuple[int, int], float]:
    plan = service.current_plan(session, event)
    assert plan is not None
    return {pair_key(m.a_id, m.b_id): m.score for m in plan.meetings}


def test_partners_are_ranked_with_reasons_and_stances(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs)
    e1 = people["E1"].id
    found = requests.partners(session, event, e1, LexicalScorer())
    assert len(found) == 6 and e1 not in {p.participant_id for p in found}
    scores = [p.score for p in found]
    assert scores == sorted(scores, reverse=True)
    universities = {people[x].id for x in ("U1", "U2", "U3", "U4")}
    assert {p.participant_id for p in found[:4]} == universities  # enterprises have nothing to sell
    assert all(p.topic and p.reasons for p in found[:4])

    requests.stance(session, event, people["U1"].id, e1, "request", "想聊焊点检测")
    requests.stance(session, event, people["U2"].id, e1, "wish")
    requests.stance(session, event, e1, people["U4"].id, "not_interested")
    found = {p.participant_id: p for p in requests.partners(session, event, e1, LexicalScorer())}
    assert found[people["U1"].id].theirs == "request" and found[people["U1"].id].request_id
    assert found[people["U2"].id].theirs is None, "a wish stays private to whoever made it"
    assert found[people["U4"].id].mine == "not_interested"
    assert list(found)[-1] == people["U4"].id, "not-interested partners go last"
    with pytest.raises(Invalid):
        requests.stance(session, event, e1, e1, "request")
    with pytest.raises(Invalid):
        requests.stance(session, event, e1, people["U2"].id, "maybe")
    with pytest.raises(NotFound):
        requests.answer_request(
            session, event, found[people["U1"].id].request_id or 0, people["E2"].id, True
        )


def test_requests_wishes_and_not_interested_shape_the_plan(session: Session) -> None:
    orgs = seed(session)
    event, people = make_event(session, orgs, slots=4, tables=3, max_meetings=3)
    p = {x: people[x].id for x in people}
    service.update_participant(session, event.id, p["E1"], {"max_meetings": 1})
    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    before = pairs(session, event)
    assert pair_key(p["E1"], p["E2"]) not in before, "two enterprises have nothing to discuss"
    assert pair_key(p["E1"], p["U1"]) in before, "E1's one meeting goes to its best match"
    scores = service.stored_scores(service.current_plan(session, event))  # type: ignore[arg-type]
    wished = pair_key(p["E1"], p["U2"])
    assert scores[wished] + 2 * requests.WISH_BONUS > scores[pair_key(p["E1"], p["U1"])]
    assert scores[wished] + requests.WISH_BONUS < scores[pair_key(p["E1"], p["U1"])]
    met = max(before, key=lambda k: before[k])  # the best pair of the first plan

    # E2 asks E3; E3 accepts: a must-meet. A side of the best pair is not interested: never.
    asked = requests.stance(session, event, p["E2"], p["E3"], "request", "供应链合作")
    with pytest.raises(NotFound):
        requests.answer_request(session, event, asked.id, p["E2"], True)  # not the addressee
    requests.answer_request(session, event, asked.id, p["E3"], True)
    with pytest.raises(Conflict):
        requests.answer_request(session, event, asked.id, p["E3"], False)
    requests.stance(session, event, met[0], met[1], "not_interested")
    # E1 alone wishing U2 is not enough to beat U1; both sides wishing is.
    requests.stance(session, event, p["E1"], p["U2"], "wish")
    requests.stance(session, event, p["U2"], p["E1"], "wish")
    session.commit()

    service.generate_plan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    plan = assert_valid(session, event)
    after = pairs(session, event)
    assert after[pair_key(p["E2"], p["E3"])] == 0.0
    assert met not in after
    assert wished in after and pair_key(p["E1"], p["U1"]) not in after
    assert plan.bonuses == [[wished[0], wished[1], 2 * requests.WISH_BONUS]]
    assert after[wished] == pytest.approx(scores[wished] + 2 * requests.WISH_BONUS)
    assert base_scores(plan)[wished] == pytest.approx(scores[wished])

    # A re-plan with nothing new neither drops nor doubles the bonus.
    service.replan(session, event.id, LexicalScorer(), time_limit=FAST)
    session.commit()
    again = assert_valid(session, event)
    assert pairs(session, event) == after
    assert base_scores(again)[wished] == pytest.approx(scores[wished])

    # The organiser's never-meet beats an accepted request; withdrawing a mark lifts it.
    service.add_pair_rule(session, event.id, p["E2"], p["E3"], "never")
    requests.withdraw(session, event, met[0], met[1])
    session.commit()
    problem = service.build_problem(session, event, base_scores(again))
    must = {pair_key(r.a, r.b) for r in problem.must_meet}
    never = {pair_key(r.a, r.b) for r in problem.never_meet}
    assert pair_key(p["E2"], p["E3"]) in never and pair_key(p["E2"], p["E3"]) not in must
    assert met not in never
