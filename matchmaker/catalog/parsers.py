"""Value parsers: turn what people type (spreadsheet cells, API bodies, forms; Chinese or English) into typed values."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from matchmaker.core.taxonomy import resolve_industry, unknown_industry_message
from matchmaker.core.text import clean_text
from matchmaker.core.vocab import (
    COOP_MODE_ALIASES,
    IPR_ALIASES,
    ORG_KIND_ALIASES,
    PARK_LEVEL_ALIASES,
    STATUS_ALIASES,
    normalise_province,
)

LIST_SEPARATORS = re.compile(r"[、，,;；|\n]+")
RANGE_SEPARATORS = re.compile(r"\s*(?:-|~|～|—|至|到)\s*")
NEGOTIABLE = {"面议", "议价", "negotiable", "n/a", "-", ""}
AMOUNT_MAX = 1e9  # 万元: anything larger is a typing mistake


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, blank string, empty list)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and len(value) == 0


def parse_text(value: Any) -> str:
    """A trimmed single-line string (names, titles, codes): the boundary text rules of
    `core.text` applied, so control characters are refused with a message saying where."""
    return clean_text(str(value)).strip()


def parse_block(value: Any) -> str:
    """A trimmed multi-line string (descriptions, summaries): tab and newline are kept."""
    return clean_text(str(value), multiline=True).strip()


def parse_list(value: Any) -> list[str]:
    """A list from a JSON list or a string separated by 、，,;；| (Chinese and ASCII separators)."""
    if is_blank(value):
        return []
    items = (
        [str(v) for v in value]
        if isinstance(value, list | tuple)
        else LIST_SEPARATORS.split(clean_text(str(value), multiline=True))
    )
    seen: list[str] = []
    for item in items:
        item = parse_text(item)
        if item and item not in seen:
            seen.append(item)
    return seen


def _parse_vocab_list(value: Any, lookup: dict[str, str], what: str) -> list[str]:
    out: list[str] = []
    for item in parse_list(value):
        code = lookup.get(item.strip().lower()) or lookup.get(item.strip())
        if code is None:
            raise ValueError(f"未知的{what}“{item}” / unknown {what}: {item}")
        if code not in out:
            out.append(code)
    return out


def split_industries(value: Any) -> tuple[list[str], list[str]]:
    """Industry codes for the labels that resolve, and the labels that do not (as written)."""
    codes: list[str] = []
    unknown: list[str] = []
    for item in parse_list(value):
        code = resolve_industry(item)
        if code is None:
            if item not in unknown:
                unknown.append(item)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def parse_industries(value: Any) -> list[str]:
    """Industry codes from codes or Chinese/English names."""
    out: list[str] = []
    for item in parse_list(value):
        code = resolve_industry(item)
        if code is None:
            raise ValueError(unknown_industry_message(item))
        if code not in out:
            out.append(code)
    return out


YES = {"是", "有", "yes", "y", "true", "1", "已开展", "已设立", "√"}
NO = {"否", "无", "no", "n", "false", "0", "未开展", "未设立", "×"}


def parse_flag(value: Any) -> bool:
    """Yes or no from 是/否, 有/无, yes/no, true/false, 1/0 (spreadsheet cells, JSON booleans)."""
    if isinstance(value, bool):
        return value
    text = parse_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"应为 是/否 或 有/无，而不是“{text}” / expected yes or no")


def parse_coop_modes(value: Any) -> list[str]:
    """Cooperation mode codes from 转让/许可/作价入股/合作开发/技术服务 or English."""
    return _parse_vocab_list(value, COOP_MODE_ALIASES, "合作方式 cooperation mode")


def _parse_vocab(value: Any, lookup: dict[str, str], what: str) -> str:
    text = parse_text(value)
    code = lookup.get(text.lower()) or lookup.get(text)
    if code is None:
        allowed = "、".join(sorted(set(lookup.values())))
        raise ValueError(f"未知的{what}“{text}”，可选：{allowed} / unknown {what}")
    return code


def parse_org_kind(value: Any) -> str:
    """Organisation kind from 高校/科研院所/企业/… or English."""
    return _parse_vocab(value, ORG_KIND_ALIASES, "机构类型 kind")


def parse_status(value: Any) -> str:
    """Status from 有效/已关闭/… or English."""
    return _parse_vocab(value, STATUS_ALIASES, "状态 status")


def parse_ipr(value: Any) -> str:
    """IPR status from 已申请/已授权/无 or English."""
    return _parse_vocab(value, IPR_ALIASES, "知识产权状态 IPR status")


def parse_park_level(value: Any) -> str:
    """Park level from 国家级/自治区级 or English."""
    return _parse_vocab(value, PARK_LEVEL_ALIASES, "园区级别 level")


def parse_province(value: Any) -> str:
    """A province in its short form ('广西壮族自治区' → '广西')."""
    return normalise_province(parse_text(value))


def parse_size(value: Any) -> str:
    """Organisation size: small / medium / large (小/中/大, 小微)."""
    text = parse_text(value).lower()
    mapping = {
        "small": "small",
        "小": "small",
        "小型": "small",
        "小微": "small",
        "medium": "medium",
        "中": "medium",
        "中型": "medium",
        "large": "large",
        "大": "large",
        "大型": "large",
    }
    if text not in mapping:
        raise ValueError(f"规模应为 小/中/大 (small/medium/large)，而不是“{text}”")
    return mapping[text]


def parse_trl(value: Any) -> int:
    """TRL 1–9 from 7, '7', 'TRL7', '7级', 'TRL 7'."""
    if isinstance(value, bool):
        raise ValueError("成熟度应为 1–9 的整数 / TRL must be an integer 1-9")
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = re.fullmatch(r"(?:trl)?\s*(\d+(?:\.0+)?)\s*级?", parse_text(value).lower())
        if not match:
            raise ValueError(f"成熟度应为 1–9 的整数，而不是“{value}” / TRL must be an integer 1-9")
        number = float(match.group(1))
    if number != int(number) or not 1 <= number <= 9:
        raise ValueError(f"成熟度应在 1–9 之间，而不是 {value} / TRL must be between 1 and 9")
    return int(number)


def _parse_number(text: str) -> float:
    cleaned = text.replace("万元", "").replace("万", "").replace("元", "").replace(",", "").strip()
    try:
        number = float(cleaned)
    except ValueError as exc:
        raise ValueError(f"不是数字：“{text}” / not a number") from exc
    return _check_amount(number)


def _check_amount(number: float) -> float:
    if number < 0:
        raise ValueError(f"金额不能为负数：{number:g} / amount must not be negative")
    if not number <= AMOUNT_MAX:  # also refuses NaN
        raise ValueError(
            f"金额超出上限 {AMOUNT_MAX:g} 万元：{number:g} / amount above {AMOUNT_MAX:g} (10k CNY)"
        )
    return number


def parse_amount(value: Any) -> float:
    """An amount in 万元 (10k CNY) from 50, '50', '50万', '50万元'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _check_amount(float(value))
    return _parse_number(parse_text(value))


def parse_range(value: Any) -> tuple[float | None, float | None]:
    """A (min, max) range in 万元 from '50-200', '50~200万', '100', or '面议' (negotiable → None, None)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = parse_amount(value)
        return amount, amount
    text = parse_text(value)
    if text.lower() in NEGOTIABLE:
        return None, None
    parts = [p for p in RANGE_SEPARATORS.split(text) if p]
    if len(parts) == 1:
        amount = _parse_number(parts[0])
        return amount, amount
    if len(parts) == 2:
        low, high = _parse_number(parts[0]), _parse_number(parts[1])
        if low > high:
            raise ValueError(f"区间下限大于上限：“{text}” / range minimum exceeds maximum")
        return low, high
    raise ValueError(f"无法识别的金额区间“{text}”，示例：50-200 或 面议 / unreadable range")


def parse_date(value: Any) -> dt.date:
    """A date from 2027-06-30, 2027/6/30, 2027年6月30日 or a spreadsheet date cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        raise ValueError(
            f"日期格式应为 2027-06-30，而不是“{text}” / date must look like 2027-06-30"
        )
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValueError(f"不存在的日期“{text}” / invalid date") from exc
