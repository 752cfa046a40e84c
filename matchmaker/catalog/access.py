"""Catalogue access rules, kept importable here for the catalogue's modules: the rules themselves
live in the one authorisation policy, `matchmaker.policy` (actor, catalog)."""

from __future__ import annotations

from matchmaker.policy.actor import (
    CONTACT_ROLES,
    ORGANISER_ROLES,
    PUBLIC,
    WRITER_ROLES,
    Actor,
)
from matchmaker.policy.catalog import (
    ITEM_TYPES,
    check_may_write,
    check_role,
    exists,
    may_see,
    owner_id,
    speaks_for,
    visible_condition,
)

__all__ = [
    "CONTACT_ROLES",
    "ITEM_TYPES",
    "ORGANISER_ROLES",
    "PUBLIC",
    "WRITER_ROLES",
    "Actor",
    "check_may_write",
    "check_role",
    "exists",
    "may_see",
    "owner_id",
    "speaks_for",
    "visible_condition",
]
