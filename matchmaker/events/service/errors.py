"""Refusals of the event use cases: each carries a message for the user (Chinese / English)."""

from __future__ import annotations


class EventError(Exception):
    """A use case refused: the message is for the user (Chinese / English)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(EventError):
    """The event, participant, rule or meeting does not exist (in this event)."""


class Conflict(EventError):
    """The request clashes with the event's current state (duplicate, plan in the way, …)."""


class Invalid(EventError):
    """A value is wrong in itself (bad time, slot out of range, unknown organisation, …)."""


class Forbidden(EventError):
    """The viewer may not see this (an enterprise outside the event, another's agenda, …)."""


class PlanRejected(Conflict):
    """The checker found rule violations in a new plan; it was not stored."""

    def __init__(self, issues: list[str]) -> None:
        shown = "\n".join(issues[:10])
        super().__init__(
            f"新方案未通过检查，未保存 / the new plan failed the checker, not stored:\n{shown}"
        )
        self.issues = issues
