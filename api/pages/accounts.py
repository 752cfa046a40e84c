"""Account pages: sign up, verify the address, forgotten password, my account (organisation
request, joining, members to approve, sign out everywhere) and the reviewers' queue of new
organisations. The rules live in `matchmaker.accounts`; these pages only read forms and render."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.pages import account_text  # noqa: F401 - registers the page strings
from api.pages.forms import FormDep, text, to_int
from api.pages.session import clear_session
from api.pages.web import Page, PageDep, PageError
from api.security.throttle import Throttled, client_address, throttle_of
from matchmaker.accounts import introductions, mail, orgs, service
from matchmaker.accounts.errors import AccountError, LinkError
from matchmaker.accounts.models import OrganisationRequest, User
from matchmaker.catalog import publishing
from matchmaker.core.config import get_settings
from matchmaker.core.messages import Text
from matchmaker.core.vocab import ORG_KINDS
from matchmaker.policy.actor import ITEMS_REVIEW, MEMBERS_MANAGE, ORGS_APPROVE
from matchmaker.store.models import Organisation, Park

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


def _message(page: Page, title: str, body: str, status: int = 200, **extra: Any) -> HTMLResponse:
    """A one-message page (mail sent, link used …) with optional follow-up forms."""
    return page.render(
        "account_message.html",
        status_code=status,
        title=title,
        body=body,
        failed=status >= 400,
        **extra,
    )


def _throttled(page: Page, exc: Throttled) -> HTMLResponse:
    refused = _message(page, page.t("error.429"), exc.detail, 429)
    refused.headers.update(exc.headers)
    return refused


# ---- sign up and verify ------------------------------------------------------------------------
@router.get("/signup", response_class=HTMLResponse)
def signup_form(page: PageDep) -> Response:
    """The sign-up form (a signed-in person goes to their account)."""
    if page.user is not None:
        return page.redirect("/account" if page.user.user_id is not None else "/")
    return page.render("signup.html", values={}, error=None, field=None)


@router.post("/signup", response_class=HTMLResponse)
def signup(request: Request, page: PageDep, background: BackgroundTasks, form: FormDep) -> Response:
    """Create an unverified account and mail the verification link; a refused form comes back
    with the field named and the values kept (never the password)."""
    page.check_origin()
    values = {"email": text(form, "email", 254), "name": text(form, "name", 64)}
    password, again = str(form.get("password") or ""), str(form.get("password2") or "")
    try:
        throttle_of(request).hit("signup", client_address(request))
    except Throttled as exc:
        return _throttled(page, exc)
    try:
        if password != again:
            raise AccountError(Text("account.password.mismatch"), "password2")
        user = service.sign_up(page.db, values["email"], values["name"], password[:400])
    except AccountError as exc:
        return page.render(
            "signup.html",
            status_code=exc.status,
            values=values,
            error=exc.render(page.lang),
            field=exc.field,
        )
    settings = get_settings()
    background.add_task(
        mail.send, service.verification_message(settings, user), user.email, settings
    )
    return _message(page, page.t("signup.sent_title"), page.t("signup.sent", email=user.email), 201)


@router.get("/account/verify", response_class=HTMLResponse)
def verify(request: Request, page: PageDep) -> HTMLResponse:
    """The link in the verification e-mail: verified, or a clear page saying why not."""
    token = request.query_params.get("token", "")[:2000]
    try:
        service.verify_email(page.db, get_settings(), token)
    except LinkError as exc:
        return _message(
            page,
            page.t("verify.failed_title"),
            exc.render(page.lang),
            exc.status,
            resend=True,
        )
    return _message(page, page.t("verify.done_title"), page.t("verify.done"), login=True)


def _mail_quota(request: Request, address: str) -> None:
    guard, client = throttle_of(request), client_address(request)
    guard.hit("account-mail-client", client)
    guard.hit("account-mail", address.strip().lower()[:254] or "-")


@router.post("/account/verify/resend", response_class=HTMLResponse)
def resend(request: Request, page: PageDep, background: BackgroundTasks, form: FormDep) -> Response:
    """Send a new verification link to an unverified account (the same answer either way)."""
    page.check_origin()
    address = text(form, "email", 254)
    try:
        _mail_quota(request, address)
    except Throttled as exc:
        return _throttled(page, exc)
    user = service.find_user(page.db, address)
    if user is not None and not user.verified:
        settings = get_settings()
        msg = service.verification_message(settings, user)
        background.add_task(mail.send, msg, user.email, settings)
    return _message(page, page.t("signup.sent_title"), page.t("verify.resent"))


# ---- forgotten password ----------------------------------------------------------------------
@router.get("/account/forgot", response_class=HTMLResponse)
def forgot_form(page: PageDep) -> HTMLResponse:
    """Ask for a reset link."""
    return page.render("forgot.html", error=None)


@router.post("/account/forgot", response_class=HTMLResponse)
def forgot(request: Request, page: PageDep, background: BackgroundTasks, form: FormDep) -> Response:
    """Mail a reset link when the address has an account; the page says the same either way."""
    page.check_origin()
    address = text(form, "email", 254)
    try:
        _mail_quota(request, address)
    except Throttled as exc:
        return _throttled(page, exc)
    settings = get_settings()
    msg = service.reset_message(page.db, settings, address)
    if msg is not None:
        background.add_task(mail.send, msg, str(msg["To"]), settings)
    return _message(page, page.t("forgot.title"), page.t("forgot.sent"))


def _reset_failed(page: Page, exc: LinkError) -> HTMLResponse:
    return _message(
        page, page.t("reset.failed_title"), exc.render(page.lang), exc.status, forgot=True
    )


@router.get("/account/reset", response_class=HTMLResponse)
def reset_form(request: Request, page: PageDep) -> HTMLResponse:
    """The new-password form of a genuine, fresh, unused reset link."""
    token = request.query_params.get("token", "")[:2000]
    try:
        service.check_reset_token(page.db, get_settings(), token)
    except LinkError as exc:
        return _reset_failed(page, exc)
    return page.render("reset.html", token=token, error=None, field=None)


@router.post("/account/reset", response_class=HTMLResponse)
def reset(request: Request, page: PageDep, form: FormDep) -> Response:
    """Set the new password; every session ends, and the person logs in again."""
    page.check_origin()
    token = text(form, "token", 2000)
    password, again = str(form.get("password") or ""), str(form.get("password2") or "")
    try:
        if password != again:
            raise AccountError(Text("account.password.mismatch"), "password2")
        service.reset_password(page.db, get_settings(), token, password[:400])
    except LinkError as exc:
        return _reset_failed(page, exc)
    except AccountError as exc:
        return page.render(
            "reset.html",
            status_code=exc.status,
            token=token,
            error=exc.render(page.lang),
            field=exc.field,
        )
    response = page.redirect("/login", page.t("reset.done"))
    clear_session(response)
    return response


# ---- my account --------------------------------------------------------------------------------
def _account(page: Page) -> User:
    """The signed-in person's account (API-key sessions have none)."""
    user = page.require()
    if user.user_id is None:
        raise PageError(404)
    found = page.db.get(User, user.user_id)
    if found is None:
        raise PageError(401)
    return found


