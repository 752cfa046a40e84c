"""Per-kind field specifications: canonical names, Chinese/English header aliases, parsers, required flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matchmaker.catalog.importer import parsers as p


@dataclass(frozen=True)
class FieldSpec:
    """One importable field: how it is named in files and how its cells are parsed."""

    name: str
    label_zh: str
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any]
    required: bool = False


def _f(
    name: str,
    label: str,
    aliases: tuple[str, ...],
    parse: Callable[[Any], Any],
    required: bool = False,
) -> FieldSpec:
    return FieldSpec(name, label, aliases, parse, required)


EXTERNAL_ID = ("编号", "ID", "id", "外部编号", "external id", "externalid")
CONTACT = (
    _f("contact_name", "联系人", ("联系人", "联系人姓名", "contact", "contact name"), p.parse_text),
    _f(
        "contact_phone",
        "联系电话",
        ("联系电话", "电话", "手机", "phone", "contact phone"),
        p.parse_text,
    ),
    _f(
        "contact_email",
        "联系邮箱",
        ("联系邮箱", "邮箱", "电子邮箱", "email", "e-mail", "contact email"),
        p.parse_text,
    ),
)
KEYWORDS = _f("keywords", "关键词", ("关键词", "关键字", "keywords", "tags"), p.parse_list)
INDUSTRIES = _f(
    "industries",
    "所属行业",
    (
        "所属行业",
        "行业",
        "技术领域",
        "所属领域",
        "产业领域",
        "产业",
        "industries",
        "industry",
        "field",
    ),
    p.parse_industries,
)
STATUS = _f("status", "状态", ("状态", "status"), p.parse_status)
COOP = _f(
    "coop_modes",
    "合作方式",
    ("合作方式", "合作模式", "转化方式", "cooperation modes", "cooperation", "coop modes"),
    p.parse_coop_modes,
)
DEADLINE = _f(
    "deadline", "截止日期", ("截止日期", "截止时间", "有效期至", "deadline"), p.parse_date
)
BUDGET = (
    _f(
        "budget",
        "预算(万元)",
        ("预算", "预算(万元)", "预算（万元）", "拟投入资金", "拟投入资金(万元)", "budget"),
        p.parse_range,
    ),
    _f("budget_min", "预算下限(万元)", ("预算下限", "最低预算", "budget min"), p.parse_amount),
    _f("budget_max", "预算上限(万元)", ("预算上限", "最高预算", "budget max"), p.parse_amount),
)
PARK_REF = _f("park", "所在园区", ("所在园区", "园区", "所属园区", "park"), p.parse_text)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "parks": (
        _f("external_id", "园区编号", ("园区编号", *EXTERNAL_ID), p.parse_text),
        _f("name", "园区名称", ("园区名称", "名称", "name"), p.parse_text, True),
        _f("level", "级别", ("级别", "园区级别", "level"), p.parse_park_level, True),
        _f("province", "省份", ("省份", "所在省份", "province"), p.parse_province),
        _f("city", "城市", ("城市", "所在城市", "city"), p.parse_text, True),
        _f("industries", "主导产业", ("主导产业", *INDUSTRIES.aliases), p.parse_industries, True),
        _f("description", "简介", ("简介", "园区简介", "description"), p.parse_text),
    ),
    "organisations": (
        _f("external_id", "机构编号", ("机构编号", "单位编号", *EXTERNAL_ID), p.parse_text),
        _f(
            "name",
            "机构名称",
            ("机构名称", "单位名称", "名称", "企业名称", "name"),
            p.parse_text,
            True,
        ),
        _f(
            "kind",
            "机构类型",
            ("机构类型", "单位类型", "类型", "kind", "type"),
            p.parse_org_kind,
            True,
        ),
        _f(
            "province",
            "省份",
            ("省份", "所在省份", "所在地区", "province", "region"),
            p.parse_province,
            True,
        ),
        _f("city", "城市", ("城市", "所在城市", "city"), p.parse_text),
        _f("size", "规模", ("规模", "企业规模", "size"), p.parse_size),
        PARK_REF,
        INDUSTRIES,
        _f("description", "简介", ("简介", "机构简介", "企业简介", "description"), p.parse_text),
        _f("website", "网址", ("网址", "网站", "website"), p.parse_text),
    ),
    "achievements": (
        _f("external_id", "成果编号", ("成果编号", *EXTERNAL_ID), p.parse_text, True),
        _f("title", "成果名称", ("成果名称", "名称", "标题", "title"), p.parse_text, True),
        _f(
            "summary",
            "成果简介",
            ("成果简介", "成果摘要", "简介", "摘要", "技术简介", "summary", "abstract"),
            p.parse_text,
            True,
        ),
        KEYWORDS,
        INDUSTRIES,
        _f(
            "trl",
            "成熟度",
            ("成熟度", "技术成熟度", "成熟度(TRL)", "TRL", "trl"),
            p.parse_trl,
            True,
        ),
        _f(
            "ipr_status",
            "知识产权状态",
            ("知识产权状态", "专利状态", "知识产权", "ipr status", "ipr"),
            p.parse_ipr,
        ),
        _f(
            "patent_numbers",
            "专利号",
            ("专利号", "专利号码", "patent numbers", "patents"),
            p.parse_list,
        ),
        COOP,
        _f(
            "price",
            "价格(万元)",
            ("价格", "交易价格", "价格(万元)", "价格（万元）", "参考价格", "price"),
            p.parse_range,
        ),
        _f("price_min", "价格下限(万元)", ("价格下限", "最低价格", "price min"), p.parse_amount),
        _f("price_max", "价格上限(万元)", ("价格上限", "最高价格", "price max"), p.parse_amount),
        _f(
            "applications",
            "应用领域",
            ("应用领域", "应用前景", "市场前景", "应用与市场", "applications"),
            p.parse_text,
        ),
        _f(
            "owner",
            "成果单位",
            (
                "成果单位",
                "所属单位",
                "持有单位",
                "完成单位",
                "owner",
                "organisation",
                "organization",
            ),
            p.parse_text,
            True,
        ),
        *CONTACT,
        STATUS,
    ),
    "needs": (
        _f("external_id", "需求编号", ("需求编号", *EXTERNAL_ID), p.parse_text, True),
        _f("title", "需求名称", ("需求名称", "名称", "标题", "title"), p.parse_text, True),
        _f(
            "description",
            "需求描述",
            ("需求描述", "需求内容", "需求详情", "描述", "description"),
            p.parse_text,
            True,
        ),
        KEYWORDS,
        INDUSTRIES,
        _f(
            "min_trl",
            "最低成熟度",
            ("最低成熟度", "成熟度要求", "最低TRL", "min trl", "min_trl"),
            p.parse_trl,
        ),
        *BUDGET,
        DEADLINE,
        COOP,
        _f(
            "enterprise",
            "需求企业",
            ("需求企业", "企业名称", "需求单位", "企业", "enterprise", "company"),
            p.parse_text,
            True,
        ),
        PARK_REF,
        *CONTACT,
        STATUS,
    ),
    "scenarios": (
        _f("external_id", "场景编号", ("场景编号", *EXTERNAL_ID), p.parse_text, True),
        _f("title", "场景名称", ("场景名称", "名称", "标题", "title"), p.parse_text, True),
        _f(
            "description",
            "场景描述",
            ("场景描述", "场景内容", "描述", "description"),
            p.parse_text,
            True,
        ),
        PARK_REF,
        _f("owner", "发布单位", ("发布单位", "场景单位", "owner"), p.parse_text),
        KEYWORDS,
        INDUSTRIES,
        _f(
            "capabilities",
            "所需能力",
            ("所需能力", "能力需求", "技术需求", "capabilities"),
            p.parse_list,
        ),
        *BUDGET,
        DEADLINE,
        *CONTACT,
        STATUS,
    ),
}

KIND_ALIASES: dict[str, str] = {
    "organisations": "organisations",
    "organizations": "organisations",
    "orgs": "organisations",
    "机构": "organisations",
    "parks": "parks",
    "园区": "parks",
    "achievements": "achievements",
    "成果": "achievements",
    "needs": "needs",
    "需求": "needs",
    "scenarios": "scenarios",
    "场景": "scenarios",
}


def header_map(kind: str) -> dict[str, FieldSpec]:
    """Lower-cased header text → field spec, covering canonical names and every alias."""
    out: dict[str, FieldSpec] = {}
    for spec in FIELDS[kind]:
        for name in (spec.name, *spec.aliases):
            out[_norm(name)] = spec
    return out


def _norm(header: str) -> str:
    return header.strip().lower().replace("（", "(").replace("）", ")").replace("_", " ")


def normalise_header(header: str) -> str:
    """The form headers are compared in (case, full-width brackets, underscores ignored)."""
    return _norm(header)
