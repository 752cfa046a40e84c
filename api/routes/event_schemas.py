"""Request and response bodies of the events API (/api/v1/events), and how a body becomes the
service's input."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matchmaker.catalog import parsers
from matchmaker.catalog.schemas import INDUSTRY_VALUES
from matchmaker.core.kinds import TrackName
from matchmaker.core.text import Block, Line
from matchmaker.events.service.events import EventSpec
from matchmaker.events.service.grid import MAX_SLOTS, MAX_TABLES, SessionSpec

MAX_ID = 2**31 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID, description="数据库编号 database id")]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]
Language = Annotated[Line, Field(min_length=1, max_length=32, description="语种，如 英语、越南语")]
Count = Annotated[int, Field(ge=0, le=MAX_SLOTS)]
SlotNo = Annotated[int, Field(ge=0, le=MAX_SLOTS - 1, description="时段序号，从 0 起")]
TableNo = Annotated[int, Field(ge=0, le=MAX_TABLES - 1, description="桌序号，从 0 起")]
TableLabel = Annotated[Line, Field(min_length=1, max_length=20)]
IndustryName = Annotated[
    Line,
    Field(
        json_schema_extra={"enum": INDUSTRY_VALUES},
        description="行业代码、中文名或政策文件中的名称",
    ),
]
ItemIds = Annotated[list[DbId], Field(max_length=200)]
ExportFormat = Literal["csv", "xlsx", "html", "ics"]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "文件下载 File download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "text/html": {"schema": {"type": "string"}},
            "text/calendar": {"schema": {"type": "string"}},
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

    name: Annotated[Line, Field(max_length=32, description="场次名，如 上午场")] = ""
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
    session: Annotated[Line, Field(max_length=32)] = ""
    interpreters: Annotated[list[Language], Field(max_length=10)] = []


class IndustriesIn(Strict):
    """Industries given as codes or Chinese names, stored as codes."""

    @field_validator("industries", mode="before", check_fields=False)
    @classmethod
    def _industries(cls, value: Any) -> Any:
        return None if value is None else parsers.parse_industries(value)


class EventCreate(IndustriesIn):
    """A new event: give the grid as sessions (cut into slots) or as explicit slots."""

    name: Annotated[Line, Field(min_length=1, max_length=200)]
    date: dt.date
    park_id: DbId | None = None
    venue: Annotated[Line, Field(max_length=200)] = ""
    description: Annotated[Block, Field(max_length=5000)] = ""
    internal_note: Annotated[
        Block, Field(max_length=5000, description="组织团队内部备注（参会方看不到）internal note")
    ] = ""
    tracks: Annotated[list[TrackName], Field(max_length=3, description="赛道；空 = 全部")] = []
    industries: Annotated[list[IndustryName], Field(max_length=20)] = []
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=10)] | None = None
    slots: Annotated[list[SlotIn], Field(min_length=1, max_length=MAX_SLOTS)] | None = None
    tables: Annotated[int, Field(ge=1, le=MAX_TABLES, description="桌数")] | None = None
    table_labels: Annotated[list[TableLabel], Field(min_length=1, max_length=MAX_TABLES)] | None = (
        None
    )
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

    def spec(self) -> EventSpec:
        """The service's event spec (sessions and a table count are expanded by the service)."""
        sessions = None
        if self.sessions is not None:
            sessions = [
                SessionSpec(s.name, s.start, s.end, s.slot_minutes, list(s.interpreters))
                for s in self.sessions
            ]
        return EventSpec(
            name=self.name,
            date=self.date,
            slots=[s.model_dump() for s in self.slots or []],
            tables=list(self.table_labels or []),
            park_id=self.park_id,
            venue=self.venue,
            description=self.description,
            internal_note=self.internal_note,
            tracks=list(self.tracks),
            industries=list(self.industries),
            default_max_meetings=self.default_max_meetings,
            min_meetings=self.min_meetings,
            small_min_meetings=self.small_min_meetings,
            sessions=sessions,
            table_count=self.tables,
        )


