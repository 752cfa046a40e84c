"""Turn raw rows into validated records, collecting every problem as (row, field, reason)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matchmaker.catalog.fields import (
    CODE_MAX,
    FIELDS,
    FieldSpec,
    check_limit,
    header_map,
    normalise_header,
    range_problems,
)
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.parsers import is_blank, split_industries
from matchmaker.core.taxonomy import unknown_industry_message

UNMAPPED = "_unmapped_industries"  # unknown industry labels of a row, kept for staff to map


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row: the row number, the field, and why, in Chinese and English."""

    row: int
    field: str
    reason: str
    soft: bool = False  # an unknown label: with --skip-invalid the row imports, the label flagged

    def __str__(self) -> str:
        return f"第 {self.row} 行 row {self.row}, 字段 field “{self.field}”: {self.reason}"


@dataclass
class Record:
    """A validated row: canonical field names → typed values."""

    row: int
    values: dict[str, Any]


@dataclass
class Validation:
    """Records that passed, problems found, and columns that were not recognised."""

    records: list[Record] = field(default_factory=list)
    rejected: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


def validate_rows(kind: str, rows: list[RawRow]) -> Validation:
    """Validate every row of a file for one kind; nothing is written here."""
    mapping = header_map(kind)
    result = Validation()
    unknown: set[str] = set()
    seen_ids: dict[str, int] = {}
    for raw in rows:
        values: dict[str, Any] = {}
        row_problems: list[Problem] = []
        for header, cell in raw.cells.items():
            spec = mapping.get(normalise_header(str(header)))
            if spec is None:
                unknown.add(str(header))
                continue
            if is_blank(cell):
                continue
            if spec.name == "industries":
                row_problems.extend(_industries(raw.number, spec, cell, values))
                continue
            try:
                values[spec.name] = check_limit(spec, spec.parse(cell))
            except ValueError as exc:
                row_problems.append(Problem(raw.number, spec.label_zh, str(exc)))
        row_problems.extend(_check_required(kind, raw.number, values))
        _fold_ranges(values)
        row_problems.extend(
            Problem(raw.number, label, message) for _, label, message in range_problems(values)
        )
        if (
            kind in ("parks", "organisations")
            and not values.get("external_id")
            and values.get("name")
        ):
            values["external_id"] = values["name"]
            if len(values["name"]) > CODE_MAX:
                row_problems.append(
                    Problem(
                        raw.number,
                        "编号",
                        f"名称超过 {CODE_MAX} 个字符，不能兼作编号，请填写编号 / the name is too "
                        f"long to serve as the id: give an id of at most {CODE_MAX} characters",
                    )
                )
        ext = values.get("external_id")
        if ext:
            if ext in seen_ids:
                row_problems.append(
                    Problem(
                        raw.number,
                        "编号",
                        f"与第 {seen_ids[ext]} 行编号重复 / duplicate id of row {seen_ids[ext]}",
                    )
                )
            else:
                seen_ids[ext] = raw.number
        result.problems.extend(row_problems)
        if any(not p.soft for p in row_problems):
            result.rejected.append(Record(raw.number, values))
        else:  # clean, or only unknown labels (imported with --skip-invalid, labels flagged)
            result.records.append(Record(raw.number, values))
    result.unknown_columns = sorted(unknown)
    return result


def _industries(row: int, spec: FieldSpec, cell: Any, values: dict[str, Any]) -> list[Problem]:
    """Parse an industries cell: known labels become codes; each unknown one is a soft problem
    ("did you mean …") and is kept under UNMAPPED."""
    try:
        codes, unknown = split_industries(cell)
        if codes:
            values[spec.name] = check_limit(spec, codes)
    except ValueError as exc:
        return [Problem(row, spec.label_zh, str(exc))]
    if unknown:
        values[UNMAPPED] = unknown
    return [Problem(row, spec.label_zh, unknown_industry_message(x), soft=True) for x in unknown]


def _check_required(kind: str, row: int, values: dict[str, Any]) -> list[Problem]:
    specs: tuple[FieldSpec, ...] = FIELDS[kind]
    return [
        Problem(row, spec.label_zh, "必填字段为空 / required field is empty")
        for spec in specs
        if spec.required and is_blank(values.get(spec.name))
    ]


def _fold_ranges(values: dict[str, Any]) -> None:
    """'price' / 'budget' range columns fill the min/max fields unless those were given explicitly."""
    for combined, low, high in (
        ("price", "price_min", "price_max"),
        ("budget", "budget_min", "budget_max"),
    ):
        if combined in values:
            lo, hi = values.pop(combined)
            values.setdefault(low, lo)
            values.setdefault(high, hi)