def _render_account(
    page: Page,
    account: User,
    *,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    db = page.db
    actor = service.actor_of(account)
    org = db.get(Organisation, account.organisation_id) if account.organisation_id else None
    last_request = db.scalars(
        select(OrganisationRequest)
        .where(OrganisationRequest.user_id == account.id)
        .order_by(OrganisationRequest.id.desc())
    ).first()
    waiting = (
        orgs.pending_members(db, actor, account.organisation_id)
        if account.organisation_id is not None and actor.can(MEMBERS_MANAGE)
        else []
    )
    free = account.organisation_id is None and not (
        last_request is not None and last_request.status == "pending"
    )
    return page.render(
        "account.html",
        status_code=status,
        nav="account",
        account=account,
        actor=actor,
        org=org,
        last_request=last_request,
        waiting=waiting,
        free=free,
        parks=list(db.scalars(select(Park).order_by(Park.id))) if free else [],
        organisations=list(db.scalars(select(Organisation).order_by(Organisation.name)))
        if free
        else [],
        kinds=ORG_KINDS,
        reviewer=actor.can(ORGS_APPROVE) or actor.can(ITEMS_REVIEW),
        error=error,
        field=field,
        values=values or {"province": "广西"},
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(page: PageDep) -> HTMLResponse:
    """The person's account: organisation, requests, members to approve, sign out everywhere."""
    return _render_account(page, _account(page))


@router.post("/account/organisation", response_class=HTMLResponse)
def request_organisation(request: Request, page: PageDep, form: FormDep) -> Response:
    """Ask for a new organisation (reviewed by the park's staff)."""
    account = _account(page)
    page.check_csrf(text(form, "csrf", 100))
    values = {
        "name": text(form, "name", 200),
        "kind": text(form, "kind", 32),
        "province": text(form, "province", 32),
        "city": text(form, "city", 64),
        "park_id": text(form, "park_id", 12),
        "description": text(form, "description", 5000, multiline=True),
    }
    try:
        orgs.request_organisation(page.db, account, values)
    except AccountError as exc:
        page.db.rollback()
        return _render_account(
            page,
            account,
            status=exc.status,
            error=exc.render(page.lang),
            field=exc.field,
            values=values,
        )
    return page.redirect("/account", page.t("account.requested"))


@router.post("/account/join", response_class=HTMLResponse)
def join(request: Request, page: PageDep, form: FormDep) -> Response:
    """Ask to join an existing organisation."""
    account = _account(page)
    page.check_csrf(text(form, "csrf", 100))
    org_id = to_int(form.get("organisation_id"), 1, MAX_ID)
    try:
        if org_id is None:
            raise AccountError(Text("account.org.unknown"), "organisation_id")
        orgs.request_join(page.db, account, org_id)
    except AccountError as exc:
        page.db.rollback()
        return _render_account(
            page, account, status=exc.status, error=exc.render(page.lang), field=exc.field
        )
    return page.redirect("/account", page.t("account.joined"))


@router.post("/account/members/{user_id}", response_class=HTMLResponse)
def decide_member(request: Request, page: PageDep, user_id: str, form: FormDep) -> Response:
    """The organisation admin lets a person in, or turns them down."""
    account = _account(page)
    page.check_csrf(text(form, "csrf", 100))
    approve = text(form, "decision", 10) == "approve"
    try:
        number = to_int(user_id, 1, MAX_ID)
        if number is None:
            raise PageError(404)
        person = orgs.decide_member(page.db, service.actor_of(account), number, approve=approve)
    except AccountError as exc:
        if exc.status == 403:
            raise PageError(403, exc.render(page.lang)) from exc
        return page.redirect("/account", exc.render(page.lang), "error")
    key = "account.member_approved" if approve else "account.member_declined"
    return page.redirect("/account", page.t(key, name=person.name))


@router.post("/account/invite", response_class=HTMLResponse)
def invite(request: Request, page: PageDep, background: BackgroundTasks, form: FormDep) -> Response:
    """The organisation admin invites an address (a signed link by e-mail, 7 days)."""
    account = _account(page)
    if not service.actor_of(account).can(MEMBERS_MANAGE):
        raise PageError(403)
    page.check_csrf(text(form, "csrf", 100))
    address = text(form, "email", 254)
    try:
        _mail_quota(request, address)
        settings = get_settings()
        msg = orgs.invitation_message(
            page.db, settings, service.actor_of(account), account.name, address
        )
    except Throttled as exc:
        return _throttled(page, exc)
    except AccountError as exc:
        if exc.status == 403:
            raise PageError(403, exc.render(page.lang)) from exc
        return _render_account(
            page, account, status=exc.status, error=exc.render(page.lang), field="invite"
        )
    background.add_task(mail.send, msg, str(msg["To"]), settings)
    return page.redirect("/account", page.t("account.invited", email=str(msg["To"])))


@router.get("/account/invite", response_class=HTMLResponse)
def accept_invite(request: Request, page: PageDep) -> Response:
    """The invitation link: log in (or sign up) first, then the person joins at once."""
    if page.user is None:
        return page.redirect(page.login_url())
    account = _account(page)
    token = request.query_params.get("token", "")[:2000]
    try:
        orgs.accept_invitation(page.db, get_settings(), account, token)
    except LinkError as exc:
        return _message(page, page.t("account.invite_failed"), exc.render(page.lang), exc.status)
    except AccountError as exc:
        return _message(page, page.t("account.invite_failed"), exc.render(page.lang), exc.status)
    return page.redirect("/account", page.t("account.invite_joined"))


@router.post("/account/signout-everywhere")
def signout_everywhere(request: Request, page: PageDep, form: FormDep) -> Response:
    """End every session of this account, this one included."""
    account = _account(page)
    page.check_csrf(text(form, "csrf", 100))
    service.sign_out_everywhere(page.db, account)
    response = page.redirect("/", page.t("account.everywhere_done"))
    clear_session(response)
    return response


@router.get("/account/data")
def download_data(page: PageDep) -> Response:
    """Everything stored about the signed-in person, as a JSON download."""
    account = _account(page)
    body = json.dumps(service.export_data(page.db, account), ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="matchmaker-account.json"'},
    )


@router.post("/account/delete", response_class=HTMLResponse)
def delete_account(request: Request, page: PageDep, form: FormDep) -> Response:
    """Erase the account after the password confirms it (the organisation's items stay)."""
    account = _account(page)
    page.check_csrf(text(form, "csrf", 100))
    try:
        service.delete_account(page.db, account, str(form.get("password") or "")[:400])
    except AccountError as exc:
        return _render_account(
            page, account, status=exc.status, error=exc.render(page.lang), field=exc.field
        )
    response = page.redirect("/", page.t("account.deleted"))
    clear_session(response)
    return response


# ---- reviewers: new organisations ----------------------------------------------------------------
@router.get("/review", response_class=HTMLResponse)
def review_page(page: PageDep) -> HTMLResponse:
    """Park staff's (and admins') queue: organisation requests of their park."""
    user = page.require()
    actor = user.as_actor()
    if not (actor.can(ORGS_APPROVE) or actor.can(ITEMS_REVIEW)):
        raise PageError(403)
    requests = orgs.pending_requests(page.db, actor)
    people = {
        u.id: u
        for u in page.db.scalars(select(User).where(User.id.in_([r.user_id for r in requests])))
    }
    parks = {p.id: p.name for p in page.db.scalars(select(Park))}
    return page.render(
        "review.html",
        nav="review",
        requests=requests,
        people=people,
        parks=parks,
        kinds=ORG_KINDS,
        items=publishing.pending_items(page.db, actor),
        intros=[
            (r, introductions.title_of(page.db, r))
            for r in introductions.pending_in_park(page.db, actor)
        ],
        org_names={o.id: o.name for o in page.db.scalars(select(Organisation))},
    )


@router.post("/review/organisations/{request_id}", response_class=HTMLResponse)
def decide_organisation(
    request: Request, page: PageDep, request_id: str, form: FormDep
) -> Response:
    """Approve or decline a new organisation (declining needs a comment)."""
    user = page.permit(ORGS_APPROVE)
    page.check_csrf(text(form, "csrf", 100))
    approve = text(form, "decision", 10) == "approve"
    comment = text(form, "comment", 2000, multiline=True)
    if not approve and not comment:
        return page.redirect("/review", page.t("review.comment_required"), "error")
    try:
        number = to_int(request_id, 1, MAX_ID)
        if number is None:
            raise PageError(404)
        row = orgs.decide_request(
            page.db, get_settings(), user.as_actor(), number, approve=approve, comment=comment
        )
    except AccountError as exc:
        if exc.status == 403:
            raise PageError(403, exc.render(page.lang)) from exc
        return page.redirect("/review", exc.render(page.lang), "error")
    key = "review.org_approved" if approve else "review.org_declined"
    return page.redirect("/review", page.t(key, org=row.name))
