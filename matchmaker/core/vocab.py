"""Fixed vocabularies: organisation kinds, cooperation modes, statuses, regions, IPR status."""

from __future__ import annotations

ORG_KINDS: dict[str, str] = {
    "university": "高校",
    "research_institute": "科研院所",
    "enterprise": "企业",
    "park_management": "园区管理机构",
    "investor": "投资/金融机构",
}
ORG_KIND_ALIASES: dict[str, str] = {
    "高校": "university",
    "大学": "university",
    "学院": "university",
    "university": "university",
    "科研院所": "research_institute",
    "研究院": "research_institute",
    "研究所": "research_institute",
    "research institute": "research_institute",
    "research_institute": "research_institute",
    "企业": "enterprise",
    "公司": "enterprise",
    "enterprise": "enterprise",
    "company": "enterprise",
    "园区": "park_management",
    "园区管理机构": "park_management",
    "管委会": "park_management",
    "park management": "park_management",
    "park_management": "park_management",
    "投资机构": "investor",
    "金融机构": "investor",
    "投资/金融机构": "investor",
    "investor": "investor",
    "financial": "investor",
}

COOP_MODES: dict[str, str] = {
    "transfer": "转让",
    "license": "许可",
    "equity": "作价入股",
    "joint-dev": "合作开发",
    "service": "技术服务",
}
COOP_MODE_ALIASES: dict[str, str] = {
    "转让": "transfer",
    "技术转让": "transfer",
    "transfer": "transfer",
    "assignment": "transfer",
    "许可": "license",
    "技术许可": "license",
    "专利许可": "license",
    "license": "license",
    "licence": "license",
    "licensing": "license",
    "作价入股": "equity",
    "技术入股": "equity",
    "入股": "equity",
    "equity": "equity",
    "合作开发": "joint-dev",
    "联合开发": "joint-dev",
    "joint development": "joint-dev",
    "joint-dev": "joint-dev",
    "技术服务": "service",
    "技术咨询": "service",
    "service": "service",
    "technical service": "service",
}

STATUSES: dict[str, str] = {
    "active": "有效",
    "closed": "已关闭",
    "draft": "草稿",
    "pending": "待审核",  # submitted on the web, waiting for the park's review (not importable)
}
STATUS_ALIASES: dict[str, str] = {
    "active": "active",
    "open": "active",
    "有效": "active",
    "发布": "active",
    "已发布": "active",
    "征集中": "active",
    "closed": "closed",
    "已关闭": "closed",
    "关闭": "closed",
    "已完成": "closed",
    "已对接": "closed",
    "draft": "draft",
    "草稿": "draft",
}

IPR_STATUSES: dict[str, str] = {"none": "无专利", "applied": "已申请", "granted": "已授权"}
IPR_ALIASES: dict[str, str] = {
    "none": "none",
    "无": "none",
    "无专利": "none",
    "": "none",
    "applied": "applied",
    "已申请": "applied",
    "申请中": "applied",
    "受理": "applied",
    "granted": "granted",
    "已授权": "granted",
    "授权": "granted",
}

PARK_LEVELS: dict[str, str] = {"national": "国家级", "regional": "自治区级"}
PARK_LEVEL_ALIASES: dict[str, str] = {
    "national": "national",
    "国家级": "national",
    "国家": "national",
    "regional": "regional",
    "自治区级": "regional",
    "省级": "regional",
    "autonomous-region": "regional",
}

# Provinces counted as "eastern" R&D sources for the 北上广研发、广西集成、东盟转化 track.
EASTERN_PROVINCES: frozenset[str] = frozenset(
    {"北京", "上海", "广东", "江苏", "浙江", "天津", "山东", "福建", "河北", "海南"}
)
PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")


def normalise_province(name: str) -> str:
    """'广西壮族自治区' → '广西', '北京市' → '北京': one spelling per province for filters and flags."""
    name = name.strip()
    for suffix in PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def is_eastern(province: str | None) -> bool:
    """Whether a province is one of the eastern R&D regions."""
    return bool(province) and normalise_province(province or "") in EASTERN_PROVINCES


def is_guangxi(province: str | None) -> bool:
    """Whether a province is Guangxi."""
    return bool(province) and normalise_province(province or "") == "广西"
