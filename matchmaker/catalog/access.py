"""Who may see and change catalogue records: the caller as a plain value (`Actor`) and the rules on
drafts, contacts and ownership that the API, the pages and the forms all apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from matchmaker.catalog.kinds import OWNER_COLUMN, RECORD_MODELS
from matchmaker.core.errors import Forbidden
from matchmaker.store.models import ITEM_MODELS

ITEM_TYPES = tuple(ITEM_MODELS.values())

ORGANISER_ROLES = frozenset({"admin", "organiser"})
WRITER_ROLES = frozenset({"admin", "organiser", "enterprise"})
CONTACT_ROLES = frozenset({"admin", "organiser", "enterprise"})
PUBLIC = "public"  # a visitor without a key or a session


@dataclass(frozen=True)
class Actor:
    """Who asks: a role (admin, organiser, enterprise, reader, or public) and, for enterprise
    keys, the organisation they act for."""

    role: str = PUBLIC
    organisation_id: int | None = None

    @property
    def organises(self) -> bool:
        """Admins and organisers: they see drafts and manage every record."""
        return self.role in ORGANISER_ROLES

    @property
    def writes(self) -> bool:
        """Roles that may change something (an enterprise only its own items)."""
        return self.role in WRITER_ROLES

    @property
    def sees_contacts(self) -> bool:
        """Whether contact details may be shown to this caller."""
        return self.role in CONTACT_ROLES

    def acts_for(self, organisation_id: int | None) -> bool:
        """Whether the caller speaks for this organisation (its own enterprise key)."""
        return self.organisation_id is not None and self.organisation_id == organisation_id


def owner_id(item: Any) -> int | None:
    """The organisation an item belongs to (None for parks, organisations and ownerless scenarios)."""
    if not isinstance(item, ITEM_TYPES):
        return None
    value: int | None = getattr(item, OWNER_COLUMN[item.kind])
    return value


def may_see(actor: Actor, item: Any) -> bool:
    """Drafts are seen by admins, organisers and the owning organisation only."""
    if not isinstance(item, ITEM_TYPES) or item.status != "draft":
        return True
    return actor.organises or actor.acts_for(owner_id(item))


def visible_condition(kind: str, actor: Actor) -> Any:
    """The SQL condition `may_see` amounts to in a listing of one kind (None: all are visible)."""
    if actor.organises or kind not in OWNER_COLUMN:
        return None
    model = ITEM_MODELS[kind]
    if actor.organisation_id is not None:
        owner = getattr(model, OWNER_COLUMN[kind])
        return or_(model.status != "draft", owner == actor.organisation_id)
    return model.status != "draft"


def check_role(actor: Actor, kind: str) -> None:
    """Admins and organisers change every kind of record; an enterprise key only needs."""
    if actor.organises or (kind == "need" and actor.role == "enterprise"):
        return
    raise Forbidden(f"角色 {actor.role} 无权执行此操作 / role {actor.role} may not do this")


def check_may_write(actor: Actor, kind: str, owner: int | None) -> None:
    """The role may change this kind, and an enterprise only records of its own organisation."""
    check_role(actor, kind)
    if not actor.organises and not actor.acts_for(owner):
        raise Forbidden(
            "企业密钥只能管理本机构的需求 / an enterprise key manages only its own "
            "organisation's needs"
        )


def speaks_for(session: Session, actor: Actor | None, kind: str, record_id: int) -> bool:
    """Whether the caller may act for a record (e.g. reject a recommendation shown for it):
    organisers for any record, an enterprise for items its organisation owns."""
    if actor is None or not actor.writes:
        return False
    if actor.organises:
        return True
    if kind not in OWNER_COLUMN or actor.organisation_id is None:
        return False
    item = session.get(RECORD_MODELS[kind], record_id)
    return item is not None and actor.acts_for(owner_id(item))


def exists(session: Session, kind: str, record_id: int) -> bool:
    """Whether a park, organisation or item with this id exists."""
    model = RECORD_MODELS.get(kind)
    return model is not None and session.get(model, record_id) is not None
