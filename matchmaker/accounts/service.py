"""Sign up, verify the address, log in, reset the password, sign out everywhere, and the `Actor`
a signed-in person acts as. Pages call these; e-mails go out through `accounts.mail`.

    user = sign_up(session, "li@example.cn", "李雷", "a long password")
    send_verification(settings, user)           # a signed link to /account/verify
    verify_email(session, settings, token)      # the link, clicked
    user = authenticate(session, "li@example.cn", "a long password")
"""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.accounts import mail
from matchmaker.accounts.errors import AccountError, LinkError
from matchmaker.accounts.models import USER_ROLES, User
from matchmaker.accounts.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from matchmaker.accounts.tokens import RESET, VERIFY, fingerprint, make_token, read_token
from matchmaker.core.config import Settings
from matchmaker.core.messages import Text, t
from matchmaker.digest.vocab import parse_email
from matchmaker.policy.actor import (
    ADMIN,
    MEMBER,
    ORG_ADMIN,
    ORGANISER,
    PARK_STAFF,
    PERSON,
    Actor,
    user_principal,
)
from matchmaker.store.models import utcnow

NAME_MAX = 64
VERIFY_PATH = "/account/verify"
RESET_PATH = "/account/reset"


def normalise_email(value: str, field: str = "email") -> str:
    """A trimmed, lower-cased address, or AccountError naming the field."""
    try:
        return parse_email(value)
    except ValueError as exc:
        raise AccountError(Text("account.email.invalid"), field) from exc


def find_user(session: Session, email: str) -> User | None:
    """The account of an address (any case), or None."""
    try:
        address = parse_email(email)
    except ValueError:
        return None
    return session.scalars(select(User).where(User.email == address)).first()


def sign_up(session: Session, email: str, name: str, password: str) -> User:
    """Create an unverified account; a taken address or a bad field is refused by name."""
    address = normalise_email(email)
    shown = name.strip()
    if not shown or len(shown) > NAME_MAX:
        raise AccountError(Text("account.name.length", high=NAME_MAX), "name")
    check_strength(password)
    if find_user(session, address) is not None:
        raise AccountError(Text("account.email.taken"), "email", 409)
    user = User(email=address, name=shown, password_hash=hash_password(password), role="member")
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # two sign-ups for one address at once
        session.rollback()
        raise AccountError(Text("account.email.taken"), "email", 409) from exc
    return user


def verification_token(settings: Settings, user: User) -> str:
    """The token of the verify-your-address link."""
    return make_token(settings.secret_key, VERIFY, user.id, user.email)


def verification_message(settings: Settings, user: User) -> EmailMessage:
    """The verify-your-address e-mail (built while the account is at hand, sent later)."""
    url = mail.link(settings, VERIFY_PATH, verification_token(settings, user))
    lines = [
        t("account.mail.hello", "zh", name=user.name),
        "",
        t("account.mail.verify", "zh"),
        url,
        "",
        t("account.mail.verify_en", "zh"),
        t("account.mail.ignore", "zh"),
    ]
    return mail.message(settings, user.email, "account.mail.verify_subject", lines, url)


def send_verification(settings: Settings, user: User) -> bool:
    """E-mail the verify-your-address link (one attempt; False when delivery failed)."""
    return mail.send(verification_message(settings, user), user.email, settings)


def verify_email(session: Session, settings: Settings, token: str) -> User:
    """Mark the address verified; an already-verified account says the link was used."""
    user_id, mark = read_token(settings.secret_key, VERIFY, token)
    user = session.get(User, user_id)
    if user is None or mark != fingerprint(user.email):
        raise LinkError(Text("account.link.invalid"))
    if user.verified:
        raise LinkError(Text("account.link.verified_already"), 410)
    user.email_verified_at = utcnow()
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account whose address and password match (None otherwise, in the same time); the
    hash is renewed when its parameters are old. An unverified account is refused by name."""
    user = find_user(session, email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if not user.verified:
        raise AccountError(Text("account.login.unverified"), "email", 403)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.commit()
    return user


def reset_token(settings: Settings, user: User) -> str:
    """The token of the reset-your-password link (dead once the password changes)."""
    return make_token(settings.secret_key, RESET, user.id, user.password_hash)


def reset_message(session: Session, settings: Settings, email: str) -> EmailMessage | None:
    """The reset-your-password e-mail for an address with an account (None without one)."""
    user = find_user(session, email)
    if user is None:
        return None
    url = mail.link(settings, RESET_PATH, reset_token(settings, user))
    lines = [
        t("account.mail.hello", "zh", name=user.name),
        "",
        t("account.mail.reset", "zh"),
        url,
        "",
        t("account.mail.reset_en", "zh"),
        t("account.mail.ignore", "zh"),
    ]
    return mail.message(settings, user.email, "account.mail.reset_subject", lines, url)


def send_reset(session: Session, settings: Settings, email: str) -> bool:
    """E-mail a reset link when the address has an account (the page says the same either way)."""
    msg = reset_message(session, settings, email)
    return msg is not None and mail.send(msg, str(msg["To"]), settings)


def check_reset_token(session: Session, settings: Settings, token: str) -> User:
    """The account a reset link is for, while it is genuine, fresh and unused."""
    user_id, mark = read_token(settings.secret_key, RESET, token)
    user = session.get(User, user_id)
    if user is None:
        raise LinkError(Text("account.link.invalid"))
    if mark != fingerprint(user.password_hash):
        raise LinkError(Text("account.link.used"), 410)
    return user


def reset_password(session: Session, settings: Settings, token: str, password: str) -> User:
    """Set a new password from a reset link; every session ends and the address counts as
    verified (the person read the mail)."""
    user = check_reset_token(session, settings, token)
    check_strength(password)
    user.password_hash = hash_password(password)
    user.session_generation += 1
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    session.commit()
    return user


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every browser session of the person (their cookies name an older generation)."""
    user.session_generation += 1
    session.commit()


