"""`matchmaker import subscriptions FILE`: the importers' rules for subscribers — every problem by
row and field, all or nothing (unless --skip-invalid), re-import updates by e-mail address."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.catalog.fields import normalise_header
from matchmaker.catalog.importer.apply import ImportFailed, ImportReport
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.importer.validate import Problem
from matchmaker.catalog.parsers import is_blank, parse_industries, parse_list, parse_text
from matchmaker.digest import vocab
from matchmaker.digest.models import Subscription
from matchmaker.digest.subscriptions import (
    INTEREST_FIELDS,
    NO_INTEREST,
    InterestError,
    SubscriptionData,
    resolve_parks,
    upsert_subscription,
)

KIND = "subscriptions"
ALIASES = ("subscriptions", "subscription", "subscribers", "订阅", "订阅者", "订阅用户")
SEARCH_SEPARATORS = re.compile(r"[|;；\n]+")  # saved searches are sentences: commas stay inside
TRUE_WORDS = {"是", "已确认", "确认", "yes", "y", "true", "1", "同意"}
FALSE_WORDS = {"否", "未确认", "no", "n", "false", "0", "不同意"}


def _parse_tracks(value: Any) -> list[str]:
    out: list[str] = []
    for item in parse_list(value):
        code = vocab.parse_track(item)
        if code not in out:
            out.append(code)
    return out


def _parse_searches(value: Any) -> list[str]:
    items = value if isinstance(value, list) else SEARCH_SEPARATORS.split(str(value))
    return [s for s in (str(i).strip() for i in items) if s]


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"应为 是/否“{value}” / expected yes or no")


@dataclass(frozen=True)
class Column:
    """One importable column: canonical name, Chinese label, header aliases, parser."""

    name: str
    label: str
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any]


COLUMNS: tuple[Column, ...] = (
    Column("email", "邮箱", ("邮箱", "电子邮箱", "邮件地址", "email", "e-mail"), vocab.parse_email),
    Column("name", "姓名", ("姓名", "联系人", "name"), parse_text),
    Column(
        "organisation",
        "单位",
        ("单位", "工作单位", "所在单位", "机构", "organisation", "organization", "company"),
        parse_text,
    ),
    Column("role", "身份", ("身份", "角色", "role"), vocab.parse_role),
    Column("tracks", "赛道", ("赛道", "关注赛道", "tracks", "track"), _parse_tracks),
    Column(
        "industries",
        "关注产业",
        ("关注产业", "产业", "行业", "所属行业", "industries", "industry"),
        parse_industries,
    ),
    Column("parks", "关注园区", ("关注园区", "园区", "parks", "park"), parse_list),
    Column("keywords", "关键词", ("关键词", "关注关键词", "keywords"), parse_list),
    Column(
        "saved_searches",
        "检索词",
        ("检索词", "保存的检索", "订阅检索", "saved searches", "searches"),
        _parse_searches,
    ),
    Column("frequency", "频率", ("频率", "推送频率", "frequency"), vocab.parse_frequency),
    Column(
        "max_items",
        "每封条数",
        ("每封条数", "每封最多", "条数上限", "max items", "max_items"),
        vocab.parse_max_items,
    ),
    Column("language", "语言", ("语言", "language"), vocab.parse_language),
    Column("confirmed", "已确认", ("已确认", "已同意", "confirmed"), _parse_bool),
)
HEADERS: dict[str, Column] = {
    normalise_header(alias): column
    for column in COLUMNS
    for alias in (column.name, *column.aliases)
}
LABEL = {column.name: column.label for column in COLUMNS}


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _validate(session: Session, rows: list[RawRow], report: ImportReport) -> list[_Row]:
    unknown: set[str] = set()
    good: list[_Row] = []
    seen: dict[str, int] = {}
    parsed: list[_Row] = []
    for raw in rows:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for header, cell in raw.cells.items():
            column = HEADERS.get(normalise_header(str(header)))
            if column is None:
                unknown.add(str(header))
                continue
            if is_blank(cell):
                continue
            try:
                values[column.name] = column.parse(cell)
            except ValueError as exc:
                problems.append(Problem(raw.number, column.label, str(exc)))
        email = values.get("email")
        if email is None and not any(p.field == LABEL["email"] for p in problems):
            problems.append(
                Problem(raw.number, LABEL["email"], "必填字段为空 / required field is empty")
            )
        if email is not None:
            if email in seen:
                problems.append(
                    Problem(
                        raw.number,
                        LABEL["email"],
                        f"与第 {seen[email]} 行邮箱重复 / same address as row {seen[email]}",
                    )
                )
            else:
                seen[email] = raw.number
        report.problems.extend(problems)
        parsed.append(_Row(raw.number, values))
    report.unknown_columns = sorted(unknown)
    existing = _existing(session, list(seen))
    bad = {p.row for p in report.problems}
    for row in parsed:
        park_refs = row.values.pop("parks", None)
        if park_refs is not None:
            ids, missing = resolve_parks(session, park_refs)
            row.values["parks"] = ids
            for ref in missing:
                report.problems.append(
                    Problem(
                        row.number,
                        LABEL["parks"],
                        f"找不到园区“{ref}”（按编号或名称）/ unknown park",
                    )
                )
                bad.add(row.number)
        has_interest = any(row.values.get(f) for f in INTEREST_FIELDS if f != "tracks")
        if row.values.get("email") and row.values["email"] not in existing and not has_interest:
            report.problems.append(Problem(row.number, "关注", NO_INTEREST))
            bad.add(row.number)
        if row.number not in bad:
            good.append(row)
    return good


def _existing(session: Session, emails: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), 500):
        found.update(
            session.scalars(
                select(Subscription.email).where(
                    Subscription.email.in_(emails[start : start + 500])
                )
            )
        )
    return found


def import_subscription_rows(
    session: Session, rows: list[RawRow], *, skip_invalid: bool = False
) -> ImportReport:
    """Validate every row, then create or update subscriptions by address in the caller's
    transaction; ImportFailed (nothing written) when any row is bad and skip_invalid is off."""
    report = ImportReport(kind=KIND)
    good = _validate(session, rows, report)
    bad = {p.row for p in report.problems}
    if bad and not skip_invalid:
        raise ImportFailed(report)
    report.skipped_rows = sorted(bad)
    changed: list[int] = []
    for row in good:
        confirmed = bool(row.values.pop("confirmed", False))
        given = set(row.values) - {"email"}
        try:
            result = upsert_subscription(
                session,
                SubscriptionData(**row.values),
                confirmed=confirmed,
                only=given,
            )
        except InterestError as exc:
            if not skip_invalid:
                report.problems.append(Problem(row.number, "关注", str(exc)))
                raise ImportFailed(report) from exc
            report.problems.append(Problem(row.number, "关注", str(exc)))
            report.skipped_rows.append(row.number)
            continue
        if result.created:
            report.created += 1
        elif result.changed:
            report.updated += 1
        else:
            report.unchanged += 1
        if result.changed:
            changed.append(result.subscription.id)
    report.changed_ids = changed
    return report
