"""Bodies of the participant-side events API: invitations, answers (RSVP), meeting requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.routes.event_schemas import MAX_ID, Strict
from matchmaker.core.text import Block, Line
from matchmaker.events.service.grid import MAX_SLOTS

DbId = Annotated[int, Field(ge=1, le=MAX_ID, description="数据库编号 database id")]
SlotNo = Annotated[int, Field(ge=0, le=MAX_SLOTS - 1, description="时段序号，从 0 起")]


class InviteeIn(Strict):
    """An organisation to invite and the address the invitation goes to."""

    organisation_id: DbId
    email: Annotated[Line, Field(min_length=3, max_length=254, description="收件邮箱")]
    contact_name: Annotated[Line, Field(max_length=100, description="联系人")] = ""


class InvitationsCreate(Strict):
    """Invite organisations (all or none) and, by default, e-mail them at once."""

    invitations: Annotated[list[InviteeIn], Field(min_length=1, max_length=500)]
    rsvp_deadline: Annotated[
        dt.datetime | None, Field(description="回复截止时间（带时区）RSVP deadline, with timezone")
    ] = None
    send: Annotated[bool, Field(description="立即发送邀请邮件 send the e-mails now")] = True


class AnswerIn(Strict):
    """An invitee's answer: accept with its constraints, or decline."""

    accept: bool
    available_slots: Annotated[
        list[SlotNo] | None, Field(max_length=MAX_SLOTS, description="可参会时段；空 = 全部")
    ] = None
    max_meetings: Annotated[int | None, Field(ge=1, le=MAX_SLOTS)] = None
    languages: Annotated[list[Annotated[Line, Field(max_length=32)]], Field(max_length=5)] = []
    looking_for: Annotated[Block, Field(max_length=1000, description="希望对接什么")] = ""
    preferred_slots: Annotated[
        list[SlotNo] | None,
        Field(
            max_length=MAX_SLOTS,
            description="更希望会谈的时段（软偏好，须在可参会时段内）；空 = 无偏好 / preferred slots",
        ),
    ] = None


class CandidateOut(BaseModel):
    organisation_id: int
    name: str
    kind: str
    province: str
    city: str | None
    fit: float
    reasons: list[str]
    themed_items: int
    invited: bool
    participant: bool


class CandidatePage(BaseModel):
    items: list[CandidateOut]
    total: int
    limit: int
    offset: int


class InvitationOut(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    email: str
    contact_name: str
    fit: float
    reasons: list[str]
    status: Literal["pending", "accepted", "declined"]
    status_label: str
    available_slots: list[int]
    max_meetings: int | None
    languages: list[str]
    looking_for: str
    participant_id: int | None
    created_at: dt.datetime
    responded_at: dt.datetime | None
    emails_sent: dict[str, int]


class Summary(BaseModel):
    pending: int
    accepted: int
    declined: int
    total: int


class Mailing(BaseModel):
    sent: int
    failed: int
    skipped: int
    errors: list[str]


class InvitationList(BaseModel):
    summary: Summary
    items: list[InvitationOut]
    mailing: Mailing | None = None


class OwnInvitation(BaseModel):
    """What an invitee reads of its own invitation."""

    status: Literal["pending", "accepted", "declined"]
    available_slots: list[int]
    max_meetings: int | None
    languages: list[str]
    looking_for: str
    participant_id: int | None
    responded_at: dt.datetime | None


class StanceIn(Strict):
    """A meeting request, a wish or "not interested" towards another participant."""

    to: DbId
    kind: Literal["request", "wish", "not_interested"]
    message: Annotated[Block, Field(max_length=500, description="留言 message")] = ""


class RequestAnswer(Strict):
    accept: bool


class OutcomeIn(Strict):
    """After the event: what came of one's meeting with a partner."""

    partner: DbId
    outcome: Literal["met", "follow_up", "not_useful"]
    note: Annotated[Block, Field(max_length=500, description="备注 note")] = ""


class OutcomeOut(BaseModel):
    partner: int
    outcome: str
    note: str
    feedback_id: int | None


class PartnerOut(BaseModel):
    participant_id: int
    name: str
    score: float
    topic: str
    reasons: list[str]
    mine: str | None
    mine_status: str | None
    theirs: str | None
    theirs_status: str | None
    request_id: int | None


class RequestOut(BaseModel):
    id: int
    from_id: int
    from_name: str
    to_id: int
    to_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    message: str
    created_at: dt.datetime
    responded_at: dt.datetime | None


class ScheduleRulesIn(Strict):
    """Humane-schedule settings: spread (cap on meetings in a row) or compact; break slots."""

    placement: Literal["spread", "compact"] = "spread"
    max_back_to_back: Annotated[
        int | None, Field(ge=1, le=MAX_SLOTS, description="每人最多连续会谈场数")
    ] = 3
    breaks: Annotated[
        list[SlotNo], Field(max_length=MAX_SLOTS, description="茶歇时段（从 0 起）")
    ] = []
    requests_deadline: dt.datetime | None = Field(
        default=None,
        description="会谈邀约截止时间（排程截止），之后拒收邀约 / meeting requests close then",
    )


class ScheduleRulesOut(BaseModel):
    placement: str
    max_back_to_back: int | None
    breaks: list[int]
    requests_deadline: dt.datetime | None = None


class RegeneratePreview(BaseModel):
    kept: int
    moved: int
    added: int
    removed: int
    participants_affected: int
    meetings: int
