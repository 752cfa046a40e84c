"""Event use cases over the database: events, participants, pair rules, planning, edits, exports.

One module per job: ``errors``, ``grid`` (slots and tables), ``events``, ``participants``,
``invitations`` (who may be invited), ``rules`` (pair rules), ``problem`` (the planner's input),
``planning``, ``edits``, ``team`` (organiser teams), ``access`` (who sees what, by
``matchmaker.policy.events``), ``views``, ``queries``, ``downloads``;
``scoring`` (pair scores) and ``export`` (file writers). New code imports those modules; the names
below are re-exported so ``from matchmaker.events import service`` keeps working.

Rules a user should know:

- Participants needing an interpreter (``language``, e.g. 英语) meet only in slots whose
  ``interpreters`` list that language; their name carries 「需英语翻译」 on every printout. One
  interpreter per listed language and slot is assumed: when a plan puts two such meetings in one
  slot, the plan says so in ``warnings`` (the planner cannot yet limit it).
- Small institutions (``Organisation.size == "small"``) get the event's ``small_min_meetings``
  fairness floor; everyone else ``min_meetings`` (or the participant's own ``min_meetings``).
- Must-meet pairs are always candidates (score 0 when the scorer sees no match between them).
- Re-planning keeps every locked meeting at its slot and table and changes as few others as the
  planner can; scores of pairs whose participants did not change since the last plan are reused,
  so the pairing list does not drift between versions (``rescore=True`` recomputes all).
- Cancelling a participant drops all its meetings (locked ones too) and re-plans to refill them.
- Every plan is checked by the independent checker before it is stored (``PlanRejected``).
"""

from __future__ import annotations

from matchmaker.events.models import PAIR_RULES
from matchmaker.events.service.access import Viewer, authorise
from matchmaker.events.service.downloads import (
    EXPORT_TYPES,
    ExportFile,
    agenda_file,
    export_file,
    export_set,
    plan_file,
)
from matchmaker.events.service.edits import get_meeting, move_meeting, plan_issues, set_locked
from matchmaker.events.service.errors import (
    Conflict,
    EventError,
    Forbidden,
    Invalid,
    NotFound,
    PlanRejected,
)
from matchmaker.events.service.events import (
    EventSpec,
    create_event,
    current_plan,
    delete_event,
    find_park,
    get_event,
    list_events,
    update_event,
)
from matchmaker.events.service.grid import (
    MAX_SLOTS,
    MAX_TABLES,
    TIME_PATTERN,
    SessionSpec,
    check_slots,
    check_tables,
    session_slots,
    slot_label,
    table_label,
)
from matchmaker.events.service.invitations import (
    invitable_organisations,
    invite,
    uninvited_organisations,
)
from matchmaker.events.service.participants import (
    active_participants,
    add_participant,
    display_name,
    find_participant,
    get_participant,
    participant_names,
    participant_of_organisation,
    remove_participant,
    update_participant,
)
from matchmaker.events.service.planning import (
    PlanOutcome,
    cancel_participant,
    compare_meetings,
    generate_plan,
    interpreter_warnings,
    replan,
)
from matchmaker.events.service.problem import (
    build_problem,
    event_scores,
    interpreter_blocked,
    stored_scores,
)
from matchmaker.events.service.queries import event_setup, visible_events
from matchmaker.events.service.rules import add_pair_rule, pair_rules, remove_pair_rule
from matchmaker.events.service.views import meeting_view, plan_document, plan_view

__all__ = [
    "EXPORT_TYPES",
    "MAX_SLOTS",
    "MAX_TABLES",
    "PAIR_RULES",
    "TIME_PATTERN",
    "Conflict",
    "EventError",
    "EventSpec",
    "ExportFile",
    "Forbidden",
    "Invalid",
    "NotFound",
    "PlanOutcome",
    "PlanRejected",
    "SessionSpec",
    "Viewer",
    "active_participants",
    "add_pair_rule",
    "add_participant",
    "agenda_file",
    "build_problem",
    "cancel_participant",
    "check_slots",
    "check_tables",
    "compare_meetings",
    "create_event",
    "current_plan",
    "delete_event",
    "display_name",
    "event_scores",
    "event_setup",
    "export_file",
    "export_set",
    "find_park",
    "find_participant",
    "generate_plan",
    "get_event",
    "get_meeting",
    "get_participant",
    "interpreter_blocked",
    "interpreter_warnings",
    "invitable_organisations",
    "invite",
    "list_events",
    "meeting_view",
    "move_meeting",
    "authorise",
    "pair_rules",
    "participant_names",
    "participant_of_organisation",
    "plan_document",
    "plan_file",
    "plan_issues",
    "plan_view",
    "remove_pair_rule",
    "remove_participant",
    "replan",
    "session_slots",
    "set_locked",
    "slot_label",
    "stored_scores",
    "table_label",
    "uninvited_organisations",
    "update_event",
    "update_participant",
    "visible_events",
]
