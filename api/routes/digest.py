"""Digest subscriptions over HTTP: one-click links from the e-mails (confirm, unsubscribe with
RFC 8058 one-click POST, not relevant), a public self-subscribe, and CRUD for organisers. The rules
live in `matchmaker.digest.service`; the link pages are the `digest_link.html` template."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import OrganiserDep, SessionDep
from api.i18n import translator
from api.pages.web import templates
from api.problems import COMMON_RESPONSES, Problem, documented
from api.security.throttle import client_address, throttle_of
from matchmaker.core.text import Line
from matchmaker.digest import service, vocab
from matchmaker.digest.models import Subscription
from matchmaker.digest.schemas import (
    Accepted,
    SelfSubscribe,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from matchmaker.digest.service import LinkOutcome
from matchmaker.digest.subscriptions import SubscriptionData
from matchmaker.digest.tokens import TokenError

router = APIRouter(prefix="/api/v1")
LINK_TAGS: list[str | Any] = ["推送 Digest"]
CRUD_TAGS: list[str | Any] = ["订阅 Subscriptions"]
LINK_RESPONSES = documented(400, 404, 410, 422)
MAX_ID = 2**31 - 1
TokenQ = Annotated[
    Line,
    Query(
        min_length=1, max_length=200, description="邮件中的签名令牌 signed token from the e-mail"
    ),
]
SubId = Annotated[int, Path(ge=1, le=MAX_ID, description="订阅编号 subscription id")]
ZH, EN = translator("zh"), translator("en")


# ---- pages the e-mail links open ------------------------------------------------------------
@contextmanager
def _link_problems() -> Iterator[None]:
    """A tampered link answers 400, an expired one 410 (a missing subscription is NotFound → 404)."""
    try:
        yield
    except TokenError as exc:
        raise Problem(exc.status, str(exc)) from exc


def _link_page(request: Request, done: LinkOutcome, form_action: str | None = None) -> HTMLResponse:
    """The page a link opens, in Chinese and English."""
    sub = done.subscription
    values = {
        "email": sub.email,
        "frequency": vocab.FREQUENCIES.get(sub.frequency, ""),
        "title": f"“{done.item_title}”" if done.item_title else ZH("digest.not-relevant.this_item"),
    }
    context = {"key": f"digest.{done.outcome}", "values": values, "form_action": form_action}
    return templates.TemplateResponse(request, "digest_link.html", {"zh": ZH, "en": EN, **context})


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
    with _link_problems():
        done = service.unsubscribe_prompt(session, token)
    action = f"{request.url.path}?token={quote(token)}"
    return _link_page(request, done, action if done.outcome == "ask-unsubscribe" else None)


@router.post(
    "/digest/unsubscribe",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="一键退订 One-click unsubscribe (RFC 8058)",
    description="邮件客户端按 RFC 8058 以 POST（正文 List-Unsubscribe=One-Click）调用；重复调用无害。",
)
def unsubscribe_now(request: Request, token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Unsubscribe at once (mail clients' one-click button, or the page's form)."""
    with _link_problems():
        return _link_page(request, service.unsubscribe_by_link(session, token))


@router.get(
    "/digest/not-relevant",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="标记不相关 Mark an item not relevant",
    description="记录后，此条目不会再出现在该订阅者的推送中。",
)
def not_relevant(request: Request, token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Record the subscriber's "not relevant": later digests leave the item out."""
    with _link_problems():
        return _link_page(request, service.not_relevant_by_link(session, token))


@router.get(
    "/digest/confirm",
    response_class=HTMLResponse,
    tags=LINK_TAGS,
    responses=LINK_RESPONSES,
    summary="确认订阅 Confirm a subscription",
)
def confirm_subscription(request: Request, token: TokenQ, session: SessionDep) -> HTMLResponse:
    """Activate the subscription the confirmation e-mail was for (also revives a paused one)."""
    with _link_problems():
        return _link_page(request, service.confirm_by_link(session, token))


@router.post(
    "/digest/subscribe",
    response_model=Accepted,
    status_code=202,
    tags=LINK_TAGS,
    responses=documented(422, 429),
    summary="自助订阅 Subscribe yourself (confirmation e-mail follows)",
    description="无需 API 密钥。回复相同，无论邮箱是否已订阅；已生效的订阅不会被修改。"
    "每个客户端每小时最多 5 次、每个邮箱每小时最多 3 次，每个客户端每天最多触发 20 封确认邮件，"
    "超出时返回 429 与 Retry-After。/ Limited per client and per address (429 with Retry-After).",
)
def self_subscribe(
    request: Request, body: SelfSubscribe, session: SessionDep, background: BackgroundTasks
) -> dict[str, str]:
    """Create (or renew) a pending subscription and send the confirmation e-mail, within the
    per-client and per-address limits (a re-subscribe re-sends at most hourly)."""
    guard, client = throttle_of(request), client_address(request)
    guard.hit("subscribe", client)
    guard.hit("subscribe-address", body.email.strip().lower())
    guard.check("confirmations", client)
    sub = service.subscribe_self(session, SubscriptionData(**body.model_dump()))
    if service.needs_confirmation(sub):
        guard.hit("confirmations", client)
        background.add_task(service.send_confirmation_quietly, sub.id)
    return {
        "status": "accepted",
        "detail": "如该邮箱可用，确认邮件已发出，请点击其中链接完成订阅 / "
        "if the address is valid, a confirmation e-mail is on its way",
    }


# ---- organisers' CRUD -----------------------------------------------------------------------
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
    sub = service.add_subscription(session, SubscriptionData(**values), confirmed=confirmed)
    if service.needs_confirmation(sub):
        background.add_task(service.send_confirmation_quietly, sub.id)
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
    q: Annotated[Line | None, Query(max_length=254, description="邮箱包含 e-mail contains")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """Subscriptions, newest first, optionally by status or address."""
    total, rows = service.list_subscriptions(
        session, status=status, q=q, limit=limit, offset=offset
    )
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
    return service.get_subscription(session, sub_id)


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
    return service.change_subscription(session, sub_id, body.model_dump(exclude_unset=True))


@router.delete(
    "/subscriptions/{sub_id}",
    status_code=204,
    tags=CRUD_TAGS,
    responses=COMMON_RESPONSES,
    summary="删除订阅 Delete a subscription and its history",
)
def delete_subscription(sub_id: SubId, session: SessionDep, caller: OrganiserDep) -> Response:
    """Erase a subscriber with their delivery history (a person's right to deletion)."""
    service.delete_subscription(session, sub_id)
    return Response(status_code=204)
