"""Industry taxonomy: the policy's five leading industries plus the other common ones, in Chinese and English."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Industry:
    """One industry of the taxonomy, with the names people write for it."""

    code: str
    zh: str
    en: str
    leading: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)
    policy: str | None = None  # the name the policy document uses, when it differs from `zh`


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "ai-hardware",
        "人工智能与智能硬件",
        "AI and smart hardware",
        True,
        ("人工智能", "智能硬件", "AI", "AI and smart hardware", "智能终端", "AI硬件"),
        "人工智能及智能硬件",
    ),
    Industry(
        "icv",
        "智能网联汽车",
        "Intelligent connected vehicles",
        True,
        (
            "智能网联",
            "智能网联新能源汽车",
            "ICV",
            "汽车",
            "新能源汽车",
            "车联网",
            "intelligent connected vehicles",
            "automotive",
        ),
    ),
    Industry(
        "electronic-info",
        "电子信息",
        "Electronic information",
        True,
        (
            "电子信息产业",
            "新一代电子信息",
            "电子",
            "集成电路",
            "electronic information",
            "electronics",
        ),
    ),
    Industry(
        "metals-biomass",
        "关键金属与生物质新材料",
        "Key metals and biomass new materials",
        True,
        (
            "新材料",
            "关键金属",
            "生物质新材料",
            "有色金属",
            "稀土",
            "生物基材料",
            "关键金属材料",
            "key metals and biomass new materials",
            "new materials",
        ),
        "关键金属及生物质新材料",
    ),
    Industry(
        "agri-processing",
        "特色农产品加工",
        "Specialty agricultural products processing",
        True,
        (
            "农产品加工",
            "农产品精深加工",
            "特色农产品",
            "特色农业",
            "食品加工",
            "食品精深加工",
            "糖业",
            "specialty agricultural products processing",
            "agri-food",
        ),
        "特色农产品精深加工",
    ),
    Industry(
        "biomedicine",
        "生物医药",
        "Biomedicine",
        False,
        ("医药", "生物医药与大健康", "大健康", "医疗器械", "biomedicine", "pharma"),
    ),
    Industry(
        "new-energy",
        "新能源",
        "New energy",
        False,
        ("新能源与储能", "储能", "光伏", "风电", "氢能", "new energy", "energy storage"),
    ),
    Industry(
        "advanced-equipment",
        "先进装备制造",
        "Advanced equipment manufacturing",
        False,
        (
            "高端装备",
            "智能制造",
            "装备制造",
            "工程机械",
            "advanced equipment",
            "smart manufacturing",
        ),
    ),
    Industry(
        "digital-economy",
        "数字经济",
        "Digital economy",
        False,
        ("数字经济与软件", "软件和信息服务", "大数据", "工业互联网", "digital economy", "software"),
    ),
    Industry(
        "marine",
        "海洋经济",
        "Marine economy",
        False,
        ("海洋", "向海经济", "海洋产业", "marine economy"),
    ),
    Industry(
        "green-env",
        "节能环保",
        "Energy saving and environmental protection",
        False,
        ("环保", "绿色低碳", "节能", "environmental protection"),
    ),
    Industry(
        "modern-logistics",
        "现代物流与跨境贸易",
        "Modern logistics and cross-border trade",
        False,
        ("物流", "跨境贸易", "跨境电商", "logistics", "cross-border trade"),
    ),
)

_BY_CODE = {i.code: i for i in INDUSTRIES}
# Words that join two halves of a name (与/及/和/&/and) and words that only say "industry"; both
# are ignored when a name is looked up, so the policy's 关键金属及生物质新材料, a park office's
# 关键金属和生物质新材料产业 and the taxonomy's 关键金属与生物质新材料 are one industry.
_JOINERS = re.compile(r"\s+and\s+|[与及和&＆、/／]|\s+")
_SUFFIXES = ("产业集群", "产业链", "产业", "行业", "领域", " industry", " industries")


def _key(text: str) -> str:
    key = unicodedata.normalize("NFKC", text).strip().lower()
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    return _JOINERS.sub("", key)


def names_of(ind: Industry) -> tuple[str, ...]:
    """Every name people write for an industry: code, Chinese, policy wording, English, aliases."""
    policy = (ind.policy,) if ind.policy else ()
    return (ind.code, ind.zh, *policy, ind.en, *ind.aliases)


_LOOKUP: dict[str, str] = {}
for _ind in INDUSTRIES:
    for _name in names_of(_ind):
        _LOOKUP.setdefault(_key(_name), _ind.code)


def industry(code: str) -> Industry:
    """The industry for a code; KeyError if unknown."""
    return _BY_CODE[code]


def resolve_industry(text: str) -> str | None:
    """Map what a person wrote (code, Chinese, policy or English name, common alias; 与/及/和
    and a trailing 产业 ignored) to an industry code."""
    return _LOOKUP.get(_key(text)) if text and text.strip() else None


def suggest_industries(text: str, limit: int = 3) -> list[str]:
    """The industry codes whose names are closest to an unknown label, best first (may be empty)."""
    key = _key(text)
    if not key:
        return []
    best: dict[str, float] = {}
    for name, code in _LOOKUP.items():
        ratio = difflib.SequenceMatcher(None, key, name).ratio()
        if len(name) >= 2 and (name in key or key in name):
            ratio = max(ratio, 0.6)
        if ratio > best.get(code, 0.0):
            best[code] = ratio
    ranked = sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))
    floor = max(0.4, ranked[0][1] - 0.2) if ranked else 1.0
    return [code for code, ratio in ranked if ratio >= floor][:limit]


def unknown_industry_message(text: str) -> str:
    """The error for an unknown industry label, with "did you mean …" when something is close."""
    close = suggest_industries(text)
    hint = ""
    if close:
        zh = "、".join(f"“{industry_zh(c)}”" for c in close)
        hint = f"，是否指 {zh}？/ did you mean {', '.join(close)}?"
    return f"未知的行业“{text}”{hint} / unknown industry: {text}"


def industry_zh(code: str) -> str:
    """Chinese name of an industry code, or the code itself when unknown (never raises in display paths)."""
    ind = _BY_CODE.get(code)
    return ind.zh if ind else code


LEADING_INDUSTRIES: tuple[str, ...] = tuple(i.code for i in INDUSTRIES if i.leading)
