"""Self-service publishing: members of an organisation draft its needs, achievements and scenarios
on the web, submit them for review, and park staff of the item's park publish them or send them
back with a comment. Only published items (status "active") are searchable and recommended.

Form values go through the importer's own field rules (`catalog.fields`: the same parsers, limits,
required fields and Chinese messages), then through the item service (`catalog.items`) for the
ownership and reference rules, so the web, the API and the importer accept the same values.

    item = save_draft(session, actor, "need", {"title": "…", "description": "…"}, index=index)
    submit(session, actor, "need", item.id)            # draft → pending (待审核)
    publish(session, staff, "need", item.id, index=index)   # pending → active, searchable
    send_back(session, staff, "need", item.id, "请补充预算")  # pending → draft, with the comment

Statuses: draft (草稿, owner only) → pending (待审核, owner and reviewers) → active (有效, public).
An edit of a published item sends it back to review (it leaves search until published again).
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import ItemReview
from matchmaker.catalog.fields import (
    RANGES,
    SPECS,
    FieldSpec,
    check_limit,
    header_map,
    normalise_header,
)
from matchmaker.catalog.importer.apply import ImportFailed, ImportReport, apply_validation
from matchmaker.catalog.importer.readers import read_rows
from matchmaker.catalog.importer.validate import Problem, validate_rows
from matchmaker.catalog.indexing import ItemIndex, after_item_write
from matchmaker.catalog.items import create_record, update_record
from matchmaker.catalog.kinds import OWNER_COLUMN, plural
from matchmaker.catalog.listing import find_record
from matchmaker.catalog.parsers import is_blank
from matchmaker.catalog.schemas import CREATE_SCHEMAS, UPDATE_SCHEMAS
from matchmaker.core.config import get_settings
from matchmaker.core.errors import FieldProblem, Forbidden, Invalid, NotFound
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.policy.actor import ITEMS_REVIEW, ITEMS_SUBMIT, Actor, reviews_park
from matchmaker.policy.catalog import owner_id
from matchmaker.store.models import ITEM_MODELS, Organisation, Park

# Fields a member fills in, per kind (owner, park, id and status are set by the service).
NOT_ON_FORMS = frozenset(
    {"external_id", "owner", "enterprise", "park", "status", "price", "budget"}
)
PREFIX = {"achievement": "A", "need": "N", "scenario": "S"}


def form_fields(kind: str) -> list[FieldSpec]:
    """The catalogue fields of a kind that its web form shows, in the importer's order."""
    return [s for s in SPECS[plural(kind)].values() if s.name not in NOT_ON_FORMS]


def validate_form(kind: str, values: dict[str, str]) -> dict[str, Any]:
    """Parse a form by the importer's rules; Invalid names every field at fault (label and reason)."""
    clean: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for spec in form_fields(kind):
        raw = values.get(spec.name)
        if is_blank(raw):
            if spec.required:
                problems.append(
                    FieldProblem(
                        spec.name, f"{spec.label_zh}：必填字段为空 / required field is empty"
                    )
                )
            continue
        try:
            clean[spec.name] = check_limit(spec, spec.parse(raw))
        except ValueError as exc:
            problems.append(FieldProblem(spec.name, f"{spec.label_zh}：{exc}"))
    for low, high, label in RANGES:
        lo, hi = clean.get(low), clean.get(high)
        if lo is not None and hi is not None and lo > hi:
            problems.append(
                FieldProblem(low, f"{label}下限 {lo:g} 大于上限 {hi:g} / {low} exceeds {high}")
            )
    if problems:
        raise Invalid(problems[0].message, problems)
    return clean


def _member(actor: Actor) -> int:
    """The organisation a member publishes for; Forbidden for anyone else."""
    if not actor.can(ITEMS_SUBMIT) or actor.organisation_id is None:
        raise Forbidden("只有机构成员可以发布条目 / only organisation members publish items")
    return actor.organisation_id


def own_item(session: Session, actor: Actor, kind: str, item_id: int) -> Any:
    """An item of the member's organisation (NotFound for others', as for drafts in the API)."""
    org = _member(actor)
    if kind not in ITEM_KINDS:
        raise NotFound(f"未知类型 {kind} / unknown kind")
    item = find_record(session, kind, item_id)
    if owner_id(item) != org:
        raise NotFound(f"条目 {item_id} 不存在 / no such item")
    return item


