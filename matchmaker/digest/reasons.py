"""Short reasons a subscriber reads beside each item ("why am I getting this?"), Chinese or English."""

from __future__ import annotations

from collections.abc import Sequence

from matchmaker.core.taxonomy import industry, industry_zh
from matchmaker.digest.candidates import ItemFacts

MAX_REASONS = 3


def _industry_en(code: str) -> str:
    try:
        return industry(code).en
    except KeyError:
        return code


def term_reason(term: str, literal: bool, language: str) -> str:
    """The interest term an item matched, quoted; 'mentions' when the text contains it verbatim."""
    if language == "en":
        return f"mentions your interest “{term}”" if literal else f"close to your interest “{term}”"
    return f"包含您关注的“{term}”" if literal else f"与您关注的“{term}”内容相近"


def industry_reason(codes: Sequence[str], language: str) -> str:
    """The subscriber's industries the item belongs to."""
    if language == "en":
        return "in your industry: " + ", ".join(_industry_en(c) for c in codes)
    return "属于您关注的产业：" + "、".join(industry_zh(c) for c in codes)


def park_reason(park_name: str, language: str) -> str:
    """The subscriber's park the item is in."""
    return f"in your park: {park_name}" if language == "en" else f"位于您关注的园区：{park_name}"


def eastern_reason(item: ItemFacts, language: str) -> str:
    """An achievement from an eastern R&D source (the east-to-Guangxi track)."""
    if language == "en":
        return f"eastern R&D source: {item.owner} ({item.province}), for transfer to Guangxi"
    return f"东部研发来源：{item.province}·{item.owner}，可在广西转化"


def tags(item: ItemFacts, is_new: bool, language: str) -> list[str]:
    """New or updated, and the deadline when there is one."""
    out = [
        ("new" if is_new else "updated") if language == "en" else ("新发布" if is_new else "有更新")
    ]
    if item.deadline is not None:
        prefix = "deadline " if language == "en" else "截止 "
        out.append(prefix + item.deadline.isoformat())
    return out
