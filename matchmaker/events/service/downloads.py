"""The current plan of a stored event as files: CSV and XLSX meeting lists, printable HTML agendas
(the writers are in ``matchmaker.events.service.export``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.events.models import Event
from matchmaker.events.service import agenda
from matchmaker.events.service.access import authorise, check_agenda
from matchmaker.events.service.errors import Conflict, Invalid
from matchmaker.events.service.events import current_plan, get_event
from matchmaker.events.service.export import ExportContext, agenda_html, write_csv, write_xlsx
from matchmaker.events.service.grid import slot_label
from matchmaker.events.service.participants import (
    active_participants,
    get_participant,
    participant_names,
)
from matchmaker.events.service.problem import stored_plan
from matchmaker.policy.actor import Actor
from matchmaker.policy.events import Action

EXPORT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
WHOLE_PLAN_TYPES = ("csv", "xlsx", "html")


@dataclass
class ExportFile:
    """A file to hand to the user."""

    filename: str
    content: bytes
    media_type: str


@dataclass
class _EventContext(ExportContext):
    """Export context with the event's table labels and everyone's names for partners."""

    labels: list[str] = field(default_factory=list)
    everyone: dict[Any, str] = field(default_factory=dict)

    def name(self, who: Any) -> str:
        """Display name of any participant (agendas list only ``names``)."""
        return self.everyone.get(who) or self.names.get(who) or str(who)

    def table(self, table: int) -> str:  # type: ignore[override]
        """The table's printed label."""
        return self.labels[table] if 0 <= table < len(self.labels) else str(table + 1)


def export_file(
    session: Session, event_id: int, fmt: str, *, participant_id: int | None = None
) -> ExportFile:
    """The current plan as CSV, XLSX or printable HTML (one participant's agenda when asked)."""
    event = get_event(session, event_id)
    if fmt not in WHOLE_PLAN_TYPES:
        raise Invalid(
            f"导出格式应为 {'/'.join(WHOLE_PLAN_TYPES)}（日历 .ics 按参会方导出）/ format must be "
            "csv, xlsx or html (calendars are per participant)",
            "fmt",
        )
    plan = current_plan(session, event)
    if plan is None:
        raise Conflict("活动还没有方案 / the event has no plan yet")
    names: dict[Any, str] = dict(participant_names(session, event))
    active = {p.id for p in active_participants(event)}
    shown = {pid: n for pid, n in names.items() if pid in active}
    if participant_id is not None:
        get_participant(session, event, participant_id)
        shown = {participant_id: names[participant_id]}
    ctx = _EventContext(
        names=shown,
        slot_labels=[slot_label(s) for s in event.slots],
        tables=len(event.tables),
        title=f"{event.name}（{event.date:%Y年%m月%d日}）",
        labels=list(event.tables),
        everyone=names,
    )
    chosen = stored_plan(plan, participant_id)
    stem = f"event-{event.id}-v{plan.version}" + (f"-p{participant_id}" if participant_id else "")
    if fmt == "html":
        html = agenda_html(chosen, ctx)
        if participant_id is not None:
            html = _without_table_plan(html)
        return ExportFile(f"{stem}-agenda.html", html.encode("utf-8"), EXPORT_TYPES["html"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"meetings.{fmt}"
        if fmt == "csv":
            write_csv(path, chosen, ctx)
        else:
            write_xlsx(path, chosen, ctx)
        return ExportFile(f"{stem}-meetings.{fmt}", path.read_bytes(), EXPORT_TYPES[fmt])


def _without_table_plan(html: str) -> str:
    """One participant's agenda does not need the venue's table plan."""
    start = html.find('<section class="table-plan">')
    end = html.find("</section>", start)
    if start < 0 or end < 0:
        return html
    return html[:start] + html[end + len("</section>") :]


def own_file(session: Session, event: Event, participant_id: int, fmt: str) -> ExportFile:
    """One participant's agenda as CSV, XLSX, printable HTML or an RFC 5545 calendar (.ics):
    its own meetings with time, table, partner, topic and why, never scores."""
    if fmt not in EXPORT_TYPES:
        raise Invalid(
            "导出格式应为 csv/xlsx/html/ics / format must be csv, xlsx, html or ics", "fmt"
        )
    plan = current_plan(session, event)
    if plan is None:
        raise Conflict("活动还没有方案 / the event has no plan yet")
    if fmt == "html":
        return export_file(session, event.id, "html", participant_id=participant_id)
    rows = agenda.agenda_rows(session, event, participant_id, plan)
    stem = f"event-{event.id}-v{plan.version}-p{participant_id}-agenda"
    if fmt == "ics":
        name = participant_names(session, event).get(participant_id, "")
        data = agenda.agenda_ics(event, participant_id, name, rows, version=plan.version)
    else:
        data = agenda.agenda_csv(rows) if fmt == "csv" else agenda.agenda_xlsx(rows)
    return ExportFile(f"{stem}.{fmt}", data, EXPORT_TYPES[fmt])


def plan_file(session: Session, event_id: int, fmt: str, viewer: Actor) -> ExportFile:
    """The whole plan as a file (with scores) for the event's organiser team and admins; a
    participant's own agenda in that format (no scores, no other participants' meetings)."""
    event, who = authorise(session, viewer, event_id, Action.AGENDA)
    if who.whole:
        return export_file(session, event_id, fmt)
    assert who.participant_id is not None
    return own_file(session, event, who.participant_id, fmt)


def agenda_file(session: Session, event_id: int, participant_id: int, viewer: Actor) -> ExportFile:
    """One participant's printable agenda; a participant gets only its own."""
    _, who = authorise(session, viewer, event_id, Action.AGENDA)
    check_agenda(who, participant_id)
    return export_file(session, event_id, "html", participant_id=participant_id)


def export_set(
    session: Session, event_id: int, participant_id: int | None = None
) -> list[ExportFile]:
    """The files organisers print: meeting lists (CSV, XLSX) and agendas (HTML), or one
    participant's agenda alone."""
    if participant_id is not None:
        return [export_file(session, event_id, "html", participant_id=participant_id)]
    return [export_file(session, event_id, fmt) for fmt in WHOLE_PLAN_TYPES]
