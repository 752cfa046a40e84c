"""Signed links (confirm, unsubscribe, not relevant): HMAC-SHA256 with the secret key, an expiry,
and the subscription's salt, so a link cannot be forged, altered or reused after it expires."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

# action code -> (name, days a link stays valid)
ACTIONS: dict[str, tuple[str, int]] = {
    "c": ("confirm", 14),
    "u": ("unsubscribe", 400),  # old digests must still unsubscribe a year on
    "n": ("not-relevant", 180),
}
KIND_CODES: dict[str, str] = {"a": "achievement", "n": "need", "s": "scenario", "-": ""}
CODE_OF_KIND: dict[str, str] = {kind: code for code, kind in KIND_CODES.items()}
TOKEN_PATTERN = re.compile(
    r"^([cun])\.(\d{1,10})\.([ans-])\.(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$"
)


class TokenError(ValueError):
    """A link that is malformed, altered or for another action (status 400)."""

    status = 400


class TokenExpired(TokenError):
    """A genuine link whose validity has run out (status 410)."""

    status = 410


@dataclass(frozen=True)
class LinkToken:
    """What a verified link says: the action, the subscription and, for not-relevant, the item."""

    action: str
    subscription_id: int
    item_kind: str
    item_id: int
    expires: int


def _signature(secret: str, body: str, salt: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{body}.{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode("ascii").rstrip("=")


def make_token(
    secret: str,
    action: str,
    subscription_id: int,
    salt: str,
    *,
    item_kind: str = "",
    item_id: int = 0,
    now: dt.datetime | None = None,
) -> str:
    """A URL-safe signed token for one action on one subscription (and item)."""
    code = next(c for c, (name, _) in ACTIONS.items() if name == action)
    days = ACTIONS[code][1]
    issued = now or dt.datetime.now(dt.UTC)
    expires = int((issued + dt.timedelta(days=days)).timestamp())
    body = f"{code}.{subscription_id}.{CODE_OF_KIND[item_kind]}.{item_id}.{expires}"
    return f"{body}.{_signature(secret, body, salt)}"


def read_token(token: str, action: str) -> LinkToken:
    """Parse a token without checking its signature (the caller needs the subscription's salt first)."""
    match = TOKEN_PATTERN.match(token.strip())
    if match is None:
        raise TokenError("链接无效或已损坏 / the link is malformed")
    code, sub_id, kind_code, item_id, expires, _ = match.groups()
    if ACTIONS[code][0] != action:
        raise TokenError("链接与操作不符 / the link is for another action")
    return LinkToken(
        ACTIONS[code][0], int(sub_id), KIND_CODES[kind_code], int(item_id), int(expires)
    )


def verify_token(
    secret: str, token: str, action: str, salt: str, *, now: dt.datetime | None = None
) -> LinkToken:
    """The token's content if its signature matches and it has not expired; TokenError otherwise."""
    parsed = read_token(token, action)
    body, _, signature = token.strip().rpartition(".")
    if not hmac.compare_digest(signature, _signature(secret, body, salt)):
        raise TokenError("链接签名不符，可能被篡改 / the link's signature does not match")
    moment = now or dt.datetime.now(dt.UTC)
    if parsed.expires < moment.timestamp():
        raise TokenExpired("链接已过期 / the link has expired")
    return parsed
