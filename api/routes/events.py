"""Matchmaking events under /api/v1/events: set-up, participants, pair rules, plans, edits, exports.

Who may do what: admins and organisers do everything; readers read events, plans and exports;
an enterprise key reads events, their participant lists, and only its own organisation's meetings
and agenda (403 for the full plan, exports and other participants' agendas).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import problems
from api.deps import Caller, CallerDep, OrganiserDep, SessionDep, event_scorer
from api.problems import Problem
from matchmaker.catalog.importer import parsers
from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.events import service
from matchmaker.events.models import PAIR_RULES, Event, EventPairRule, EventParticipant

router = APIRouter(prefix="/api/v1", tags=["活动 Events"], responses=problems.COMMON_RESPONSES)

MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="数据库编号 database id")]
DbId = Annotated[int, Field(ge=1, le=MAX_ID, description="数据库编号 database id")]
Limit = Annotated[int, Query(ge=1, le=100, description="每页条数 page size (1–100)")]
Offset = Annotated[int, Query(ge=0, le=100000, description="偏移 offset")]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]
Language = Annotated[str, Field(min_length=1, max_length=32, description="语种，如 英语、越南语")]
Count = Annotated[int, Field(ge=0, le=service.MAX_SLOTS)]
SlotNo = Annotated[int, Field(ge=0, le=service.MAX_SLOTS - 1, description="时段序号，从 0 起")]
TableNo = Annotated[int, Field(ge=0, le=service.MAX_TABLES - 1, description="桌序号，从 0 起")]
TableLabel = Annotated[str, Field(min_length=1, max_length=20)]
TrackName = Literal["tech-transfer", "scenario", "east-to-guangxi"]
IndustryName = Annotated[
    str,
    Field(
        json_schema_extra={"enum": [i.code for i in INDUSTRIES] + [i.zh for i in INDUSTRIES]},
        description="行业代码或中文名",
    ),
]
ItemIds = Annotated[list[DbId], Field(max_length=200)]
ExportFormat = Literal["csv", "xlsx", "html"]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "文件下载 File download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "text/html": {"schema": {"type": "string"}},
        },
    }
}
HTML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "可打印日程 Printable agenda",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


# ---- bodies ------------------------------------------------------------------------------------
class Strict(BaseModel):
    """Rejects unknown fields so typos are named, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class SessionIn(Strict):
    """A block of equal slots, e.g. 上午场 09:00–11:40 in 20-minute meetings."""

    name: Annotated[str, Field(max_length=32, description="场次名，如 上午场")] = ""
    start: Clock
    end: Clock
    slot_minutes: Annotated[int, Field(ge=5, le=240, description="每场会谈分钟数")] = 20
    interpreters: Annotated[
        list[Language], Field(max_length=10, description="本场次有翻译的语种")
    ] = []


class SlotIn(Strict):
    """One explicit slot."""

    start: Clock
    end: Clock
    session: Annotated[str, Field(max_length=32)] = ""
    interpreters: Annotated[list[Language], Field(max_length=10)] = []


class IndustriesIn(Strict):
    """Industries given as codes or Chinese names, stored as codes."""

    @field_validator("industries", mode="before", check_fields=False)
    @classmethod
    def _industries(cls, value: Any) -> Any:
        return None if value is None else parsers.parse_industries(value)


class EventCreate(IndustriesIn):
    """A new event: give the grid as sessions (cut into slots) or as explicit slots."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    date: dt.date
    park_id: DbId | None = None
    venue: Annotated[str, Field(max_length=200)] = ""
    description: Annotated[str, Field(max_length=5000)] = ""
    tracks: Annotated[list[TrackName], Field(max_length=3, description="赛道；空 = 全部")] = []
    industries: Annotated[list[IndustryName], Field(max_length=20)] = []
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=10)] | None = None
    slots: Annotated[list[SlotIn], Field(min_length=1, max_length=service.MAX_SLOTS)] | None = None
    tables: Annotated[int, Field(ge=1, le=service.MAX_TABLES, description="桌数")] | None = None
    table_labels: (
        Annotated[list[TableLabel], Field(min_length=1, max_length=service.MAX_TABLES)] | None
    ) = None
    default_max_meetings: Count = 6
    min_meetings: Count = 1
    small_min_meetings: Count = 2

    @model_validator(mode="after")
    def _grid(self) -> EventCreate:
        if (self.sessions is None) == (self.slots is None):
            raise ValueError("请给出 sessions 或 slots（二选一）/ give either sessions or slots")
        if self.tables is None and self.table_labels is None:
            raise ValueError("请给出 tables 或 table_labels / give tables or table_labels")
        return self


class EventUpdate(IndustriesIn):
    """Fields to change; a new grid must still hold the current plan's meetings."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    date: dt.date | None = None
    park_id: DbId | None = None
    venue: Annotated[str, Field(max_length=200)] | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    tracks: Annotated[list[TrackName], Field(max_length=3)] | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    slots: Annotated[list[SlotIn], Field(min_length=1, max_length=service.MAX_SLOTS)] | None = None
    table_labels: (
        Annotated[list[TableLabel], Field(min_length=1, max_length=service.MAX_TABLES)] | None
    ) = None
    default_max_meetings: Count | None = None
    min_meetings: Count | None = None
    small_min_meetings: Count | None = None


