"""Password hashes: Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile), re-hashed on
login when the parameters change; a length rule, and a dummy check so unknown e-mails take as long."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from matchmaker.accounts.errors import AccountError
from matchmaker.core.messages import Text

MIN_LENGTH = 10
MAX_LENGTH = 200
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("matchmaker-dummy-password")


def check_strength(password: str, field: str = "password") -> None:
    """A new password must have 10–200 characters (any script) and not be all one character."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        raise AccountError(Text("account.password.length", low=MIN_LENGTH, high=MAX_LENGTH), field)
    if len(set(password)) < 3:
        raise AccountError(Text("account.password.weak"), field)


def hash_password(password: str) -> str:
    """The stored form of a password (Argon2id, salted)."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether the password matches the stored hash (a missing hash costs the same time)."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash was made with older parameters."""
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
