"""Errors a use case raises when it refuses: adapters map them (the API to RFC 9457 problems, the
CLI to a red line, pages to an error page) instead of each re-stating the rules behind them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One field that is wrong and why (Chinese first, English after)."""

    field: str
    message: str


class ServiceError(Exception):
    """A use case refused; the message is for the person who asked (Chinese first, English after)."""

    def __init__(self, message: str, fields: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: list[FieldProblem] = fields or []


class NotFound(ServiceError, LookupError):
    """The record does not exist, or the caller may not know that it does (a draft of others)."""


class Forbidden(ServiceError):
    """The caller is known but may not do this."""


class Invalid(ServiceError, ValueError):
    """The input breaks a rule; `fields` names the fields at fault."""

    @classmethod
    def field(cls, name: str, message: str, detail: str | None = None) -> Invalid:
        """An error about one field (`detail` is the field's own short message)."""
        return cls(message, [FieldProblem(name, detail or message)])


class Conflict(ServiceError):
    """The change clashes with what is stored (a duplicate, or records still depending on it)."""
