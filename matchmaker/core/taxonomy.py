"""Industry taxonomy: the policy's five leading industries plus the other common ones, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Industry:
    """One industry of the taxonomy, with the names people write for it."""

    code: str
    zh: str
    en: str
    leading: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "ai-hardware",
        "人工智能与智能硬件",
        "AI and smart hardware",
        True,
        ("人工智能", "智能硬件", "AI", "人工智能及智能硬件", "AI and smart hardware", "智能终端"),
    ),
    Industry(
        "icv",
        "智能网联汽车",
        "Intelligent connected vehicles",
        True,
        (
            "智能网联",
            "智能网联新能源汽车",
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
            "key metals and biomass new materials",
            "new materials",
        ),
    ),
    Industry(
        "agri-processing",
        "特色农产品加工",
        "Specialty agricultural products processing",
        True,
        (
            "农产品加工",
            "特色农业",
            "食品加工",
            "糖业",
            "specialty agricultural products processing",
            "agri-food",
        ),
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
_LOOKUP: dict[str, str] = {}
for _ind in INDUSTRIES:
    for _name in (_ind.code, _ind.zh, _ind.en, *_ind.aliases):
        _LOOKUP[_name.strip().lower()] = _ind.code


def industry(code: str) -> Industry:
    """The industry for a code; KeyError if unknown."""
    return _BY_CODE[code]


def resolve_industry(text: str) -> str | None:
    """Map what a person wrote (code, Chinese or English name, common alias) to an industry code."""
    return _LOOKUP.get(text.strip().lower())


def industry_zh(code: str) -> str:
    """Chinese name of an industry code, or the code itself when unknown (never raises in display paths)."""
    ind = _BY_CODE.get(code)
    return ind.zh if ind else code


LEADING_INDUSTRIES: tuple[str, ...] = tuple(i.code for i in INDUSTRIES if i.leading)
