"""Organisations of people: the first member requests a new one (park staff of its park, or an
admin, approve it and the requester becomes its admin); later members ask to join an existing one
and the organisation's admin (or its park's staff) approves them."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts import mail
from matchmaker.accounts.errors import AccountError, LinkError
from matchmaker.accounts.models import OrganisationRequest, User
from matchmaker.accounts.tokens import INVITE, fingerprint, make_token, read_token
from matchmaker.catalog.schemas import OrganisationCreate
from matchmaker.core.config import Settings
from matchmaker.core.messages import Text, t
from matchmaker.digest.vocab import parse_email
from matchmaker.policy.actor import MEMBERS_MANAGE, ORGS_APPROVE, Actor, reviews_park
from matchmaker.store.models import Organisation, Park, utcnow

REQUEST_FIELDS = ("name", "kind", "province", "city", "park_id", "description")


def _free(session: Session, user: User) -> None:
    """A person may request or join only once verified and while in no organisation."""
    if not user.verified:
        raise AccountError(Text("account.org.verified_first"), None, 403)
    if user.organisation_id is not None:
        raise AccountError(Text("account.org.already"), None, 409)
    pending = session.scalar(
        select(OrganisationRequest.id).where(
            OrganisationRequest.user_id == user.id, OrganisationRequest.status == "pending"
        )
    )
    if pending is not None:
        raise AccountError(Text("account.org.pending_request"), None, 409)


def validate_request(values: dict[str, Any]) -> dict[str, Any]:
    """The organisation fields checked by the catalogue's own rules (same messages as the
    importer and the API); the first problem is raised naming its field."""
    data = {k: v for k, v in values.items() if k in REQUEST_FIELDS and v not in (None, "")}
    try:
        checked = OrganisationCreate(external_id="ORG-REQUEST", **data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else None
        reason = str(first.get("msg", "")).removeprefix("Value error, ")
        raise AccountError(Text("account.field", field=field or "", reason=reason), field) from exc
    return checked.model_dump(include=set(REQUEST_FIELDS))


def request_organisation(
    session: Session, user: User, values: dict[str, Any]
) -> OrganisationRequest:
    """File a request for a new organisation with the requester as its future admin."""
    _free(session, user)
    clean = validate_request(values)
    if clean.get("park_id") is not None and session.get(Park, clean["park_id"]) is None:
        raise AccountError(Text("account.org.unknown_park"), "park_id")
    row = OrganisationRequest(user_id=user.id, **clean)
    session.add(row)
    session.commit()
    return row


def pending_requests(session: Session, actor: Actor) -> list[OrganisationRequest]:
    """Organisation requests waiting for this reviewer (park staff: their park; admins: all)."""
    if not actor.can(ORGS_APPROVE):
        return []
    query = select(OrganisationRequest).where(OrganisationRequest.status == "pending")
    if not actor.is_admin:
        query = query.where(OrganisationRequest.park_id == actor.park_id)
    return list(session.scalars(query.order_by(OrganisationRequest.id)))


def decide_request(
    session: Session,
    settings: Settings,
    actor: Actor,
    request_id: int,
    *,
    approve: bool,
    comment: str = "",
) -> OrganisationRequest:
    """Approve (create the organisation, its requester becomes its admin) or decline a request;
    the requester is told by e-mail."""
    if not actor.can(ORGS_APPROVE):
        raise AccountError(Text("account.org.not_reviewer"), None, 403)
    row = session.get(OrganisationRequest, request_id)
    if row is None or row.status != "pending":
        raise AccountError(Text("account.org.request_gone"), None, 404)
    if not reviews_park(actor, row.park_id):
        raise AccountError(Text("account.org.not_reviewer"), None, 403)
    user = session.get(User, row.user_id)
    row.status = "approved" if approve else "declined"
    row.decided_by, row.decided_at, row.comment = actor.principal, utcnow(), comment
    if approve and user is not None:
        org = Organisation(
            external_id=f"ORG-U{row.id:06d}",
            name=row.name,
            kind=row.kind,
            province=row.province,
            city=row.city,
            park_id=row.park_id,
            description=row.description,
        )
        session.add(org)
        session.flush()
        row.organisation_id = org.id
        user.organisation_id, user.org_role, user.membership = org.id, "admin", "active"
    session.commit()
    if user is not None:
        _tell(settings, user, row, approve)
    return row


def _tell(settings: Settings, user: User, row: OrganisationRequest, approve: bool) -> None:
    key = "account.mail.org_approved" if approve else "account.mail.org_declined"
    lines = [
        t("account.mail.hello", "zh", name=user.name),
        "",
        t(key, "zh", org=row.name, comment=row.comment or "—"),
    ]
    mail.send(mail.message(settings, user.email, f"{key}_subject", lines), user.email, settings)


def request_join(session: Session, user: User, organisation_id: int) -> User:
    """Ask to join an existing organisation (pending until its admin approves)."""
    _free(session, user)
    if session.get(Organisation, organisation_id) is None:
        raise AccountError(Text("account.org.unknown"), "organisation_id", 404)
    user.organisation_id, user.org_role, user.membership = organisation_id, "member", "pending"
    session.commit()
    return user


def _may_manage(session: Session, actor: Actor, organisation_id: int) -> bool:
    """An organisation's own admin, or the staff of its park (and platform admins)."""
    if actor.can(MEMBERS_MANAGE) and actor.acts_for(organisation_id):
        return True
    org = session.get(Organisation, organisation_id)
    return actor.can(ORGS_APPROVE) and org is not None and reviews_park(actor, org.park_id)