class ParticipantIn(Strict):
    """Constraints and items of a participant (item lists default to its active items in theme)."""

    max_meetings: Count | None = None
    min_meetings: Count | None = None
    unavailable_slots: Annotated[list[SlotNo], Field(max_length=service.MAX_SLOTS)] = []
    language: Language | None = None
    need_ids: ItemIds | None = None
    achievement_ids: ItemIds | None = None
    scenario_ids: ItemIds | None = None
    note: Annotated[str, Field(max_length=2000)] = ""


class ParticipantCreate(ParticipantIn):
    organisation_id: DbId


class ParticipantUpdate(Strict):
    max_meetings: Count | None = None
    min_meetings: Count | None = None
    unavailable_slots: Annotated[list[SlotNo], Field(max_length=service.MAX_SLOTS)] | None = None
    language: Language | None = None
    need_ids: ItemIds | None = None
    achievement_ids: ItemIds | None = None
    scenario_ids: ItemIds | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    status: (
        Annotated[Literal["active"], Field(description="恢复已取消的参会方 reinstate")] | None
    ) = None


class PairRuleCreate(Strict):
    a: DbId
    b: DbId
    rule: Literal["must", "never"]
    note: Annotated[str, Field(max_length=2000)] = ""


class PlanRequest(Strict):
    time_limit: Annotated[float, Field(ge=1, le=60, description="排程时间上限（秒）")] = 8.0
    rescore: Annotated[bool, Field(description="重新计算所有配对得分")] = False


class MeetingMove(Strict):
    slot: SlotNo
    table: TableNo
    lock: Annotated[bool, Field(description="移动后锁定（默认是）")] = True


# ---- responses ---------------------------------------------------------------------------------
class SlotOut(BaseModel):
    index: int
    start: str
    end: str
    session: str
    interpreters: list[str]


class EventPublic(BaseModel):
    id: int
    name: str
    date: dt.date
    park_id: int | None
    park_name: str | None
    venue: str
    description: str
    tracks: list[str]
    industries: list[str]
    slots: list[SlotOut]
    tables: list[str]
    default_max_meetings: int
    min_meetings: int
    small_min_meetings: int
    participants: int
    plan_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class EventPage(BaseModel):
    items: list[EventPublic]
    total: int
    limit: int
    offset: int


class ParticipantPublic(BaseModel):
    id: int
    event_id: int
    organisation_id: int
    name: str
    display_name: str
    kind: str
    size: str | None
    small: bool
    province: str
    max_meetings: int
    max_meetings_set: int | None
    min_meetings: int | None
    unavailable_slots: list[int]
    language: str | None
    need_ids: list[int]
    achievement_ids: list[int]
    scenario_ids: list[int]
    status: str
    cancelled_at: dt.datetime | None
    note: str


class PairRulePublic(BaseModel):
    id: int
    a: int
    b: int
    a_name: str
    b_name: str
    rule: str
    rule_zh: str
    note: str


class Changes(BaseModel):
    kept: int = 0
    moved: int = 0
    added: int = 0
    removed: int = 0


class UnmetOut(BaseModel):
    a: int
    b: int
    reason: str
    message: str


class PlanSummary(BaseModel):
    event_id: int
    plan_id: int
    version: int
    kind: str
    scorer: str
    meetings: int
    objective: float
    changes: Changes
    unmet_must_meet: list[UnmetOut]
    warnings: list[str]
    seconds: float


