"""Browser sessions for the pages: a signed, HttpOnly cookie naming either a person's account
(e-mail and password login, `matchmaker.accounts`) or the API key a person pasted.

The cookie holds the account id with its session generation, or the key's SHA-256 (what the
database stores), never a secret, signed with `settings.secret_key` and dated, so it cannot be
forged or kept forever; every request looks the account or key up again, so revoking a key, or
"sign out everywhere" (the generation moves on), ends its browser sessions at once. Forms that
change anything carry a CSRF token derived from the cookie (and the cookie is SameSite=Lax).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.accounts.service import actor_of
from matchmaker.core.config import get_settings
from matchmaker.policy.actor import STATS_READ, Actor, key_principal, user_principal
from matchmaker.store.auth import ApiKey, find_key
from matchmaker.store.models import Organisation

SESSION_COOKIE = "mm_session"
FLASH_COOKIE = "mm_flash"
SESSION_MAX_AGE = 7 * 24 * 3600


@dataclass(frozen=True)
class PageUser:
    """The person behind a browser session: the role and organisation of their account (with
    `user_id`) or of the API key they pasted (with `key_id`)."""

    key_id: int | None
    role: str
    organisation_id: int | None
    name: str
    organisation_name: str | None = None
    park_id: int | None = None
    user_id: int | None = None

    @property
    def principal(self) -> str:
        """ "user:N" for an account, "key:N" for an API key."""
        if self.user_id is not None:
            return user_principal(self.user_id)
        return key_principal(self.key_id or 0)

    def as_actor(self) -> Actor:
        """The person as the policy knows callers (role, organisation, principal, park)."""
        return Actor(self.role, self.organisation_id, self.principal, self.park_id)

    @property
    def sees_contacts(self) -> bool:
        """Whether contact details may be shown (same rule as the API)."""
        return self.as_actor().sees_contacts

    @property
    def organises(self) -> bool:
        """Whether the person may create events and manage catalogue records."""
        return self.as_actor().organises

    @property
    def reads_stats(self) -> bool:
        """Whether the person may open the statistics pages (park staff: their park only)."""
        return self.as_actor().can(STATS_READ)

    @property
    def writes(self) -> bool:
        """Whether the person may record feedback."""
        return self.as_actor().writes

    @property
    def actor(self) -> str:
        """How the person is named in stored feedback and plans ("organiser:3", "member:user:7")."""
        if self.user_id is not None:
            return f"{self.role}:{self.principal}"
        return f"{self.role}:{self.key_id}"


def _secret() -> str:
    return get_settings().secret_key


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt="matchmaker.pages.session")


def _flash_signer() -> URLSafeSerializer:
    return URLSafeSerializer(_secret(), salt="matchmaker.pages.flash")


def login_with_key(session: Session, key: str) -> str | None:
    """The cookie value for a valid, unrevoked key; None when the key is wrong."""
    record = find_key(session, key.strip())
    if record is None:
        return None
    return _signer().dumps({"h": record.key_hash})


def login_with_account(user: User) -> str:
    """The cookie value of a person signed in with e-mail and password."""
    return _signer().dumps({"u": user.id, "g": user.session_generation})


def _cookie(request: Request) -> dict[str, object] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        data = _signer().loads(token, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _organisation_name(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    org = session.get(Organisation, organisation_id)
    return org.name if org is not None else None


def _account_user(session: Session, user_id: object, generation: object) -> PageUser | None:
    """The person of an account cookie while the account exists, is verified and the cookie's
    generation is current (sign-out everywhere and password resets move it on)."""
    if not isinstance(user_id, int) or not isinstance(generation, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.verified or user.session_generation != generation:
        return None
    actor = actor_of(user)
    return PageUser(
        None,
        actor.role,
        actor.organisation_id,
        user.name,
        _organisation_name(session, actor.organisation_id),
        user_id=user.id,
        park_id=actor.park_id,
    )


def current_user(request: Request, session: Session) -> PageUser | None:
    """The signed-in person, or None (no cookie, a bad or old cookie, an account signed out
    everywhere, or a revoked key)."""
    data = _cookie(request)
    if data is None:
        return None
    if "u" in data:
        return _account_user(session, data.get("u"), data.get("g"))
    digest = data.get("h")
    if not isinstance(digest, str):
        return None
    record = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).first()
    if record is None or record.revoked_at is not None:
        return None
    org_name = _organisation_name(session, record.organisation_id)
    return PageUser(
        record.id, record.role, record.organisation_id, record.name, org_name, record.park_id
    )


def set_session(response: Response, request: Request, token: str) -> None:
    """Store the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_token(request: Request) -> str:
    """The token forms of this browser session must send back (bound to the session cookie)."""
    basis = request.cookies.get(SESSION_COOKIE) or "anonymous"
    mac = hmac.new(_secret().encode(), b"csrf|" + basis.encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def csrf_ok(request: Request, token: str | None) -> bool:
    """Whether a posted form token belongs to this browser session."""
    return bool(token) and hmac.compare_digest(str(token), csrf_token(request))


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: Request) -> set[str]:
    """The origins this site is reached at: the request's own and MATCHMAKER_PUBLIC_URL's."""
    found = {_origin_of(str(request.base_url)), _origin_of(get_settings().public_url)}
    return {o for o in found if o}


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site: its Origin (else its Referer) must be one of ours.
    A request with neither comes from no browser page (a script with its own token) and passes;
    an opaque origin ("null") does not."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if not referer:
            return True
        origin = _origin_of(referer) or "null"
    return origin.lower() in own_origins(request)


def set_flash(response: Response, message: str, level: str = "ok") -> None:
    """A one-time message for the next page (after a redirect)."""
    value = _flash_signer().dumps({"m": message[:500], "l": level})
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", path="/")


def read_flash(request: Request) -> tuple[str, str] | None:
    """The pending one-time message (text, level), if any."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = _flash_signer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        return None
    return data["m"], str(data.get("l") or "ok")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to after login or a form (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
