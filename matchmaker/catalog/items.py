"""The item service: create, change and delete parks, organisations, achievements, needs and
scenarios for a caller, with the ownership, reference and range rules, committing and keeping the
search index in step. The API, the pages, the forms and the CLI call these; none re-states a rule.

    need = create_record(session, actor, NeedCreate(...), index=index)
    update_record(session, actor, "need", need.id, NeedUpdate(status="closed"), index=index)

Reading lives in `catalog.listing` (get_record, list_records), re-exported here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.catalog.access import Actor, check_may_write, check_role, owner_id
from matchmaker.catalog.fields import range_problems
from matchmaker.catalog.indexing import ItemIndex, after_item_write
from matchmaker.catalog.kinds import LABEL_ZH
from matchmaker.catalog.listing import (
    Filters,
    Listing,
    find_record,
    get_record,
    list_records,
    model_of,
)
from matchmaker.catalog.schemas import CatalogInput
from matchmaker.core.errors import Conflict, FieldProblem, Invalid
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.policy.catalog import check_status
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

__all__ = [
    "Filters",
    "Listing",
    "create_record",
    "delete_record",
    "get_record",
    "list_records",
    "update_record",
]

# Fields that name another record, checked in this order: (field, table it points to).
REFERENCES: dict[str, tuple[tuple[str, type[Any]], ...]] = {
    "organisation": (("park_id", Park),),
    "achievement": (("owner_id", Organisation),),
    "need": (("enterprise_id", Organisation), ("park_id", Park)),
    "scenario": (("park_id", Park), ("owner_id", Organisation)),
}


def create_record(
    session: Session, actor: Actor, data: CatalogInput, *, index: ItemIndex | None = None
) -> Any:
    """Store a new record from a validated Create schema, commit, and make an item searchable at once."""
    kind = data.record_kind
    values = data.model_dump()
    check_role(actor, kind)
    check_status(actor, values.get("status"))
    if kind == "need":
        _need_owner(session, actor, values)
    _check_references(session, kind, values)
    if kind == "need" and values["park_id"] is None:  # a need belongs to its enterprise's park
        values["park_id"] = session.get(Organisation, values["enterprise_id"]).park_id  # type: ignore[union-attr]
    _check_ranges(values)
    record = model_of(kind)(**values)
    return _save(session, kind, record, index)


def update_record(
    session: Session,
    actor: Actor,
    kind: str,
    record_id: int,
    data: CatalogInput,
    *,
    index: ItemIndex | None = None,
) -> Any:
    """Apply the fields a validated Update schema sets; the merged price or budget range must hold."""
    record = find_record(session, kind, record_id)
    check_may_write(actor, kind, owner_id(record))
    values = data.model_dump(exclude_unset=True)
    check_status(actor, values.get("status"))
    _check_not_null(type(record), values)
    _check_references(session, kind, values)
    _check_ranges({**{k: getattr(record, k, None) for k in _RANGE_FIELDS}, **values})
    for key, value in values.items():
        setattr(record, key, value)
    return _save(session, kind, record, index)


def delete_record(
    session: Session, actor: Actor, kind: str, record_id: int, *, index: ItemIndex | None = None
) -> None:
    """Delete a record; an organisation still owning items is refused, a park's items stay parkless."""
    record = find_record(session, kind, record_id)
    check_may_write(actor, kind, owner_id(record))
    if kind == "organisation":
        _check_owns_nothing(session, record_id)
    session.delete(record)
    _commit(session, kind)
    if kind in ITEM_KINDS:
        after_item_write(index, session, kind, [record_id], deleted=True)


# ---- rules -----------------------------------------------------------------------------------
_RANGE_FIELDS = ("price_min", "price_max", "budget_min", "budget_max")


def _need_owner(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    """A need without an enterprise belongs to the caller's organisation; an enterprise key may
    publish only for its own."""
    if values["enterprise_id"] is None:
        if actor.organisation_id is None:
            raise Invalid.field(
                "enterprise_id", "需要 enterprise_id / enterprise_id is required", "required"
            )
        values["enterprise_id"] = actor.organisation_id
    check_may_write(actor, "need", values["enterprise_id"])


def _check_references(session: Session, kind: str, values: dict[str, Any]) -> None:
    """Every id naming another record must exist."""
    for name, model in REFERENCES.get(kind, ()):
        ref = values.get(name)
        if ref is not None and session.get(model, ref) is None:
            raise Invalid.field(
                name,
                f"{name} 指向不存在的记录 {ref} / {name} refers to a missing record",
                "不存在 / does not exist",
            )


def _check_ranges(values: dict[str, Any]) -> None:
    """A price or budget range must not be upside down."""
    problems = range_problems(values)
    if problems:
        raise Invalid(problems[0][2], [FieldProblem(low, msg) for low, _, msg in problems])


def _check_not_null(model: type[Any], values: dict[str, Any]) -> None:
    """An update may clear optional fields only: null for a required one is refused by name."""
    columns = model.__table__.columns
    wrong = [k for k, v in values.items() if v is None and k in columns and not columns[k].nullable]
    if wrong:
        names = "、".join(wrong)
        raise Invalid(
            f"{names} 不能为空 / {', '.join(wrong)} cannot be null",
            [FieldProblem(k, "不能为空 / cannot be null") for k in wrong],
        )


def _check_owns_nothing(session: Session, org_id: int) -> None:
    """An organisation owning achievements, needs or scenarios cannot be deleted."""
    owned = sum(
        session.scalar(select(func.count()).select_from(model).where(column == org_id)) or 0
        for model, column in (
            (Achievement, Achievement.owner_id),
            (Need, Need.enterprise_id),
            (Scenario, Scenario.owner_id),
        )
    )
    if owned:
        raise Conflict(
            f"该机构仍有 {owned} 条成果、需求或场景，请先删除或转移 / organisation still owns "
            f"{owned} item(s)"
        )


def _save(session: Session, kind: str, record: Any, index: ItemIndex | None) -> Any:
    """Insert or update, commit, then tell the index (items only)."""
    if kind in ITEM_KINDS:
        record.refresh_hash()
    session.add(record)
    _commit(session, kind)
    if kind in ITEM_KINDS:
        after_item_write(index, session, kind, [record.id])
    return record


def _commit(session: Session, kind: str) -> None:
    """Commit, turning a unique-key clash into Conflict (and leaving the session usable)."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"{LABEL_ZH[kind]}与已有记录冲突（编号或名称重复）/ conflicts with an existing record"
        ) from exc