def save_draft(
    session: Session,
    actor: Actor,
    kind: str,
    values: dict[str, str],
    item_id: int | None = None,
    *,
    index: ItemIndex | None = None,
) -> Any:
    """Create a draft for the member's organisation, or change one of its items (blank optional
    fields are cleared; a published item goes back to review, or stays published when its park
    edits live: `MATCHMAKER_LIVE_EDIT_PARKS`)."""
    org_id = _member(actor)
    clean = validate_form(kind, values)
    if item_id is None:
        org = session.get(Organisation, org_id)
        park = org.park_id if org is not None else None
        extra: dict[str, Any] = {
            "external_id": f"{PREFIX[kind]}-WEB-{uuid.uuid4().hex[:12].upper()}",
            "status": "draft",
            OWNER_COLUMN[kind]: org_id,
        }
        if kind == "scenario":
            extra["park_id"] = park
        return create_record(session, actor, CREATE_SCHEMAS[kind](**clean, **extra), index=index)
    item = own_item(session, actor, kind, item_id)
    changes: dict[str, Any] = {
        s.name: clean.get(s.name) for s in form_fields(kind) if not s.required or s.name in clean
    }
    defaults = CREATE_SCHEMAS[kind].model_fields
    for name, value in list(changes.items()):  # a cleared field takes its new-item default
        default = defaults[name].default if name in defaults else None
        if value is None and default is not None and default is not PydanticUndefined:
            changes[name] = copy.copy(default)
    live = item.status == "active" and edits_live(session, item)
    if item.status == "active" and not live:
        changes["status"] = "pending"
    data = UPDATE_SCHEMAS[kind].model_construct(**changes)  # validated above, field by field
    data.__pydantic_fields_set__ = set(changes)
    updated = update_record(session, actor, kind, item.id, data, index=index)
    if live:
        _record(session, kind, item.id, "edited", actor, "园区设置：修改即时生效 / edited live")
    elif item.status == "pending" and changes.get("status") == "pending":
        _record(
            session, kind, item.id, "submitted", actor, "修改已发布条目 / edited while published"
        )
    return updated


def edits_live(session: Session, item: Any) -> bool:
    """Whether edits of this published item go live at once (its park is set so)."""
    park_id = item_park(session, item)
    park = session.get(Park, park_id) if park_id is not None else None
    return park is not None and park.external_id in get_settings().live_edit_park_ids


def _record(
    session: Session, kind: str, item_id: int, action: str, actor: Actor, comment: str = ""
) -> None:
    session.add(
        ItemReview(
            item_kind=kind,
            item_id=item_id,
            action=action,
            comment=comment,
            actor=actor.principal or actor.role,
        )
    )
    session.commit()


def submit(session: Session, actor: Actor, kind: str, item_id: int) -> Any:
    """Send a draft to the reviewers (draft → pending)."""
    item = own_item(session, actor, kind, item_id)
    if item.status != "draft":
        raise Invalid.field("status", "只有草稿可以提交审核 / only drafts are submitted", "status")
    item.status = "pending"
    _record(session, kind, item.id, "submitted", actor)
    return item


def item_park(session: Session, item: Any) -> int | None:
    """The park whose staff review an item: its own park, else its owner's."""
    park = getattr(item, "park_id", None)
    if park is not None:
        return int(park)
    owner = owner_id(item)
    org = session.get(Organisation, owner) if owner is not None else None
    return org.park_id if org is not None else None


def _reviewable(session: Session, actor: Actor, kind: str, item_id: int) -> Any:
    if not actor.can(ITEMS_REVIEW):
        raise Forbidden("只有园区工作人员可以审核 / only park staff review items")
    if kind not in ITEM_KINDS:
        raise NotFound(f"未知类型 {kind} / unknown kind")
    item = find_record(session, kind, item_id)
    if item.status != "pending":
        raise Invalid.field("status", "该条目不在待审核状态 / the item is not waiting for review")
    if not reviews_park(actor, item_park(session, item)):
        raise Forbidden("该条目不属于您的园区 / the item is not in your park")
    return item


