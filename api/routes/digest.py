"""Digest subscriptions over HTTP: one-click links from the e-mails (confirm, unsubscribe with
RFC 8058 one-click POST, not relevant), a public self-subscribe, and CRUD for organisers."""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import OrganiserDep, SessionDep
from api.problems import COMMON_RESPONSES, Problem, documented
from matchmaker.catalog.importer import parsers
from matchmaker.core.config import get_settings
from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.digest import vocab
from matchmaker.digest.models import Subscription
from matchmaker.digest.subscriptions import (
    InterestError,
    SubscriptionData,
    confirm,
    mark_not_relevant,
    missing_parks,
    unsubscribe,
    upsert_subscription,
)
from matchmaker.digest.tokens import LinkToken, TokenError, TokenExpired, read_token, verify_token
from matchmaker.store.models import ITEM_MODELS, utcnow

log = logging.getLogger("matchmaker.api.digest")
router = APIRouter(prefix="/api/v1")
LINK_TAGS: list[str | Any] = ["推送 Digest"]
CRUD_TAGS: list[str | Any] = ["订阅 Subscriptions"]
LINK_RESPONSES = documented(400, 404, 410, 422)
RESEND_AFTER = dt.timedelta(
    hours=1
)  # a public re-subscribe re-sends the confirmation at most hourly

MAX_ID = 2**31 - 1
IndustryName = Annotated[
    str,
    Field(
        json_schema_extra={"enum": [i.code for i in INDUSTRIES] + [i.zh for i in INDUSTRIES]},
        description="行业代码或中文名",
    ),
]
Term = Annotated[str, Field(min_length=1, max_length=100)]
Search = Annotated[str, Field(min_length=1, max_length=200)]
ParkId = Annotated[int, Field(ge=1, le=MAX_ID)]
Email = Annotated[
    str,
    Field(
        min_length=6,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="邮箱 e-mail address",
    ),
]
TokenQ = Annotated[
    str,
    Query(
        min_length=1, max_length=200, description="邮件中的签名令牌 signed token from the e-mail"
    ),
]
SubId = Annotated[int, Path(ge=1, le=MAX_ID, description="订阅编号 subscription id")]