class MeetingOut(BaseModel):
    id: int
    a: int
    b: int
    a_name: str
    b_name: str
    slot: int
    time: str
    table: int
    table_label: str
    score: float
    locked: bool


class GridRow(BaseModel):
    slot: int
    time: str
    session: str
    cells: list[MeetingOut | None]


class AgendaRow(BaseModel):
    meeting_id: int
    slot: int
    time: str
    table_label: str
    partner_id: int
    partner: str
    locked: bool


class Agenda(BaseModel):
    participant_id: int
    name: str
    status: str
    meetings: list[AgendaRow]


class PlanPublic(BaseModel):
    event_id: int
    plan_id: int
    version: int
    kind: str
    scorer: str
    created_at: dt.datetime
    objective: float
    meetings: list[MeetingOut]
    tables: list[str]
    grid: list[GridRow]
    participants: list[Agenda]
    unmet_must_meet: list[UnmetOut]
    warnings: list[str]
    changes: Changes
    stats: dict[str, Any]
    issues: list[str]


# ---- helpers -----------------------------------------------------------------------------------
@contextmanager
def _use_cases(session: Session) -> Iterator[None]:
    """Turn the service's refusals into problem documents, rolling back what was started."""
    try:
        yield
        session.commit()
    except service.NotFound as exc:
        session.rollback()
        raise Problem(404, exc.message) from exc
    except service.Invalid as exc:
        session.rollback()
        errors = [{"field": exc.field or "", "in": "body", "message": exc.message}]
        raise Problem(422, exc.message, errors) from exc
    except service.Conflict as exc:
        session.rollback()
        raise Problem(409, exc.message) from exc
    except IntegrityError as exc:
        session.rollback()
        raise Problem(409, "与已有记录冲突 / conflicts with an existing record") from exc


def _actor(caller: Caller) -> str:
    return f"{caller.role}:{caller.key_id}"


def _event(session: Session, event_id: int) -> Event:
    try:
        return service.get_event(session, event_id)
    except service.NotFound as exc:
        raise Problem(404, exc.message) from exc


