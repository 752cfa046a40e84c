"""After the event: each side records what came of each of its meetings (met / follow-up / not
useful). Outcomes feed the event statistics (``matchmaker.stats.outcomes``) and the re-ranker:
each is written as pair feedback on the meeting's item pair (the closest need or scenario of one
side and achievement of the other), attached to the latest time that pair was shown, or to a
shown row logged now with the pair's current features, so ``training_examples`` can use it.

Mapping to the feedback vocabulary: met → ``met``; follow-up → ``met`` with the note
"follow-up" (the meeting happened and goes on: the strongest outcome short of ``signed``);
not useful → ``reject`` with reason ``unclear_benefit``.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.config import CHINA
from matchmaker.core.kinds import SCENARIO, TECH_TRANSFER
from matchmaker.events.models import Event, EventParticipant, EventPlan
from matchmaker.events.participation_models import OUTCOMES, EventOutcome
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.events import current_plan
from matchmaker.events.service.participants import get_participant
from matchmaker.ranking.catalogue import Catalogue, ItemView, load_catalogue
from matchmaker.ranking.context import demand_of, supply_of
from matchmaker.ranking.features import compute_features
from matchmaker.ranking.feedback import PairKey, ShownRow, add_feedback, latest_shown, log_shown
from matchmaker.ranking.tracks import get_track
from matchmaker.store.models import utcnow

ACTIONS: dict[str, tuple[str, str | None, str]] = {
    "met": ("met", None, "event outcome: met"),
    "follow_up": ("met", None, "event outcome: follow-up"),
    "not_useful": ("reject", "unclear_benefit", "event outcome: not useful"),
}
MAX_NOTE = 500


def _plan_meeting(plan: EventPlan | None, a: int, b: int) -> bool:
    return plan is not None and any({m.a_id, m.b_id} == {a, b} for m in plan.meetings)


def _pair_score(plan: EventPlan, a: int, b: int) -> float:
    for x, y, score in plan.scores:
        if {int(x), int(y)} == {a, b}:
            return float(score)
    return 0.0


def _best_item_pair(
    cat: Catalogue, one: EventParticipant, other: EventParticipant
) -> tuple[str, ItemView, ItemView] | None:
    """The track and (demand, achievement) items of the two sides with the most shared words."""
    best: tuple[int, str, ItemView, ItemView] | None = None
    for asker, giver in ((one, other), (other, one)):
        supplies = [cat.items["achievement"].get(i) for i in giver.achievement_ids or []]
        for kind, track in (("need", TECH_TRANSFER), ("scenario", SCENARIO)):
            for item_id in getattr(asker, f"{kind}_ids") or []:
                demand = cat.items[kind].get(item_id)
                for supply in supplies:
                    if demand is None or supply is None:
                        continue
                    shared = len(demand.tokens & supply.tokens)
                    if best is None or shared > best[0]:
                        best = (shared, track, demand, supply)
    return None if best is None else best[1:]


def _feedback(
    session: Session, plan: EventPlan, me: EventParticipant, other: EventParticipant, outcome: str
) -> int | None:
    """Write the outcome as pair feedback for the re-ranker; None when no item pair exists."""
    cat = load_catalogue(session)
    found = _best_item_pair(cat, me, other)
    if found is None:
        return None
    track_name, demand, supply = found
    pair = PairKey(track_name, demand.kind, demand.id, "achievement", supply.id)
    shown = latest_shown(session, pair)
    if shown is None:
        score = _pair_score(plan, me.id, other.id) / 100.0
        union = len(demand.tokens | supply.tokens) or 1
        lexical = len(demand.tokens & supply.tokens) / math.sqrt(union)
        features = compute_features(
            get_track(track_name),
            demand_of(cat, demand),
            supply_of(cat, supply),
            semantic=min(1.0, score),
            lexical=min(1.0, lexical),
            updated_at=supply.updated_at,
            asean=list(supply.asean),
            now=utcnow(),
        )
        row = ShownRow(pair, 0, score, dict(features.values), "event-outcome")
        shown = log_shown(session, [row])[0]
    action, reason, note = ACTIONS[outcome]
    made = add_feedback(
        session, pair, action, reason=reason, note=f"{note} (event {plan.event_id})", shown=shown
    )
    return made.id


def record_outcome(
    session: Session,
    event: Event,
    participant_id: int,
    partner_id: int,
    outcome: str,
    note: str = "",
    today: dt.date | None = None,
) -> EventOutcome:
    """One side's outcome of its meeting with a partner (a new answer replaces the old one)."""
    if outcome not in OUTCOMES:
        raise Invalid(
            "会谈结果应为 已会谈、将跟进 或 无价值 / outcome must be met, follow_up or not_useful",
            "outcome",
        )
    if len(note) > MAX_NOTE:
        raise Invalid(f"备注最多 {MAX_NOTE} 字 / note too long", "note")
    day = today or dt.datetime.now(CHINA).date()
    if day < event.date:
        raise Conflict(
            f"活动（{event.date:%Y-%m-%d}）结束后才能记录会谈结果 / outcomes are recorded after the "
            "event"
        )
    me = get_participant(session, event, participant_id)
    other = get_participant(session, event, partner_id)
    plan = current_plan(session, event)
    if plan is None or not _plan_meeting(plan, me.id, other.id):
        raise NotFound("您与该参会方没有安排会谈 / you had no meeting with that participant")
    row = session.scalars(
        select(EventOutcome).where(
            EventOutcome.event_id == event.id,
            EventOutcome.participant_id == me.id,
            EventOutcome.partner_id == other.id,
        )
    ).first()
    if row is None:
        row = EventOutcome(event_id=event.id, participant_id=me.id, partner_id=other.id)
        session.add(row)
    row.outcome, row.note, row.recorded_at = outcome, note.strip(), utcnow()
    row.feedback_id = _feedback(session, plan, me, other, outcome)
    session.flush()
    return row


def outcomes_of(session: Session, event: Event, participant_id: int) -> dict[int, str]:
    """What a participant has recorded so far, by partner."""
    rows = session.scalars(
        select(EventOutcome).where(
            EventOutcome.event_id == event.id, EventOutcome.participant_id == participant_id
        )
    )
    return {r.partner_id: r.outcome for r in rows}