class Interests(BaseModel):
    """What a subscriber follows and how often they hear about it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=100)] = ""
    organisation: Annotated[str, Field(max_length=200)] = ""
    role: Literal["researcher", "enterprise", "park", "other"] = "other"
    tracks: Annotated[
        list[Literal["tech-transfer", "scenario", "east-to-guangxi"]], Field(max_length=3)
    ] = []
    industries: Annotated[list[IndustryName], Field(max_length=20)] = []
    parks: Annotated[list[ParkId], Field(max_length=20, description="园区编号 park ids")] = []
    keywords: Annotated[list[Term], Field(max_length=30)] = []
    saved_searches: Annotated[list[Search], Field(max_length=10)] = []
    frequency: Literal["daily", "weekly"] = "daily"
    max_items: Annotated[int, Field(ge=1, le=vocab.MAX_ITEMS_LIMIT)] = vocab.DEFAULT_MAX_ITEMS
    language: Literal["zh", "en"] = "zh"

    @field_validator("industries", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> Any:
        return parsers.parse_industries(value) if isinstance(value, list) else value


class SelfSubscribe(Interests):
    """A person subscribing their own address (a confirmation e-mail follows)."""

    email: Email

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return vocab.parse_email(value)


class SubscriptionCreate(SelfSubscribe):
    """An organiser adding a subscriber; `confirmed` only when consent was already collected."""

    confirmed: bool = Field(
        default=False, description="已取得本人同意（跳过确认邮件）consent already collected"
    )


class SubscriptionUpdate(BaseModel):
    """Fields to change; omitted ones stay."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=100)] | None = None
    organisation: Annotated[str, Field(max_length=200)] | None = None
    role: Literal["researcher", "enterprise", "park", "other"] | None = None
    tracks: (
        Annotated[
            list[Literal["tech-transfer", "scenario", "east-to-guangxi"]], Field(max_length=3)
        ]
        | None
    ) = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    parks: Annotated[list[ParkId], Field(max_length=20)] | None = None
    keywords: Annotated[list[Term], Field(max_length=30)] | None = None
    saved_searches: Annotated[list[Search], Field(max_length=10)] | None = None
    frequency: Literal["daily", "weekly"] | None = None
    max_items: Annotated[int, Field(ge=1, le=vocab.MAX_ITEMS_LIMIT)] | None = None
    language: Literal["zh", "en"] | None = None
    status: Literal["active", "paused", "unsubscribed"] | None = None

    @field_validator("industries", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> Any:
        return parsers.parse_industries(value) if isinstance(value, list) else value


class SubscriptionPublic(BaseModel):
    """A subscription as organisers see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    organisation: str
    role: str
    tracks: list[str]
    industries: list[str]
    parks: list[int]
    keywords: list[str]
    saved_searches: list[str]
    frequency: str
    max_items: int
    language: str
    status: str
    consecutive_bounces: int
    last_digest_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    created_at: dt.datetime


class SubscriptionPage(BaseModel):
    """One page of subscriptions."""

    total: int
    items: list[SubscriptionPublic]


class Accepted(BaseModel):
    """The answer to a self-subscribe (the same whether or not the address was known)."""

    status: str
    detail: str


# ---- pages the e-mail links open ------------------------------------------------------------
def _page(title: str, message: str, extra: str = "") -> HTMLResponse:
    body = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        "<body style=\"font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;"
        'max-width:560px;margin:40px auto;padding:0 16px;color:#222;line-height:1.7">'
        f'<h1 style="font-size:22px">{html.escape(title)}</h1><p>{html.escape(message)}</p>'
        f"{extra}</body></html>"
    )
    return HTMLResponse(body)


def _subscription_for(session: Session, token: str, action: str) -> tuple[Subscription, LinkToken]:
    """The subscription a signed link is for; 400 tampered, 410 expired, 404 gone."""
    try:
        parsed = read_token(token, action)
    except TokenError as exc:
        raise Problem(exc.status, str(exc)) from exc
    sub = session.get(Subscription, parsed.subscription_id)
    if sub is None:
        raise Problem(404, "订阅不存在或已删除 / subscription not found")
    try:
        verified = verify_token(get_settings().secret_key, token, action, sub.salt)
    except TokenExpired as exc:
        raise Problem(410, str(exc)) from exc
    except TokenError as exc:
        raise Problem(400, str(exc)) from exc
    return sub, verified


@router.get(
    "/digest/unsubscribe",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="退订确认页 Unsubscribe page (asks before acting)",
    description="显示一个确认按钮；点击后以 POST 退订。邮件安全网关会预先打开 GET 链接，所以 GET 不改变任何状态。",
)
def unsubscribe_page(request: Request, token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Show a one-button page; the POST behind it unsubscribes (link scanners only GET)."""
    sub, _ = _subscription_for(session, token, "unsubscribe")
    if sub.status == "unsubscribed":
        return _page("您已退订", f"{sub.email} 已不再接收推送邮件。/ You are already unsubscribed.")
    action = html.escape(f"{request.url.path}?token={quote(token)}")
    form = (
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit" style="font-size:16px;padding:8px 20px">确认退订 / Unsubscribe</button>'
        "</form>"
    )
    return _page(
        "退订园校企对接推送",
        f"点击下方按钮后，{sub.email} 将不再收到推送邮件。/ Click to stop all digest e-mails.",
        form,
    )


@router.post(
    "/digest/unsubscribe",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="一键退订 One-click unsubscribe (RFC 8058)",
    description="邮件客户端按 RFC 8058 以 POST（正文 List-Unsubscribe=One-Click）调用；重复调用无害。",
)
def unsubscribe_now(token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Unsubscribe at once (mail clients' one-click button, or the page's form)."""
    sub, _ = _subscription_for(session, token, "unsubscribe")
    unsubscribe(sub)
    session.commit()
    return _page(
        "已退订",
        f"{sub.email} 已退订，今后不会再收到推送邮件。/ You have been unsubscribed.",
    )


@router.get(
    "/digest/not-relevant",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="标记不相关 Mark an item not relevant",
    description="记录后，此条目不会再出现在该订阅者的推送中。",
)
def not_relevant(token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Record the subscriber's "not relevant": later digests leave the item out."""
    sub, parsed = _subscription_for(session, token, "not-relevant")
    model = ITEM_MODELS.get(parsed.item_kind)
    if model is None or parsed.item_id < 1:
        raise Problem(400, "链接未指明条目 / the link names no item")
    mark_not_relevant(session, sub, parsed.item_kind, parsed.item_id)
    session.commit()
    item = session.get(model, parsed.item_id)
    title = f"“{getattr(item, 'title', '')}”" if item is not None else "该条目"
    return _page(
        "已记录：不相关",
        f"谢谢反馈。{title}今后不会再推送给您。/ Noted: this item will not be sent to you again.",
    )


@router.get(
    "/digest/confirm",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="确认订阅 Confirm a subscription",
)
def confirm_subscription(token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Activate the subscription the confirmation e-mail was for (also revives a paused one)."""
    sub, _ = _subscription_for(session, token, "confirm")
    if sub.status == "unsubscribed":
        return _page(
            "此订阅已退订", "如需重新订阅，请重新提交订阅。/ This subscription was cancelled."
        )
    if sub.status == "paused":  # the click proves the address works again
        sub.status = "active"
        sub.consecutive_bounces = 0
    confirm(sub)
    session.commit()
    return _page(
        "订阅已确认",
        f"{sub.email} 将按{vocab.FREQUENCIES.get(sub.frequency, '')}收到推送，"
        "每封邮件都附有退订链接。/ Subscription confirmed.",
    )


def _confirm_later(subscription_id: int) -> None:
    """Send the confirmation after the response (one attempt; `digest run` retries later)."""
    from matchmaker.digest.job import send_confirmation
    from matchmaker.digest.transport import SmtpTransport
    from matchmaker.store.db import get_engine, session_scope

    settings = get_settings().model_copy(update={"digest_smtp_retries": 0})
    try:
        with session_scope() as session:
            sub = session.get(Subscription, subscription_id)
        if sub is None or sub.status != "pending":
            return
        transport = SmtpTransport(settings)
        try:
            send_confirmation(settings, sub, transport, engine=get_engine())
        finally:
            transport.close()
    except Exception:  # the subscription stands; the nightly run sends the confirmation
        log.exception("confirmation e-mail to subscription %s failed", subscription_id)


@router.post(
    "/digest/subscribe",
    response_model=Accepted,
    status_code=202,
    tags=LINK_TAGS,
    responses=documented(422),
    summary="自助订阅 Subscribe yourself (confirmation e-mail follows)",
    description="无需 API 密钥。回复相同，无论邮箱是否已订阅；已生效的订阅不会被修改。",
)
def self_subscribe(
    body: SelfSubscribe, session: SessionDep, background: BackgroundTasks
) -> dict[str, str]:
    """Create (or renew) a pending subscription and send the confirmation e-mail."""
    data = SubscriptionData(**body.model_dump())
    missing = missing_parks(session, data.parks)
    if missing:
        raise Problem(
            422, f"园区不存在 / unknown park ids: {missing}", [_field("parks", "unknown park")]
        )
    existing = session.scalars(select(Subscription).where(Subscription.email == data.email)).first()
    try:
        result = upsert_subscription(
            session,
            data,
            resubscribe=True,
            update_existing=existing is None or existing.status == "pending",
        )
    except InterestError as exc:
        raise Problem(422, str(exc), [_field("keywords", str(exc))]) from exc
    sub = result.subscription
    recent = sub.confirm_sent_at is not None and utcnow() - sub.confirm_sent_at < RESEND_AFTER
    if sub.status == "pending" and sub.confirm_sent_at is not None and not recent:
        sub.confirm_sent_at = None
    _commit(session)
    if sub.status == "pending" and sub.confirm_sent_at is None:
        background.add_task(_confirm_later, sub.id)
    return {
        "status": "accepted",
        "detail": "如该邮箱可用，确认邮件已发出，请点击其中链接完成订阅 / "
        "if the address is valid, a confirmation e-mail is on its way",
    }


# ---- organisers' CRUD -----------------------------------------------------------------------
def _field(name: str, message: str) -> dict[str, str]:
    return {"field": name, "in": "body", "message": message}


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Problem(409, "该邮箱已有订阅 / a subscription for this address exists") from exc


def _get(session: Session, sub_id: int) -> Subscription:
    sub = session.get(Subscription, sub_id)
    if sub is None:
        raise Problem(404, f"订阅 {sub_id} 不存在 / subscription not found")
    return sub


@router.post(
    "/subscriptions",
    response_model=SubscriptionPublic,
    status_code=201,
    tags=CRUD_TAGS,
    responses=COMMON_RESPONSES,
    summary="新建订阅 Create a subscription",
    description="默认状态为待确认并发送确认邮件；confirmed=true 表示已另行取得本人同意。",
)
def create_subscription(
    body: SubscriptionCreate, session: SessionDep, caller: OrganiserDep, background: BackgroundTasks
) -> Subscription:
    """Add a subscriber (pending plus a confirmation e-mail, unless consent was collected)."""
    values = body.model_dump()
    confirmed = bool(values.pop("confirmed"))
    data = SubscriptionData(**values)
    if session.scalars(select(Subscription.id).where(Subscription.email == data.email)).first():
        raise Problem(409, "该邮箱已有订阅 / a subscription for this address exists")
    missing = missing_parks(session, data.parks)
    if missing:
        raise Problem(
            422, f"园区不存在 / unknown park ids: {missing}", [_field("parks", "unknown park")]
        )
    try:
        sub = upsert_subscription(session, data, confirmed=confirmed).subscription
    except InterestError as exc:
        raise Problem(422, str(exc), [_field("keywords", str(exc))]) from exc
    _commit(session)
    if sub.status == "pending":
        background.add_task(_confirm_later, sub.id)
    return sub


@router.get(
    "/subscriptions",
    response_model=SubscriptionPage,
    tags=CRUD_TAGS,
    responses=COMMON_RESPONSES,
    summary="订阅列表 List subscriptions",
)
def list_subscriptions(
    session: SessionDep,
    caller: OrganiserDep,
    status: Annotated[
        str | None, Query(pattern="^(pending|active|paused|unsubscribed)$", description="状态")
    ] = None,
    q: Annotated[str | None, Query(max_length=254, description="邮箱包含 e-mail contains")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """Subscriptions, newest first, optionally by status or address."""
    query = select(Subscription)
    if status:
        query = query.where(Subscription.status == status)
    if q:
        query = query.where(Subscription.email.contains(q.strip().lower()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Subscription.id.desc()).limit(limit).offset(offset)).all()
    return {"total": total, "items": rows}


@router.get(
    "/subscriptions/{sub_id}",
    response_model=SubscriptionPublic,
    tags=CRUD_TAGS,
    responses=COMMON_RESPONSES,
    summary="订阅详情 Get a subscription",
)
def get_subscription(sub_id: SubId, session: SessionDep, caller: OrganiserDep) -> Subscription:
    """One subscription."""
    return _get(session, sub_id)


@router.patch(
    "/subscriptions/{sub_id}",
    response_model=SubscriptionPublic,
    tags=CRUD_TAGS,
    responses=COMMON_RESPONSES,
    summary="修改订阅 Update a subscription",
    description="status 可设为 active（仅限已确认的邮箱）、paused 或 unsubscribed。",
)
def update_subscription(
    sub_id: SubId, body: SubscriptionUpdate, session: SessionDep, caller: OrganiserDep
) -> Subscription:
    """Change interests, frequency, cap, language or status."""
    sub = _get(session, sub_id)
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if changes.get("parks"):
        missing = missing_parks(session, changes["parks"])
        if missing:
            raise Problem(
                422, f"园区不存在 / unknown park ids: {missing}", [_field("parks", "unknown park")]
            )
    changes = {k: v for k, v in changes.items() if v is not None}
    data = SubscriptionData(email=sub.email, **{**_current(sub), **changes})
    try:
        upsert_subscription(session, data)
    except InterestError as exc:
        raise Problem(422, str(exc), [_field("keywords", str(exc))]) from exc
    if status == "active" and sub.status != "active":
        if sub.confirmed_at is None:
            raise Problem(409, "邮箱尚未确认，不能直接启用 / the address is not confirmed yet")
        sub.status, sub.consecutive_bounces = "active", 0
    elif status == "paused":
        sub.status = "paused"
    elif status == "unsubscribed":
        unsubscribe(sub)
    _commit(session)
    return sub


def _current(sub: Subscription) -> dict[str, Any]:
    return {
        "name": sub.name,
        "organisation": sub.organisation,
        "role": sub.role,
        "frequency": sub.frequency,
        "max_items": sub.max_items,
        "language": sub.language,
        **sub.interests(),
    }


@router.delete(
    "/subscriptions/{sub_id}",
    status_code=204,
    tags=CRUD_TAGS,
    responses=COMMON_RESPONSES,
    summary="删除订阅 Delete a subscription and its history",
)
def delete_subscription(sub_id: SubId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Erase a subscriber with their delivery history (a person's right to deletion)."""
    session.delete(_get(session, sub_id))
    session.commit()
    return Response(status_code=204)
