"""Import chains from CSV / XLSX / JSON Lines / JSON: all or nothing, problems as row, field, reason.

One row per link. The chains named in a file are replaced whole (a file is the complete chain of
each industry it names); other industries keep what they had. Any problem in any row and nothing
is written, exactly like the item imports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchmaker.catalog.fields import normalise_header
from matchmaker.catalog.importer.readers import RawRow, ReadError, read_rows
from matchmaker.catalog.importer.validate import Problem
from matchmaker.catalog.parsers import is_blank, parse_block, parse_list, parse_text
from matchmaker.core.taxonomy import industry_zh, resolve_industry, unknown_industry_message
from matchmaker.maps.chains import (
    STAGES,
    chain_from_dict,
    read_overrides,
    write_overrides,
)

MAX_LINKS = 30
MAX_TECHS = 12
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
STAGE_ALIASES: dict[str, str] = {
    "upstream": "upstream",
    "上游": "upstream",
    "midstream": "midstream",
    "中游": "midstream",
    "downstream": "downstream",
    "下游": "downstream",
}

# canonical field -> (Chinese label used in problems, header aliases)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "industry": ("产业", ("产业", "所属产业", "产业链", "主导产业", "industry")),
    "chain_name": ("产业链名称", ("产业链名称", "chain name", "chain_name")),
    "chain_description": (
        "产业链简介",
        ("产业链简介", "产业链描述", "chain description", "chain_description"),
    ),
    "code": ("环节编号", ("环节编号", "编号", "code", "link code", "id")),
    "stage": ("环节位置", ("环节位置", "位置", "上中下游", "链位", "stage")),
    "name": ("环节名称", ("环节名称", "环节", "名称", "name", "link")),
    "name_en": ("英文名称", ("英文名称", "英文名", "name en", "english name")),
    "description": ("环节描述", ("环节描述", "描述", "说明", "简介", "description")),
    "core_technologies": (
        "核心技术",
        ("核心技术", "关键技术", "core technologies", "technologies", "core tech"),
    ),
}
_HEADERS = {
    normalise_header(alias): name
    for name, (_, aliases) in COLUMNS.items()
    for alias in (name, *aliases)
}


class ChainImportFailed(Exception):
    """The file has problems and no chain was changed."""

    def __init__(self, report: ChainImportReport):
        super().__init__(f"{len(report.problems)} problem(s)")
        self.report = report


@dataclass
class ChainImportReport:
    """What a chains import did, or would have refused to do."""

    industries: dict[str, int] = field(default_factory=dict)  # industry -> links imported
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line per chain replaced, Chinese first."""
        return "\n".join(
            f"{industry_zh(code)}（{code}）：{count} 个环节 / {count} links"
            for code, count in self.industries.items()
        )


def chain_rows(path: Path, data: bytes | None = None) -> list[RawRow]:
    """Rows of a chains file: a .json chain document (one chain or a list of them) becomes one
    row per link; everything else is read like an item import (CSV, XLSX, JSON Lines)."""
    if path.suffix.lower() == ".json":
        raw = data if data is not None else _read_bytes(path)
        try:
            document = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return read_rows(path, raw)  # perhaps JSON Lines under a .json name
        return _document_rows(document)
    return read_rows(path, data)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ReadError(f"文件不存在 / file not found: {path}")
    return path.read_bytes()