def actor_of(user: User) -> Actor:
    """What a signed-in person may do, as the policy knows callers: platform roles first, then
    their place in an organisation once it is approved."""
    principal = user_principal(user.id)
    if user.role in (ADMIN, ORGANISER):
        return Actor(user.role, user.organisation_id, principal)
    if user.role == PARK_STAFF:
        return Actor(PARK_STAFF, None, principal, user.park_id)
    if user.organisation_id is not None and user.membership == "active":
        role = ORG_ADMIN if user.org_role == "admin" else MEMBER
        return Actor(role, user.organisation_id, principal)
    return Actor(PERSON, None, principal)


def grant_role(session: Session, email: str, role: str, park_id: int | None = None) -> User:
    """Give an account a platform role (the first admin is made this way, from the CLI); park
    staff need their park. The address counts as verified: an operator vouches for it."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(Text("account.unknown"), "email", 404)
    if role not in USER_ROLES:
        raise AccountError(Text("account.role.unknown", roles=", ".join(USER_ROLES)), "role")
    if role == PARK_STAFF and park_id is None:
        raise AccountError(Text("account.role.park_needed"), "park")
    user.role, user.park_id = role, park_id if role == PARK_STAFF else None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    user.session_generation += 1  # sessions pick up the new role at the next login
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    """Every account, oldest first."""
    return list(session.scalars(select(User).order_by(User.id)))


def export_data(session: Session, user: User) -> dict[str, object]:
    """Everything stored about a person (their own right of access), as JSON-ready data."""
    from matchmaker.accounts.models import Introduction, ItemReview, OrganisationRequest

    def when(value: object) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else None

    requests = session.scalars(
        select(OrganisationRequest).where(OrganisationRequest.user_id == user.id)
    ).all()
    intros = session.scalars(select(Introduction).where(Introduction.requester_id == user.id)).all()
    reviews = session.scalars(select(ItemReview).where(ItemReview.actor == user.principal)).all()
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "park_id": user.park_id,
            "organisation_id": user.organisation_id,
            "organisation_role": user.org_role,
            "membership": user.membership,
            "verified_at": when(user.email_verified_at),
            "last_login_at": when(user.last_login_at),
            "created_at": when(user.created_at),
        },
        "organisation_requests": [
            {"name": r.name, "status": r.status, "created_at": when(r.created_at)} for r in requests
        ],
        "introductions_requested": [
            {
                "item": f"{i.target_kind}:{i.target_id}",
                "message": i.message,
                "status": i.status,
                "created_at": when(i.created_at),
            }
            for i in intros
        ],
        "review_steps": [
            {"item": f"{r.item_kind}:{r.item_id}", "action": r.action, "comment": r.comment}
            for r in reviews
        ],
    }


def delete_account(session: Session, user: User, password: str) -> None:
    """Erase a person's account (their password confirms it). Their organisation and its
    published items stay; when they were its last admin, its longest-standing member becomes
    admin. Introductions they asked for stay with the organisation, without their name."""
    if not verify_password(user.password_hash, password):
        raise AccountError(Text("account.delete.password"), "password", 403)
    if user.organisation_id is not None and user.org_role == "admin":
        others = session.scalars(
            select(User)
            .where(
                User.organisation_id == user.organisation_id,
                User.membership == "active",
                User.id != user.id,
            )
            .order_by(User.id)
        ).all()
        if others and not any(o.org_role == "admin" for o in others):
            others[0].org_role = "admin"
    session.delete(user)
    session.commit()