class EventUpdate(IndustriesIn):
    """Fields to change; a new grid must still hold the current plan's meetings."""

    name: Annotated[Line, Field(min_length=1, max_length=200)] | None = None
    date: dt.date | None = None
    park_id: DbId | None = None
    venue: Annotated[Line, Field(max_length=200)] | None = None
    description: Annotated[Block, Field(max_length=5000)] | None = None
    internal_note: Annotated[Block, Field(max_length=5000)] | None = None
    tracks: Annotated[list[TrackName], Field(max_length=3)] | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    slots: Annotated[list[SlotIn], Field(min_length=1, max_length=MAX_SLOTS)] | None = None
    table_labels: Annotated[list[TableLabel], Field(min_length=1, max_length=MAX_TABLES)] | None = (
        None
    )
    default_max_meetings: Count | None = None
    min_meetings: Count | None = None
    small_min_meetings: Count | None = None

    def values(self) -> dict[str, Any]:
        """The fields given, named as the service names them (table_labels → tables)."""
        values = self.model_dump(exclude_unset=True)
        if "table_labels" in values:
            values["tables"] = values.pop("table_labels")
        return values


class ParticipantIn(Strict):
    """Constraints and items of a participant (item lists default to its active items in theme)."""

    max_meetings: Count | None = None
    min_meetings: Count | None = None
    unavailable_slots: Annotated[list[SlotNo], Field(max_length=MAX_SLOTS)] = []
    language: Language | None = None
    need_ids: ItemIds | None = None
    achievement_ids: ItemIds | None = None
    scenario_ids: ItemIds | None = None
    note: Annotated[Block, Field(max_length=2000)] = ""


class ParticipantCreate(ParticipantIn):
    organisation_id: DbId


class ParticipantUpdate(Strict):
    max_meetings: Count | None = None
    min_meetings: Count | None = None
    unavailable_slots: Annotated[list[SlotNo], Field(max_length=MAX_SLOTS)] | None = None
    language: Language | None = None
    need_ids: ItemIds | None = None
    achievement_ids: ItemIds | None = None
    scenario_ids: ItemIds | None = None
    note: Annotated[Block, Field(max_length=2000)] | None = None
    status: (
        Annotated[Literal["active"], Field(description="恢复已取消的参会方 reinstate")] | None
    ) = None


class PairRuleCreate(Strict):
    a: DbId
    b: DbId
    rule: Literal["must", "never"]
    note: Annotated[Block, Field(max_length=2000)] = ""


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
    internal_note: str | None = Field(
        description="组织团队内部备注；非组织团队为 null / internal note (null outside the team)"
    )
    tracks: list[str]
    industries: list[str]
    slots: list[SlotOut]
    tables: list[str]
    default_max_meetings: int
    min_meetings: int
    small_min_meetings: int
    participants: int
    plan_version: int | None
    rsvp_deadline: dt.datetime | None = None
    schedule_rules: dict[str, Any] = Field(
        default_factory=dict, description="人性化排程设置 placement, max_back_to_back, breaks"
    )
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
    checked_in_at: dt.datetime | None = Field(default=None, description="到场签到时间 checked in")
    note: str


class OrganiserAdd(Strict):
    key_id: Annotated[
        int, Field(ge=1, le=MAX_ID, description="要加入组织团队的组织者密钥编号 organiser key id")
    ]


class OrganiserPublic(BaseModel):
    principal: str
    key_id: int | None
    name: str | None
    role: str | None
    added_by: str | None
    created_at: dt.datetime


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
    score: float | None = Field(
        description="配对得分；参会方为 null / pair score (null for participants)"
    )
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
    scorer: str | None
    created_at: dt.datetime
    objective: float | None
    meetings: list[MeetingOut]
    tables: list[str]
    grid: list[GridRow]
    participants: list[Agenda]
    unmet_must_meet: list[UnmetOut]
    warnings: list[str]
    changes: Changes
    stats: dict[str, Any]
    issues: list[str]
