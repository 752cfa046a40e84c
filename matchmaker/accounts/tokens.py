"""Signed, dated links for e-mail verification and password reset.

A token carries the user id and a fingerprint of the state it may change (the address for a
verification, the current password hash for a reset), signed with the secret key and a salt per
purpose: a forged or altered token fails the signature, an old one its age, and a reused one its
fingerprint (the password changed, the address is already verified)."""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from matchmaker.accounts.errors import LinkError
from matchmaker.core.messages import Text

VERIFY = "verify"
RESET = "reset"
INVITE = "invite"  # carries the organisation id and the invited address's fingerprint
MAX_AGE = {VERIFY: 3 * 24 * 3600, RESET: 3600, INVITE: 7 * 24 * 3600}


def fingerprint(value: str) -> str:
    """A short digest of the state a link may change."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"matchmaker.accounts.{purpose}")


def make_token(secret: str, purpose: str, user_id: int, state: str) -> str:
    """A URL-safe token for one purpose, one user and the state it may change."""
    return _serializer(secret, purpose).dumps({"u": user_id, "f": fingerprint(state)})


def read_token(secret: str, purpose: str, token: str) -> tuple[int, str]:
    """The user id and fingerprint of a genuine, unexpired token; LinkError otherwise."""
    try:
        data = _serializer(secret, purpose).loads(token.strip(), max_age=MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise LinkError(Text("account.link.expired"), 410) from exc
    except BadSignature as exc:
        raise LinkError(Text("account.link.invalid")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkError(Text("account.link.invalid"))
    return int(data["u"]), str(data.get("f", ""))
