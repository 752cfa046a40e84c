"""`matchmaker import finance FILE`: financial products with the importers' rules — every problem
by row and field, all or nothing (unless --skip-invalid), re-import updates by 编号."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.catalog import parsers as p
from matchmaker.catalog.fields import normalise_header
from matchmaker.catalog.importer.apply import ImportFailed, ImportReport
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.importer.validate import Problem
from matchmaker.finance.models import PRODUCT_TYPES, FinanceProduct

KIND = "finance-products"
ALIASES = ("finance", "finance-products", "金融产品", "科技金融", "科技金融产品")
TYPE_ALIASES: dict[str, str] = {
    **{code: code for code in PRODUCT_TYPES},
    **{zh: code for code, zh in PRODUCT_TYPES.items()},
    "科技贷": "tech_loan",
    "科技贷款": "tech_loan",
    "贷款": "tech_loan",
    "知识产权质押": "ip_pledge",
    "专利质押": "ip_pledge",
    "质押融资": "ip_pledge",
    "创投": "venture",
    "风险投资": "venture",
    "股权投资": "venture",
    "引导基金": "guidance_fund",
    "政府引导基金": "guidance_fund",
}


def _parse_type(value: Any) -> str:
    text = p.parse_text(value)
    code = TYPE_ALIASES.get(text) or TYPE_ALIASES.get(text.lower())
    if code is None:
        allowed = "、".join(PRODUCT_TYPES.values())
        raise ValueError(f"未知的产品类型“{text}”，可选：{allowed} / unknown product type")
    return code


def _parse_trl_range(value: Any) -> tuple[int | None, int | None]:
    parts = p.RANGE_SEPARATORS.split(p.parse_text(value).upper().replace("TRL", ""))
    numbers = [p.parse_trl(x) for x in parts if x.strip()]
    if not numbers or len(numbers) > 2:
        raise ValueError("适用阶段应为 TRL 范围，如 4-7 / stage must be a TRL range such as 4-7")
    low, high = numbers[0], numbers[-1]
    if low > high:
        raise ValueError("适用阶段下限大于上限 / stage minimum above maximum")
    return low, high


@dataclass(frozen=True)
class Column:
    """One importable column: canonical name, Chinese label, header aliases, parser, required."""

    name: str
    label: str
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id", "产品编号", ("产品编号", "编号", "id", "external id"), p.parse_text, True
    ),
    Column("name", "产品名称", ("产品名称", "名称", "name"), p.parse_text, True),
    Column("product_type", "产品类型", ("产品类型", "类型", "type"), _parse_type, True),
    Column(
        "provider", "提供机构", ("提供机构", "金融机构", "机构", "provider"), p.parse_text, True
    ),
    Column("industries", "适用行业", ("适用行业", "行业", "industries"), p.parse_industries),
    Column("stage", "适用阶段", ("适用阶段", "成熟度范围", "TRL", "stage"), _parse_trl_range),
    Column("amount", "额度(万元)", ("额度(万元)", "额度", "额度（万元）", "amount"), p.parse_range),
    Column("description", "产品简介", ("产品简介", "简介", "description"), p.parse_block),
    Column("contact", "联系方式", ("联系方式", "联系人", "contact"), p.parse_text),
    Column("status", "状态", ("状态", "status"), p.parse_status),
)
_BY_HEADER = {normalise_header(a): c for c in COLUMNS for a in (c.label, *c.aliases)}


def _row_values(raw: RawRow) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for header, cell in raw.cells.items():
        column = _BY_HEADER.get(normalise_header(str(header)))
        if column is None or p.is_blank(cell):
            continue
        try:
            values[column.name] = column.parse(cell)
        except ValueError as exc:
            problems.append(Problem(raw.number, column.label, str(exc)))
    for column in COLUMNS:
        missing = column.required and column.name not in values
        if missing and not any(x.field == column.label for x in problems):
            problems.append(
                Problem(raw.number, column.label, "必填字段为空 / required field is empty")
            )
    if "stage" in values:
        values["trl_min"], values["trl_max"] = values.pop("stage")
    if "amount" in values:
        values["amount_min"], values["amount_max"] = values.pop("amount")
    return values, problems


def import_products(
    session: Session, rows: list[RawRow], *, skip_invalid: bool = False
) -> ImportReport:
    """Validate every row, then upsert the products by 编号 (nothing written on any problem)."""
    report = ImportReport(kind=KIND)
    good: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for raw in rows:
        values, problems = _row_values(raw)
        ext = values.get("external_id")
        if ext in seen:
            problems.append(
                Problem(raw.number, "产品编号", f"与第 {seen[ext]} 行编号重复 / duplicate id")
            )
        elif ext:
            seen[ext] = raw.number
        report.problems.extend(problems)
        if problems:
            report.skipped_rows.append(raw.number)
        else:
            good.append((raw.number, values))
    if report.problems and not skip_invalid:
        report.skipped_rows = []
        raise ImportFailed(report)
    ids = [v["external_id"] for _, v in good]
    existing = {
        x.external_id: x
        for x in session.scalars(select(FinanceProduct).where(FinanceProduct.external_id.in_(ids)))
    }
    for _, values in good:
        found = existing.get(values["external_id"])
        if found is None:
            session.add(FinanceProduct(**values))
            report.created += 1
            continue
        changed = False
        for key, value in values.items():
            if getattr(found, key) != value:
                setattr(found, key, value)
                changed = True
        report.updated += changed
        report.unchanged += not changed
    session.flush()
    return report
