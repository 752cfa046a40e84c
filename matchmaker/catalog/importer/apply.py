"""Write validated records: resolve references, upsert by external id, all in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.validate import UNMAPPED, Problem, Record, Validation
from matchmaker.catalog.kinds import PLURAL_KINDS, RECORD_MODELS
from matchmaker.store.models import Organisation, Park

# reference field → (model it points to, column it fills, label for messages)
REFERENCES: dict[str, dict[str, tuple[type[Any], str, str]]] = {
    "organisations": {"park": (Park, "park_id", "所在园区")},
    "achievements": {"owner": (Organisation, "owner_id", "成果单位")},
    "needs": {
        "enterprise": (Organisation, "enterprise_id", "需求企业"),
        "park": (Park, "park_id", "所在园区"),
    },
    "scenarios": {
        "park": (Park, "park_id", "所在园区"),
        "owner": (Organisation, "owner_id", "发布单位"),
    },
}


@dataclass
class ImportReport:
    """What an import did (or, on failure, would have refused to do)."""

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    flagged: list[tuple[int, str]] = field(default_factory=list)  # (row, label) kept to map

    @property
    def total(self) -> int:
        """Rows written or confirmed."""
        return self.created + self.updated + self.unchanged


class ImportFailed(Exception):
    """The file has invalid rows and nothing was imported."""

    def __init__(self, report: ImportReport):
        super().__init__(f"{len(report.problems)} problem(s)")
        self.report = report


def _lookup(session: Session, model: type[Any], refs: set[str]) -> dict[str, int]:
    """Map each reference (external id or exact name) to a database id."""
    if not refs:
        return {}
    rows = session.execute(
        select(model.id, model.external_id, model.name).where(
            or_(model.external_id.in_(refs), model.name.in_(refs))
        )
    ).all()
    out: dict[str, int] = {}
    for row_id, ext, name in rows:
        out.setdefault(ext, row_id)
        out.setdefault(name, row_id)
    return out


def resolve_references(session: Session, kind: str, records: list[Record]) -> list[Problem]:
    """Replace reference fields by foreign keys; report the rows whose references do not exist."""
    problems: list[Problem] = []
    for ref_field, (model, column, label) in REFERENCES.get(kind, {}).items():
        wanted = {r.values[ref_field] for r in records if r.values.get(ref_field)}
        found = _lookup(session, model, wanted)
        for record in records:
            ref = record.values.pop(ref_field, None)
            if ref is None:
                continue
            if ref not in found:
                what = "园区" if model is Park else "机构"
                problems.append(
                    Problem(
                        record.row,
                        label,
                        f"找不到{what}“{ref}”（按编号或名称）/ unknown {model.__tablename__[:-1]}: {ref}",
                    )
                )
            else:
                record.values[column] = found[ref]
    return problems


def _default_need_park(session: Session, records: list[Record]) -> None:
    """A need without a park belongs to its enterprise's park."""
    missing = [r for r in records if "park_id" not in r.values and "enterprise_id" in r.values]
    if not missing:
        return
    ids = {r.values["enterprise_id"] for r in missing}
    parks = dict(
        session.execute(
            select(Organisation.id, Organisation.park_id).where(Organisation.id.in_(ids))
        ).all()
    )
    for record in missing:
        if parks.get(record.values["enterprise_id"]):
            record.values["park_id"] = parks[record.values["enterprise_id"]]


def apply_validation(
    session: Session, kind: str, validation: Validation, *, skip_invalid: bool = False
) -> ImportReport:
    """Upsert validated records by external id; refuse everything if any row is bad (unless skip_invalid)."""
    report = ImportReport(kind=kind, unknown_columns=validation.unknown_columns)
    report.problems = list(validation.problems)
    # references of rejected rows are checked too, so one run reports every problem
    report.problems.extend(
        resolve_references(session, kind, validation.records + validation.rejected)
    )
    if report.problems and not skip_invalid:
        raise ImportFailed(report)
    bad = {p.row for p in report.problems if not p.soft}  # unknown labels alone skip nothing
    report.skipped_rows = sorted(bad)
    records = [r for r in validation.records if r.row not in bad]
    unmapped = {r.row: r.values.pop(UNMAPPED, []) for r in validation.records}
    if kind == "needs":
        _default_need_park(session, records)
    model = RECORD_MODELS[PLURAL_KINDS[kind]]
    ids = [r.values["external_id"] for r in records]
    existing = (
        {
            obj.external_id: obj
            for obj in session.scalars(select(model).where(model.external_id.in_(ids))).all()
        }
        if ids
        else {}
    )
    changed: list[Any] = []
    to_flag: list[tuple[Any, int, list[str]]] = []
    for record in records:
        obj = existing.get(record.values["external_id"])
        if obj is None:
            obj = model(**record.values)
            session.add(obj)
            report.created += 1
            changed.append(obj)
        elif _update(obj, record.values):
            report.updated += 1
            changed.append(obj)
        else:
            report.unchanged += 1
        if hasattr(obj, "refresh_hash"):
            obj.refresh_hash()
        if unmapped.get(record.row):
            to_flag.append((obj, record.row, unmapped[record.row]))
    session.flush()
    report.changed_ids = [obj.id for obj in changed]
    for obj, row, labels in to_flag:
        flag_labels(session, PLURAL_KINDS[kind], obj.id, labels)
        report.flagged.extend((row, label) for label in labels)
    return report


def flag_labels(session: Session, record_kind: str, record_id: int, labels: list[str]) -> None:
    """Keep unknown industry labels of a record for staff to map (once per record and label)."""
    from matchmaker.core.taxonomy import suggest_industries
    from matchmaker.store.labels import LabelFlag

    known = set(
        session.scalars(
            select(LabelFlag.label).where(
                LabelFlag.record_kind == record_kind,
                LabelFlag.record_id == record_id,
                LabelFlag.resolved_at.is_(None),
            )
        )
    )
    for label in labels:
        if label not in known:
            session.add(
                LabelFlag(
                    record_kind=record_kind,
                    record_id=record_id,
                    label=label[:64],
                    suggestions=suggest_industries(label),
                )
            )
    session.flush()


def _update(obj: Any, values: dict[str, Any]) -> bool:
    """Set the given fields where they differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed
