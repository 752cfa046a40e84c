"""An event, its participants, rules, meetings and plans as people read them (plain dicts for the
API, the pages and the CLI), and the plan as the viewer may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.events.models import (
    PAIR_RULES,
    Event,
    EventMeeting,
    EventPairRule,
    EventParticipant,
    EventPlan,
)
from matchmaker.events.service.access import authorise
from matchmaker.events.service.edits import plan_issues
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.grid import slot_label, table_label
from matchmaker.events.service.humane import rules_of
from matchmaker.events.service.participants import (
    active_participants,
    display_name,
    is_small,
    participant_names,
)
from matchmaker.events.service.planning import PlanOutcome
from matchmaker.events.service.rules import pair_rules
from matchmaker.policy.actor import Actor
from matchmaker.policy.events import Action, EventAccess, plan_for


def event_view(session: Session, event: Event) -> dict[str, Any]:
    """An event with its grid, how many take part and its plan's version."""
    plan = current_plan(session, event)
    return {
        "id": event.id,
        "name": event.name,
        "date": event.date,
        "park_id": event.park_id,
        "park_name": event.park.name if event.park is not None else None,
        "venue": event.venue,
        "description": event.description,
        "internal_note": event.internal_note or "",
        "tracks": event.tracks or [],
        "industries": event.industries or [],
        "slots": [{"index": i, **slot} for i, slot in enumerate(event.slots)],
        "tables": event.tables,
        "default_max_meetings": event.default_max_meetings,
        "min_meetings": event.min_meetings,
        "small_min_meetings": event.small_min_meetings,
        "participants": len(active_participants(event)),
        "plan_version": plan.version if plan is not None else None,
        "rsvp_deadline": event.rsvp_deadline,
        "schedule_rules": rules_of(event).as_dict(),
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def participant_view(event: Event, row: EventParticipant) -> dict[str, Any]:
    """A participant with its organisation, constraints (the event's cap when it has none) and items."""
    org = row.organisation
    return {
        "id": row.id,
        "event_id": row.event_id,
        "organisation_id": row.organisation_id,
        "name": org.name,
        "display_name": display_name(org, row),
        "kind": org.kind,
        "size": org.size,
        "small": is_small(org),
        "province": org.province,
        "max_meetings": row.max_meetings
        if row.max_meetings is not None
        else event.default_max_meetings,
        "max_meetings_set": row.max_meetings,
        "min_meetings": row.min_meetings,
        "unavailable_slots": row.unavailable_slots or [],
        "language": row.language,
        "need_ids": row.need_ids or [],
        "achievement_ids": row.achievement_ids or [],
        "scenario_ids": row.scenario_ids or [],
        "status": row.status,
        "cancelled_at": row.cancelled_at,
        "checked_in_at": row.checked_in_at,
        "note": row.note,
    }


def participant_list(session: Session, event_id: int) -> list[dict[str, Any]]:
    """Everyone invited to the event, cancelled ones included (their status says so)."""
    event = get_event(session, event_id)
    return [participant_view(event, row) for row in event.participants]


def rule_view(names: dict[int, str], rule: EventPairRule) -> dict[str, Any]:
    """A pair rule with both participants' names and the rule in Chinese."""
    return {
        "id": rule.id,
        "a": rule.a_id,
        "b": rule.b_id,
        "a_name": names.get(rule.a_id, str(rule.a_id)),
        "b_name": names.get(rule.b_id, str(rule.b_id)),
        "rule": rule.rule,
        "rule_zh": PAIR_RULES[rule.rule],
        "note": rule.note,
    }


def rule_of(session: Session, rule: EventPairRule) -> dict[str, Any]:
    """A pair rule as people read it, naming the participants from the database."""
    event = get_event(session, rule.event_id)
    return rule_view(participant_names(session, event), rule)


def rule_list(session: Session, event_id: int) -> list[dict[str, Any]]:
    """The event's must-meet and never-meet rules as people read them."""
    event = get_event(session, event_id)
    names = participant_names(session, event)
    return [rule_view(names, rule) for rule in pair_rules(session, event)]


def outcome_summary(outcome: PlanOutcome) -> dict[str, Any]:
    """What a planning run stored: version, meetings, score, changes, unmet pairs, warnings."""
    plan = outcome.plan
    return {
        "event_id": plan.event_id,
        "plan_id": plan.id,
        "version": plan.version,
        "kind": plan.kind,
        "scorer": plan.scorer,
        "meetings": len(plan.meetings),
        "objective": round(plan.objective, 4),
        "changes": outcome.changes,
        "unmet_must_meet": plan.unmet,
        "warnings": plan.warnings,
        "seconds": outcome.seconds,
    }


def meeting_view(event: Event, names: dict[int, str], m: EventMeeting) -> dict[str, Any]:
    """One meeting as people read it: who, when, where."""
    return {
        "id": m.id,
        "a": m.a_id,
        "b": m.b_id,
        "a_name": names.get(m.a_id, str(m.a_id)),
        "b_name": names.get(m.b_id, str(m.b_id)),
        "slot": m.slot,
        "time": slot_label(event.slots[m.slot]) if m.slot < len(event.slots) else "",
        "table": m.table_no,
        "table_label": table_label(event, m.table_no),
        "score": round(m.score, 4),
        "locked": m.locked,
    }


def meeting_of(session: Session, event: Event, meeting: EventMeeting) -> dict[str, Any]:
    """One meeting as people read it, naming the participants from the database."""
    return meeting_view(event, participant_names(session, event), meeting)


def plan_document(
    session: Session, event: Event, plan: EventPlan, *, only: int | None = None
) -> dict[str, Any]:
    """The plan as a grid (slots × tables) and per participant; `only` keeps one participant's."""
    names = participant_names(session, event)
    meetings = [m for m in plan.meetings if only is None or only in (m.a_id, m.b_id)]
    views = [meeting_view(event, names, m) for m in meetings]
    by_place = {(v["slot"], v["table"]): v for v in views}
    grid = [
        {
            "slot": s,
            "time": slot_label(slot),
            "session": slot.get("session", ""),
            "cells": [by_place.get((s, t)) for t in range(len(event.tables))],
        }
        for s, slot in enumerate(event.slots)
    ]
    people = []
    for row in event.participants:
        if only is not None and row.id != only:
            continue
        own = sorted((v for v in views if row.id in (v["a"], v["b"])), key=lambda v: v["slot"])
        people.append(
            {
                "participant_id": row.id,
                "name": names[row.id],
                "status": row.status,
                "meetings": [
                    {
                        "meeting_id": v["id"],
                        "slot": v["slot"],
                        "time": v["time"],
                        "table_label": v["table_label"],
                        "partner_id": v["b"] if v["a"] == row.id else v["a"],
                        "partner": v["b_name"] if v["a"] == row.id else v["a_name"],
                        "locked": v["locked"],
                    }
                    for v in own
                ],
            }
        )
    return {
        "event_id": event.id,
        "plan_id": plan.id,
        "version": plan.version,
        "kind": plan.kind,
        "scorer": plan.scorer,
        "created_at": plan.created_at,
        "objective": round(plan.objective, 4),
        "meetings": views,
        "tables": list(event.tables),
        "grid": grid,
        "participants": people,
        "unmet_must_meet": list(plan.unmet),
        "warnings": list(plan.warnings),
        "changes": dict(plan.changes),
        "stats": dict(plan.stats),
        "issues": plan_issues(session, event, plan),
    }


@dataclass
class PlanView:
    """The current plan as one viewer may see it."""

    event: Event
    only: int | None  # the viewer's own participant when it sees only its own meetings
    document: dict[str, Any] | None  # None before the first plan
    access: EventAccess | None = None


def plan_view(session: Session, event_id: int, viewer: Actor) -> PlanView:
    """The current plan for a viewer (policy): whole for the organiser team and admins; for a
    participant its own meetings only, without scores, unmet pair rules or the organisers'
    working notes (warnings, issues, stats)."""
    event, who = authorise(session, viewer, event_id, Action.PLAN)
    only = who.own_only
    plan = current_plan(session, event)
    if plan is None:
        return PlanView(event, only, None, who)
    document = plan_document(session, event, plan, only=only)
    return PlanView(event, only, plan_for(document, who), who)
