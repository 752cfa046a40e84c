"""Refusals of the account use cases, each with the field at fault and the HTTP status a page uses."""

from __future__ import annotations

from matchmaker.core.messages import Text, UserFacingError


class AccountError(UserFacingError):
    """A form value or request the person can fix (status 400 unless said otherwise)."""

    def __init__(self, message: Text, field: str | None = None, status: int = 400) -> None:
        super().__init__(message, field=field)
        self.status = status


class LinkError(AccountError):
    """An e-mailed link that is malformed, tampered with, expired or already used (never a 500)."""

    def __init__(self, message: Text, status: int = 400) -> None:
        super().__init__(message, None, status)
