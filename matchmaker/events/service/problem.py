"""The planner's input from a stored event: active participants, pair scores, rules and locks.

Scores of pairs whose participants did not change since the last plan are reused, so the pairing
list does not drift between versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventMeeting, EventPlan
from matchmaker.events.service.grid import slot_label
from matchmaker.events.service.humane import pauses_after, rules_of
from matchmaker.events.service.participants import (
    active_participants,
    display_name,
    is_small,
    organisations_of,
)
from matchmaker.events.service.requests import planner_rules
from matchmaker.events.service.rules import pair_rules
from matchmaker.events.service.scoring import ItemScorer, PairKey, offers_for, pair_scores
from matchmaker.events.solver.model import (
    EventProblem,
    Fairness,
    Meeting,
    PairRef,
    Participant,
    Plan,
    ScoredPair,
    UnmetPair,
)


def interpreter_blocked(event: Event, language: str | None) -> set[int]:
    """Slots without an interpreter for the language (all free when no interpreter is needed)."""
    if not language:
        return set()
    return {
        s for s, slot in enumerate(event.slots) if language not in (slot.get("interpreters") or [])
    }


def solver_meeting(m: EventMeeting) -> Meeting:
    """A stored meeting as the planner and checker see it."""
    return Meeting(m.a_id, m.b_id, m.slot, m.table_no, m.score)


def pair_key(a: Any, b: Any) -> PairKey:
    """The key of a pair of participants, smaller id first."""
    return (int(a), int(b)) if int(a) < int(b) else (int(b), int(a))


def build_problem(
    session: Session,
    event: Event,
    scores: dict[PairKey, float],
    locked: Sequence[EventMeeting] = (),
    previous: Sequence[EventMeeting] = (),
) -> EventProblem:
    """The planner's input from the stored event: active participants, scores, rules, locks."""
    active = active_participants(event)
    orgs = organisations_of(session, active)
    ids = {p.id for p in active}
    humane = rules_of(event)
    participants = [
        Participant(
            id=p.id,
            max_meetings=p.max_meetings
            if p.max_meetings is not None
            else event.default_max_meetings,
            unavailable_slots=frozenset(
                set(p.unavailable_slots or [])
                | interpreter_blocked(event, p.language)
                | set(humane.breaks)
            ),
            small=is_small(orgs[p.organisation_id]),
            min_meetings=p.min_meetings,
            name=display_name(orgs[p.organisation_id], p),
            preferred_slots=None if p.preferred_slots is None else frozenset(p.preferred_slots),
        )
        for p in active
    ]
    table = {key: value for key, value in scores.items() if key[0] in ids and key[1] in ids}
    rules = [r for r in pair_rules(session, event) if r.a_id in ids and r.b_id in ids]
    must = {pair_key(r.a_id, r.b_id) for r in rules if r.rule == "must"}
    never = {pair_key(r.a_id, r.b_id) for r in rules if r.rule == "never"}
    asked, declined = planner_rules(session, event, ids)  # participants' requests, after the rules
    must |= asked
    never |= declined
    for key in must:
        table.setdefault(key, 0.0)
    kept_locks = [m for m in locked if m.a_id in ids and m.b_id in ids]
    for m in kept_locks:
        table.setdefault(pair_key(m.a_id, m.b_id), m.score)
    return EventProblem(
        slots=len(event.slots),
        tables=len(event.tables),
        participants=participants,
        scores=[ScoredPair(a, b, s) for (a, b), s in sorted(table.items())],
        must_meet=[PairRef(a, b) for a, b in sorted(must)],
        never_meet=[PairRef(a, b) for a, b in sorted(never)],
        locked=[solver_meeting(m) for m in kept_locks],
        previous=[solver_meeting(m) for m in previous if m.a_id in ids and m.b_id in ids],
        fairness=Fairness(
            min_meetings=event.min_meetings, small_min_meetings=event.small_min_meetings
        ),
        slot_labels=[slot_label(s) for s in event.slots],
        max_back_to_back=humane.max_back_to_back,
        pauses_after=pauses_after(event),
        placement=humane.placement,
    )


def stored_scores(plan: EventPlan) -> dict[PairKey, float]:
    """The pair scores a plan was made from (wish bonuses included)."""
    return {pair_key(int(a), int(b)): float(s) for a, b, s in plan.scores}


def base_scores(plan: EventPlan) -> dict[PairKey, float]:
    """The scorer's pair scores of a plan: its scores less the wish bonuses it included."""
    scores = stored_scores(plan)
    for a, b, extra in plan.bonuses or []:
        key = pair_key(int(a), int(b))
        if key in scores:
            scores[key] = round(scores[key] - float(extra), 2)
    return scores


def stored_plan(plan: EventPlan, only: int | None = None) -> Plan:
    """A stored plan as the checker and exports see it (`only`: one participant's meetings)."""
    meetings = [
        solver_meeting(m) for m in plan.meetings if only is None or only in (m.a_id, m.b_id)
    ]
    return Plan(meetings=meetings, objective=sum(m.score for m in meetings))


def _unmet_row(row: dict[str, Any]) -> UnmetPair:
    return UnmetPair(row["a"], row["b"], str(row.get("reason", "")), str(row.get("message", "")))


def stored_unmet(plan: EventPlan) -> list[UnmetPair]:
    """The must-meet pairs a stored plan could not seat, as the checker sees them."""
    return [_unmet_row(row) for row in plan.unmet if isinstance(row, dict)]


def event_scores(
    session: Session,
    event: Event,
    scorer: ItemScorer,
    previous: EventPlan | None = None,
    rescore: bool = False,
) -> dict[PairKey, float]:
    """Pair scores for the active participants, reusing the previous plan's for unchanged pairs.

    Pairs are rescored when either participant was added or changed since the previous plan,
    and all of them when the event itself was edited (tracks, industries) or the scorer differs.
    """
    active = active_participants(event)
    reuse = (
        previous is not None
        and not rescore
        and previous.scorer == scorer.name
        and event.updated_at <= previous.created_at
    )
    if not reuse or previous is None:
        return pair_scores(session, offers_for(session, active), event.tracks, scorer)
    since = previous.created_at
    stored = base_scores(previous)
    known = {p for pair in stored for p in pair}
    changed = {p.id for p in active if p.updated_at > since or p.created_at > since}
    old = {  # score-0 rows were must-meet fillers: build_problem adds them back while the rule holds
        key: value
        for key, value in stored.items()
        if key[0] not in changed and key[1] not in changed and value > 0
    }
    fresh_ids = (changed | {p.id for p in active if p.id not in known}) & {p.id for p in active}
    if not fresh_ids:
        return old
    fresh = pair_scores(session, offers_for(session, active), event.tracks, scorer, only=fresh_ids)
    old.update(fresh)
    return old