def _document_rows(document: Any) -> list[RawRow]:
    chains = document if isinstance(document, list) else [document]
    rows: list[RawRow] = []
    for chain in chains:
        if not isinstance(chain, dict) or not isinstance(chain.get("links"), list):
            raise ReadError(
                "JSON 应为产业链对象（含 links 列表）或其列表 / "
                "a JSON chains file holds a chain object with a `links` list, or a list of them"
            )
        shared = {
            "industry": chain.get("industry"),
            "chain_name": chain.get("name"),
            "chain_description": chain.get("description"),
        }
        for link in chain["links"]:
            cells = dict(shared)
            cells.update(link if isinstance(link, dict) else {"name": link})
            rows.append(RawRow(len(rows) + 1, cells))
    return rows


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _parse_row(raw: RawRow, unknown: set[str]) -> tuple[_Row, list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for header, cell in raw.cells.items():
        name = _HEADERS.get(normalise_header(str(header)))
        if name is None:
            unknown.add(str(header))
            continue
        if is_blank(cell):
            continue
        label = COLUMNS[name][0]
        try:
            values[name] = _parse_cell(name, cell)
        except ValueError as exc:
            problems.append(Problem(raw.number, label, str(exc)))
    for name in ("industry", "stage", "name", "description", "core_technologies"):
        if name not in values and not any(p.field == COLUMNS[name][0] for p in problems):
            problems.append(
                Problem(raw.number, COLUMNS[name][0], "必填字段为空 / required field is empty")
            )
    return _Row(raw.number, values), problems


def _parse_cell(name: str, cell: Any) -> Any:
    if name == "industry":
        code = resolve_industry(parse_text(cell))
        if code is None:
            raise ValueError(unknown_industry_message(parse_text(cell)))
        return code
    if name == "stage":
        stage = STAGE_ALIASES.get(parse_text(cell).lower())
        if stage is None:
            raise ValueError(
                f"环节位置应为 上游/中游/下游（upstream/midstream/downstream），而不是“{cell}” / "
                f"stage must be upstream, midstream or downstream"
            )
        return stage
    if name == "core_technologies":
        techs = parse_list(cell)
        if len(techs) > MAX_TECHS:
            raise ValueError(f"核心技术最多 {MAX_TECHS} 项 / at most {MAX_TECHS} technologies")
        if any(len(t) > 40 for t in techs):
            raise ValueError("每项核心技术不超过 40 字 / each technology at most 40 characters")
        return techs
    text = parse_block(cell) if name in ("description", "chain_description") else parse_text(cell)
    limits = {"code": 40, "name": 40, "name_en": 100, "chain_name": 60}
    if name in limits and len(text) > limits[name]:
        raise ValueError(f"不超过 {limits[name]} 字 / at most {limits[name]} characters")
    if name == "code" and not CODE_PATTERN.match(text):
        raise ValueError(
            "编号只能含字母、数字、- _ .，以字母或数字开头 / "
            "code: letters, digits, - _ . only, starting with a letter or digit"
        )
    return text


def _check_chain(industry: str, rows: list[_Row]) -> list[Problem]:
    """Chain-level rules: unique codes and names, every stage present, not too many links."""
    problems: list[Problem] = []
    first = rows[0].number
    if len(rows) > MAX_LINKS:
        problems.append(
            Problem(first, "产业", f"一条产业链最多 {MAX_LINKS} 个环节 / at most {MAX_LINKS} links")
        )
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row in rows:
        for key, seen, label in (
            ("code", seen_codes, "环节编号"),
            ("name", seen_names, "环节名称"),
        ):
            value = row.values.get(key)
            if value is None:
                continue
            if value in seen:
                problems.append(
                    Problem(
                        row.number,
                        label,
                        f"与第 {seen[value]} 行重复（同一产业链内）/ duplicate of row {seen[value]}",
                    )
                )
            else:
                seen[value] = row.number
    present = {row.values.get("stage") for row in rows}
    for stage, (zh, _) in STAGES.items():
        if stage not in present:
            problems.append(
                Problem(
                    first,
                    "环节位置",
                    f"{industry_zh(industry)}产业链缺少{zh}环节 / the chain has no {stage} link",
                )
            )
    return problems


def validate_chains(rows: list[RawRow]) -> tuple[dict[str, dict[str, Any]], ChainImportReport]:
    """Chains in file form, by industry, and the report with every problem found (nothing written)."""
    report = ChainImportReport()
    unknown: set[str] = set()
    parsed: list[_Row] = []
    for raw in rows:
        row, problems = _parse_row(raw, unknown)
        report.problems.extend(problems)
        parsed.append(row)
    report.unknown_columns = sorted(unknown)
    if not rows:
        report.problems.append(Problem(1, "文件", "文件中没有任何环节 / the file has no links"))
    by_industry: dict[str, list[_Row]] = {}
    for row in parsed:
        if "industry" in row.values:
            by_industry.setdefault(row.values["industry"], []).append(row)
    chains: dict[str, dict[str, Any]] = {}
    for industry, chain_rows_ in by_industry.items():
        report.problems.extend(_check_chain(industry, chain_rows_))
        head = chain_rows_[0].values
        chains[industry] = {
            "industry": industry,
            "name": head.get("chain_name") or f"{industry_zh(industry)}产业链",
            "description": head.get("chain_description") or "",
            "links": [
                {
                    "code": row.values.get("code") or f"L{position:02d}",
                    "stage": row.values.get("stage"),
                    "name": row.values.get("name"),
                    "name_en": row.values.get("name_en", ""),
                    "description": row.values.get("description"),
                    "core_technologies": row.values.get("core_technologies", []),
                }
                for position, row in enumerate(chain_rows_, start=1)
            ],
        }
        report.industries[industry] = len(chain_rows_)
    report.problems.sort(key=lambda p: p.row)
    return chains, report


def import_chains(
    path: Path, data: bytes | None = None, data_dir: Path | None = None
) -> ChainImportReport:
    """Validate a chains file and, only if every row is right, replace the chains it names."""
    chains, report = validate_chains(chain_rows(path, data))
    if report.problems:
        raise ChainImportFailed(report)
    for document in chains.values():
        chain_from_dict(document, "imported")  # the form the loader reads back: fail before writing
    overrides = read_overrides(data_dir)
    overrides.update(chains)
    write_overrides(overrides, data_dir)
    return report
