"""An event's organiser team: its creator and the co-organisers they add. Members are principals
("key:12"); only keys of organisers and admins may join, and the last member cannot leave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.events.models import EventOrganiser
from matchmaker.events.service.errors import Conflict, Invalid, NotFound
from matchmaker.events.service.events import get_event
from matchmaker.policy.actor import CAPABILITIES, EVENTS_CREATE, key_id_of, key_principal
from matchmaker.store.auth import ApiKey


def team(session: Session, event_id: int) -> list[EventOrganiser]:
    """The event's organiser team, first member first."""
    get_event(session, event_id)
    return list(
        session.scalars(
            select(EventOrganiser)
            .where(EventOrganiser.event_id == event_id)
            .order_by(EventOrganiser.id)
        )
    )


def member_view(session: Session, row: EventOrganiser) -> dict[str, Any]:
    """A team member as people read it: the key's name and role (never the key itself)."""
    key_id = key_id_of(row.principal)
    key = session.get(ApiKey, key_id) if key_id is not None else None
    return {
        "principal": row.principal,
        "key_id": key_id,
        "name": key.name if key is not None else None,
        "role": key.role if key is not None else None,
        "added_by": row.added_by,
        "created_at": row.created_at,
    }


def add_organiser(
    session: Session, event_id: int, key_id: int, added_by: str | None = None
) -> EventOrganiser:
    """Add an organiser's or admin's key to the event's team (409 when already a member)."""
    get_event(session, event_id)
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        raise Invalid(f"密钥 {key_id} 不存在或已吊销 / no such active key", "key_id")
    if EVENTS_CREATE not in CAPABILITIES.get(key.role, frozenset()):
        raise Invalid(
            f"只有组织者或管理员的密钥可加入组织团队，该密钥角色为 {key.role} / only organiser "
            "and admin keys may join an organiser team",
            "key_id",
        )
    principal = key_principal(key_id)
    if any(m.principal == principal for m in team(session, event_id)):
        raise Conflict("该密钥已在组织团队中 / this key is already on the team")
    row = EventOrganiser(event_id=event_id, principal=principal, added_by=added_by)
    session.add(row)
    session.flush()
    return row


def remove_organiser(session: Session, event_id: int, key_id: int) -> None:
    """Take a key off the event's team; the last member stays (409)."""
    members = team(session, event_id)
    principal = key_principal(key_id)
    found = next((m for m in members if m.principal == principal), None)
    if found is None:
        raise NotFound(f"密钥 {key_id} 不在组织团队中 / key {key_id} is not on the team")
    if len(members) == 1:
        raise Conflict("组织团队不能为空 / the organiser team cannot be left empty")
    session.delete(found)
    session.flush()
