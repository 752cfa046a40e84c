"""Who may see and change catalogue records: drafts and items waiting for review are seen by
organisers and the owning organisation only; organisers manage every record, an enterprise key
only its organisation's needs, an organisation's members (people) its needs, achievements and
scenarios, but never publish them themselves (park staff do, `catalog.publishing`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from matchmaker.catalog.kinds import OWNER_COLUMN, RECORD_MODELS
from matchmaker.core.errors import Forbidden
from matchmaker.policy.actor import ENTERPRISE, ITEMS_SUBMIT, Actor, refusal
from matchmaker.store.models import ITEM_MODELS

ITEM_TYPES = tuple(ITEM_MODELS.values())
UNPUBLISHED = ("draft", "pending")  # seen by the owner (and organisers) only


def owner_id(item: Any) -> int | None:
    """The organisation an item belongs to (None for parks, organisations and ownerless scenarios)."""
    if not isinstance(item, ITEM_TYPES):
        return None
    value: int | None = getattr(item, OWNER_COLUMN[item.kind])
    return value


def may_see(actor: Actor, item: Any) -> bool:
    """Drafts and items waiting for review are seen by admins, organisers and the owning
    organisation only."""
    if not isinstance(item, ITEM_TYPES) or item.status not in UNPUBLISHED:
        return True
    return actor.organises or actor.acts_for(owner_id(item))


def visible_condition(kind: str, actor: Actor) -> Any:
    """The SQL condition `may_see` amounts to in a listing of one kind (None: all are visible)."""
    if actor.organises or kind not in OWNER_COLUMN:
        return None
    model = ITEM_MODELS[kind]
    if actor.organisation_id is not None:
        owner = getattr(model, OWNER_COLUMN[kind])
        return or_(model.status.not_in(UNPUBLISHED), owner == actor.organisation_id)
    return model.status.not_in(UNPUBLISHED)


def check_role(actor: Actor, kind: str) -> None:
    """Admins and organisers change every kind of record; an enterprise key only needs; members
    of an organisation its items."""
    if actor.organises or (kind == "need" and actor.role == ENTERPRISE):
        return
    if kind in ITEM_MODELS and actor.can(ITEMS_SUBMIT):
        return
    raise Forbidden(refusal(actor))


def check_status(actor: Actor, status: str | None) -> None:
    """Members draft and submit; only reviewers publish (set "active")."""
    if status == "active" and actor.can(ITEMS_SUBMIT) and not actor.organises:
        raise Forbidden("条目须经园区审核后发布 / items are published after the park's review")


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