def publish(
    session: Session, actor: Actor, kind: str, item_id: int, *, index: ItemIndex | None = None
) -> Any:
    """Publish a submitted item: it becomes searchable and recommendable at once."""
    item = _reviewable(session, actor, kind, item_id)
    item.status = "active"
    _record(session, kind, item.id, "published", actor)
    after_item_write(index, session, kind, [item.id])
    return item


def send_back(session: Session, actor: Actor, kind: str, item_id: int, comment: str) -> Any:
    """Return a submitted item to its organisation as a draft, saying what to change."""
    if not comment.strip():
        raise Invalid.field("comment", "退回时请填写说明 / say why when sending back", "required")
    item = _reviewable(session, actor, kind, item_id)
    item.status = "draft"
    _record(session, kind, item.id, "returned", actor, comment.strip())
    return item


def pending_items(session: Session, actor: Actor) -> list[tuple[str, Any]]:
    """Submitted items waiting for this reviewer (park staff: their park; admins: all)."""
    if not actor.can(ITEMS_REVIEW):
        return []
    found: list[tuple[str, Any]] = []
    for kind in ITEM_KINDS:
        model = ITEM_MODELS[kind]
        for item in session.scalars(
            select(model).where(model.status == "pending").order_by(model.id)
        ):
            if reviews_park(actor, item_park(session, item)):
                found.append((kind, item))
    return found


def organisation_items(session: Session, actor: Actor) -> list[tuple[str, Any]]:
    """Every item of the member's organisation, newest first per kind, whatever its status."""
    org = _member(actor)
    found: list[tuple[str, Any]] = []
    for kind in ITEM_KINDS:
        model = ITEM_MODELS[kind]
        owner = getattr(model, OWNER_COLUMN[kind])
        found.extend(
            (kind, i)
            for i in session.scalars(select(model).where(owner == org).order_by(model.id.desc()))
        )
    return found


def history(session: Session, kind: str, item_id: int) -> list[ItemReview]:
    """The review steps of an item, oldest first."""
    query = select(ItemReview).where(ItemReview.item_kind == kind, ItemReview.item_id == item_id)
    return list(session.scalars(query.order_by(ItemReview.id)))


# ---- bulk upload of the organisation's own spreadsheet ----------------------------------------
SET_BY_SERVICE = frozenset({"owner", "enterprise", "park", "status"})


def import_drafts(
    session: Session,
    actor: Actor,
    kind: str,
    filename: str,
    data: bytes,
    *,
    index: ItemIndex | None = None,
) -> ImportReport:
    """Import a member's own CSV / XLSX / JSON Lines file of one kind as new drafts of their
    organisation, by the importer's rules: all or nothing (ImportFailed carries every problem as
    row, field and reason; ReadError an unreadable file). Owner, park and status columns are the
    service's to set; an id (编号) already in the catalogue is refused (edit existing items on
    the web)."""
    org = session.get(Organisation, _member(actor))
    if org is None or kind not in ITEM_KINDS:
        raise NotFound("未知类型或机构 / unknown kind or organisation")
    rows = read_rows(Path(Path(filename).name), data)
    headers = header_map(plural(kind))
    owner_field = "enterprise" if kind == "need" else "owner"
    for row in rows:
        row.cells = {
            h: v
            for h, v in row.cells.items()
            if getattr(headers.get(normalise_header(str(h))), "name", None) not in SET_BY_SERVICE
        }
        row.cells[owner_field] = org.external_id
        row.cells["status"] = "draft"
    validation = validate_rows(plural(kind), rows)
    model = ITEM_MODELS[kind]
    ids = [r.values["external_id"] for r in validation.records if r.values.get("external_id")]
    taken = set(session.scalars(select(model.external_id).where(model.external_id.in_(ids))))
    for record in validation.records:
        if record.values.get("external_id") in taken:
            validation.problems.append(
                Problem(
                    record.row,
                    "编号",
                    "该编号已有条目，批量上传只新建草稿，请在网页上编辑已有条目 / this id exists: "
                    "uploads only create drafts, edit existing items on the web",
                )
            )
    try:
        report = apply_validation(session, plural(kind), validation)
        session.commit()
    except ImportFailed:
        session.rollback()
        raise
    after_item_write(index, session, kind, report.changed_ids)
    return report