def _event_public(session: Session, event: Event) -> dict[str, Any]:
    plan = service.current_plan(session, event)
    return {
        "id": event.id,
        "name": event.name,
        "date": event.date,
        "park_id": event.park_id,
        "park_name": event.park.name if event.park is not None else None,
        "venue": event.venue,
        "description": event.description,
        "tracks": event.tracks or [],
        "industries": event.industries or [],
        "slots": [{"index": i, **slot} for i, slot in enumerate(event.slots)],
        "tables": event.tables,
        "default_max_meetings": event.default_max_meetings,
        "min_meetings": event.min_meetings,
        "small_min_meetings": event.small_min_meetings,
        "participants": len(service.active_participants(event)),
        "plan_version": plan.version if plan is not None else None,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def _participant_public(event: Event, row: EventParticipant) -> dict[str, Any]:
    org = row.organisation
    return {
        "id": row.id,
        "event_id": row.event_id,
        "organisation_id": row.organisation_id,
        "name": org.name,
        "display_name": service.display_name(org, row),
        "kind": org.kind,
        "size": org.size,
        "small": org.size == "small",
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
        "note": row.note,
    }


def _rule_public(names: dict[int, str], rule: EventPairRule) -> dict[str, Any]:
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


def _summary(outcome: service.PlanOutcome) -> dict[str, Any]:
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


def _own_participant(session: Session, event: Event, caller: Caller) -> EventParticipant:
    """The participant an enterprise key acts for at this event (403 when it is not one)."""
    row = None
    if caller.organisation_id is not None:
        row = service.participant_of_organisation(session, event, caller.organisation_id)
    if row is None:
        raise Problem(
            403, "本机构不是该活动的参会方 / your organisation is not a participant of this event"
        )
    return row


def _full_readers(caller: Caller) -> None:
    if caller.role not in ("admin", "organiser", "reader"):
        raise Problem(
            403,
            f"角色 {caller.role} 只能查看本机构的日程 / role {caller.role} sees only its own agenda",
        )


def _download(file: service.ExportFile) -> Response:
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


# ---- events ------------------------------------------------------------------------------------
@router.get("/events", response_model=EventPage, summary="活动列表 List events")
def list_events(
    session: SessionDep,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    park_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="参会机构")] = None,
) -> dict[str, Any]:
    """Events, newest first, optionally of one park or attended by one organisation."""
    total, rows = service.list_events(
        session, park_id=park_id, organisation_id=organisation_id, limit=limit, offset=offset
    )
    return {
        "items": [_event_public(session, e) for e in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.post(
    "/events", response_model=EventPublic, status_code=201, summary="新建活动 Create an event"
)
def create_event(body: EventCreate, session: SessionDep, caller: OrganiserDep) -> dict[str, Any]:
    """Create an event with its sessions/slots and tables (admin, organiser)."""
    with _use_cases(session):
        if body.sessions is not None:
            slots = [
                slot
                for s in body.sessions
                for slot in service.session_slots(
                    s.name, s.start, s.end, s.slot_minutes, s.interpreters
                )
            ]
        else:
            slots = [s.model_dump() for s in body.slots or []]
        labels = body.table_labels or [str(i + 1) for i in range(body.tables or 0)]
        spec = service.EventSpec(
            name=body.name,
            date=body.date,
            slots=slots,
            tables=labels,
            park_id=body.park_id,
            venue=body.venue,
            description=body.description,
            tracks=list(body.tracks),
            industries=list(body.industries),
            default_max_meetings=body.default_max_meetings,
            min_meetings=body.min_meetings,
            small_min_meetings=body.small_min_meetings,
        )
        event = service.create_event(session, spec, actor=_actor(caller))
    return _event_public(session, event)


@router.get("/events/{event_id}", response_model=EventPublic, summary="活动详情 Get an event")
def get_event(event_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """One event with its grid."""
    return _event_public(session, _event(session, event_id))


@router.patch("/events/{event_id}", response_model=EventPublic, summary="修改活动 Update an event")
def update_event(
    event_id: PathId, body: EventUpdate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Change an event (admin, organiser); 409 when a new grid would cut the current plan."""
    values = body.model_dump(exclude_unset=True)
    if "slots" in values and values["slots"] is not None:
        values["slots"] = [dict(s) for s in values["slots"]]
    if "table_labels" in values:
        values["tables"] = values.pop("table_labels")
    for key in (
        "name",
        "date",
        "venue",
        "description",
        "tracks",
        "industries",
        "slots",
        "tables",
        "default_max_meetings",
        "min_meetings",
        "small_min_meetings",
    ):
        if key in values and values[key] is None:
            del values[key]  # null means "leave as is" for fields that cannot be empty
    with _use_cases(session):
        event = service.update_event(session, event_id, values)
    return _event_public(session, event)


@router.delete("/events/{event_id}", status_code=204, summary="删除活动 Delete an event")
def delete_event(event_id: PathId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Delete an event with its participants and plans (admin, organiser)."""
    with _use_cases(session):
        service.delete_event(session, event_id)
    return Response(status_code=204)


# ---- participants ------------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/participants",
    response_model=list[ParticipantPublic],
    summary="参会方列表 List participants",
)
def list_participants(
    event_id: PathId, session: SessionDep, caller: CallerDep
) -> list[dict[str, Any]]:
    """Everyone invited, cancelled ones included (status tells)."""
    event = _event(session, event_id)
    return [_participant_public(event, p) for p in event.participants]


@router.post(
    "/events/{event_id}/participants",
    response_model=ParticipantPublic,
    status_code=201,
    summary="添加参会方 Add a participant",
)
def add_participant(
    event_id: PathId, body: ParticipantCreate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Invite an organisation with its constraints (admin, organiser)."""
    with _use_cases(session):
        row = service.add_participant(
            session,
            event_id,
            body.organisation_id,
            max_meetings=body.max_meetings,
            min_meetings=body.min_meetings,
            unavailable_slots=body.unavailable_slots,
            language=body.language,
            need_ids=body.need_ids,
            achievement_ids=body.achievement_ids,
            scenario_ids=body.scenario_ids,
            note=body.note,
        )
    return _participant_public(_event(session, event_id), row)


@router.patch(
    "/events/{event_id}/participants/{participant_id}",
    response_model=ParticipantPublic,
    summary="修改参会方 Update a participant",
)
def update_participant(
    event_id: PathId,
    participant_id: PathId,
    body: ParticipantUpdate,
    session: SessionDep,
    caller: OrganiserDep,
) -> dict[str, Any]:
    """Change constraints or items (admin, organiser); applies at the next (re-)plan."""
    values = body.model_dump(exclude_unset=True)
    for key in ("unavailable_slots", "note", "status"):
        if key in values and values[key] is None:
            del values[key]
    with _use_cases(session):
        row = service.update_participant(session, event_id, participant_id, values)
    return _participant_public(_event(session, event_id), row)


@router.delete(
    "/events/{event_id}/participants/{participant_id}",
    status_code=204,
    summary="移除参会方 Remove a participant",
)
def remove_participant(
    event_id: PathId, participant_id: PathId, session: SessionDep, caller: OrganiserDep
) -> Response:
    """Remove a participant no plan mentions (admin, organiser); 409: cancel it instead."""
    with _use_cases(session):
        service.remove_participant(session, event_id, participant_id)
    return Response(status_code=204)


@router.post(
    "/events/{event_id}/participants/{participant_id}/cancel",
    response_model=PlanSummary | None,
    summary="取消参会并重排 Cancel a participant and refill its places",
)
def cancel_participant(
    request: Request,
    event_id: PathId,
    participant_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    body: PlanRequest | None = None,
) -> dict[str, Any] | None:
    """Cancel (admin, organiser): its meetings go, the freed places are refilled by a re-plan
    (the summary says what changed; null when the event had no plan yet)."""
    options = body or PlanRequest()
    with _use_cases(session):
        outcome = service.cancel_participant(
            session,
            event_id,
            participant_id,
            event_scorer(request),
            time_limit=options.time_limit,
            actor=_actor(caller),
        )
    return _summary(outcome) if outcome is not None else None


@router.get(
    "/events/{event_id}/participants/{participant_id}/agenda",
    response_class=Response,
    responses=HTML_RESPONSES,
    summary="参会方日程（可打印） One participant's printable agenda",
)
def participant_agenda(
    event_id: PathId, participant_id: PathId, session: SessionDep, caller: CallerDep
) -> Response:
    """Printable HTML agenda of one participant (an enterprise key: its own only)."""
    event = _event(session, event_id)
    if (
        caller.role == "enterprise"
        and _own_participant(session, event, caller).id != participant_id
    ):
        raise Problem(403, "只能查看本机构的日程 / you may see only your own agenda")
    with _use_cases(session):
        file = service.export_file(session, event_id, "html", participant_id=participant_id)
    return Response(content=file.content, media_type=file.media_type)


# ---- pair rules --------------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/pairs", response_model=list[PairRulePublic], summary="配对规则 Pair rules"
)
def list_pair_rules(
    event_id: PathId, session: SessionDep, caller: OrganiserDep
) -> list[dict[str, Any]]:
    """Must-meet and never-meet rules (admin, organiser: never-meet rules are confidential)."""
    event = _event(session, event_id)
    names = service.participant_names(session, event)
    return [_rule_public(names, r) for r in service.pair_rules(session, event)]


@router.post(
    "/events/{event_id}/pairs",
    response_model=PairRulePublic,
    status_code=201,
    summary="添加配对规则 Add a must-meet / never-meet rule",
)
def add_pair_rule(
    event_id: PathId, body: PairRuleCreate, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Two participants must meet, or never meet (admin, organiser)."""
    with _use_cases(session):
        rule = service.add_pair_rule(session, event_id, body.a, body.b, body.rule, body.note)
    names = service.participant_names(session, _event(session, event_id))
    return _rule_public(names, rule)


@router.delete(
    "/events/{event_id}/pairs/{rule_id}", status_code=204, summary="删除配对规则 Delete a rule"
)
def remove_pair_rule(
    event_id: PathId, rule_id: PathId, session: SessionDep, caller: OrganiserDep
) -> Response:
    """Delete one rule (admin, organiser)."""
    with _use_cases(session):
        service.remove_pair_rule(session, event_id, rule_id)
    return Response(status_code=204)


# ---- plans -------------------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/plan",
    response_model=PlanSummary,
    status_code=201,
    summary="生成方案 Generate the pairing list and schedule",
)
def generate_plan(
    request: Request,
    event_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    body: PlanRequest | None = None,
) -> dict[str, Any]:
    """Plan from scratch, keeping locked meetings (admin, organiser); checked before it is stored."""
    options = body or PlanRequest()
    with _use_cases(session):
        outcome = service.generate_plan(
            session,
            event_id,
            event_scorer(request),
            time_limit=options.time_limit,
            actor=_actor(caller),
            rescore=options.rescore,
        )
    return _summary(outcome)


@router.post(
    "/events/{event_id}/replan",
    response_model=PlanSummary,
    status_code=201,
    summary="重新排程 Re-plan with as few changes as possible",
)
def replan(
    request: Request,
    event_id: PathId,
    session: SessionDep,
    caller: OrganiserDep,
    body: PlanRequest | None = None,
) -> dict[str, Any]:
    """Re-plan (admin, organiser): locked meetings stay, few others move; 409 without a plan."""
    options = body or PlanRequest()
    with _use_cases(session):
        outcome = service.replan(
            session,
            event_id,
            event_scorer(request),
            time_limit=options.time_limit,
            actor=_actor(caller),
            rescore=options.rescore,
        )
    return _summary(outcome)


@router.get(
    "/events/{event_id}/plan",
    response_model=PlanPublic,
    summary="当前方案 The current plan (grid and per participant)",
)
def get_plan(event_id: PathId, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """The current plan as a slot × table grid and per participant; an enterprise key gets only
    its own meetings. 404 before the first plan."""
    event = _event(session, event_id)
    only = _own_participant(session, event, caller).id if caller.role == "enterprise" else None
    plan = service.current_plan(session, event)
    if plan is None:
        raise Problem(404, f"活动 {event_id} 还没有方案 / event {event_id} has no plan yet")
    document = service.plan_document(session, event, plan, only=only)
    if only is not None:  # an enterprise sees its own rows, not the organisers' working notes
        document["unmet_must_meet"] = [
            u for u in document["unmet_must_meet"] if only in (u["a"], u["b"])
        ]
        document.update(warnings=[], issues=[], stats={})
    return document


@router.post(
    "/events/{event_id}/meetings/{meeting_id}/lock",
    response_model=MeetingOut,
    summary="锁定会谈 Lock a meeting in place",
)
def lock_meeting(
    event_id: PathId, meeting_id: PathId, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Lock a meeting of the current plan: re-plans keep it at its slot and table."""
    return _set_locked(session, event_id, meeting_id, True)


@router.post(
    "/events/{event_id}/meetings/{meeting_id}/unlock",
    response_model=MeetingOut,
    summary="解锁会谈 Unlock a meeting",
)
def unlock_meeting(
    event_id: PathId, meeting_id: PathId, session: SessionDep, caller: OrganiserDep
) -> dict[str, Any]:
    """Unlock a meeting: re-plans may move it again."""
    return _set_locked(session, event_id, meeting_id, False)


def _set_locked(session: Session, event_id: int, meeting_id: int, locked: bool) -> dict[str, Any]:
    with _use_cases(session):
        meeting = service.set_locked(session, event_id, meeting_id, locked)
    event = _event(session, event_id)
    return service.meeting_view(event, service.participant_names(session, event), meeting)


@router.patch(
    "/events/{event_id}/meetings/{meeting_id}",
    response_model=MeetingOut,
    summary="移动会谈 Move a meeting to another slot / table",
)
def move_meeting(
    event_id: PathId,
    meeting_id: PathId,
    body: MeetingMove,
    session: SessionDep,
    caller: OrganiserDep,
) -> dict[str, Any]:
    """Move a meeting (admin, organiser) if every rule holds there; locked unless lock=false."""
    with _use_cases(session):
        meeting = service.move_meeting(
            session, event_id, meeting_id, body.slot, body.table, lock=body.lock
        )
    event = _event(session, event_id)
    return service.meeting_view(event, service.participant_names(session, event), meeting)


# ---- exports -----------------------------------------------------------------------------------
@router.get(
    "/events/{event_id}/export/{fmt}",
    response_class=Response,
    responses=FILE_RESPONSES,
    summary="导出方案 Download the plan (CSV, XLSX, printable HTML)",
)
def export_plan(
    event_id: PathId,
    fmt: Annotated[ExportFormat, Path(description="csv | xlsx | html")],
    session: SessionDep,
    caller: CallerDep,
) -> Response:
    """The full meeting list (CSV, XLSX) or every agenda plus the table plan (HTML), in Chinese
    (admin, organiser, reader); 409 before the first plan."""
    _full_readers(caller)
    with _use_cases(session):
        file = service.export_file(session, event_id, fmt)
    return _download(file)
