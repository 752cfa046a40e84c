"""The one authorisation policy: who is asking (`Actor`), what each role may do anywhere
(capabilities, `policy.actor`), and per resource who may see or change what (`policy.catalog`
for catalogue records, `policy.events` for events). Routes, pages, services and the CLI ask
these modules; none re-states a rule."""

from matchmaker.policy.actor import (
    ADMIN,
    CAPABILITIES,
    ENTERPRISE,
    ORGANISER,
    PUBLIC,
    READER,
    Actor,
    key_principal,
)

__all__ = [
    "ADMIN",
    "CAPABILITIES",
    "ENTERPRISE",
    "ORGANISER",
    "PUBLIC",
    "READER",
    "Actor",
    "key_principal",
]