def pending_members(session: Session, actor: Actor, organisation_id: int) -> list[User]:
    """People waiting to join an organisation, for whoever may approve them."""
    if not _may_manage(session, actor, organisation_id):
        return []
    query = select(User).where(
        User.organisation_id == organisation_id, User.membership == "pending"
    )
    return list(session.scalars(query.order_by(User.id)))


def decide_member(session: Session, actor: Actor, user_id: int, *, approve: bool) -> User:
    """Let a person into the organisation, or turn the request down (they are free again)."""
    person = session.get(User, user_id)
    if person is None or person.membership != "pending" or person.organisation_id is None:
        raise AccountError(Text("account.org.member_gone"), None, 404)
    if not _may_manage(session, actor, person.organisation_id):
        raise AccountError(Text("account.org.not_admin"), None, 403)
    if approve:
        person.membership = "active"
    else:
        person.organisation_id, person.org_role, person.membership = None, None, None
    session.commit()
    return person


def members(session: Session, organisation_id: int) -> list[User]:
    """The people of an organisation (admins first)."""
    query = select(User).where(User.organisation_id == organisation_id, User.membership == "active")
    return sorted(session.scalars(query), key=lambda u: (u.org_role != "admin", u.id))


INVITE_PATH = "/account/invite"


def invitation_message(
    session: Session, settings: Settings, actor: Actor, inviter: str, email: str
) -> EmailMessage:
    """The e-mail inviting an address to the admin's organisation (a signed link, 7 days)."""
    org_id = actor.organisation_id
    if org_id is None or not (actor.can(MEMBERS_MANAGE) and actor.acts_for(org_id)):
        raise AccountError(Text("account.org.not_admin"), None, 403)
    try:
        address = parse_email(email)
    except ValueError as exc:
        raise AccountError(Text("account.email.invalid"), "email") from exc
    org = session.get(Organisation, org_id)
    token = make_token(settings.secret_key, INVITE, org_id, address)
    url = mail.link(settings, INVITE_PATH, token)
    lines = [
        t("account.mail.invite", "zh", inviter=inviter, org=org.name if org else ""),
        url,
        "",
        t("account.mail.ignore", "zh"),
    ]
    return mail.message(settings, address, "account.mail.invite_subject", lines, url)


def accept_invitation(session: Session, settings: Settings, user: User, token: str) -> User:
    """Join the inviting organisation at once: the link must be genuine, fresh and addressed
    to this account's address, and the person in no organisation yet."""
    org_id, mark = read_token(settings.secret_key, INVITE, token)
    if mark != fingerprint(user.email):
        raise LinkError(Text("account.invite.other"), 403)
    if user.organisation_id == org_id and user.membership == "active":
        raise LinkError(Text("account.invite.used"), 410)
    if session.get(Organisation, org_id) is None:
        raise LinkError(Text("account.link.invalid"))
    _free(session, user)
    user.organisation_id, user.org_role, user.membership = org_id, "member", "active"
    session.commit()
    return user
