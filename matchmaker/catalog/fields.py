"""The catalogue's field rules, defined once: per kind each field's name, Chinese label, file header
aliases, parser and limits. The importer, the API schemas and the web forms all validate through
`clean_value` and `range_problems`, so a value is accepted or refused with the same message everywhere."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from matchmaker.catalog import parsers as p

# Limits (characters for text, entries for lists); the database columns are sized to match.
CODE_MAX = 64  # external ids, cities, contact names and phones
PROVINCE_MAX = 32
NAME_MAX = 200  # names, e-mail addresses, websites
TITLE_MAX = 300
LONG_MAX = 20000  # summaries, descriptions, applications
TERM_MAX = 100  # one keyword, patent number or capability
TERMS_MAX = 50
INDUSTRIES_MAX = 20
COOP_MAX = 5


@dataclass(frozen=True)
class FieldSpec:
    """One catalogue field: how files name it, how its values are parsed, and how long it may be."""

    name: str
    label_zh: str
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any]
    required: bool = False
    limit: int | None = None  # characters (text) or entries (lists)


def _f(
    name: str,
    label: str,
    aliases: tuple[str, ...],
    parse: Callable[[Any], Any],
    required: bool = False,
    limit: int | None = None,
) -> FieldSpec:
    if limit is None:
        limit = FIELD_LIMITS.get(name, PARSER_LIMITS.get(parse))
    return FieldSpec(name, label, aliases, parse, required, limit)


# A field's limit is the same in every kind; free text and lists get their parser's limit.
FIELD_LIMITS: dict[str, int] = {
    "external_id": CODE_MAX,
    "name": NAME_MAX,
    "title": TITLE_MAX,
    "city": CODE_MAX,
    "province": PROVINCE_MAX,
    "website": NAME_MAX,
    "contact_name": CODE_MAX,
    "contact_phone": CODE_MAX,
    "contact_email": NAME_MAX,
    "owner": NAME_MAX,
    "enterprise": NAME_MAX,
    "park": NAME_MAX,
}
PARSER_LIMITS: dict[Callable[[Any], Any], int] = {
    p.parse_text: LONG_MAX,
    p.parse_block: LONG_MAX,
    p.parse_list: TERMS_MAX,
    p.parse_industries: INDUSTRIES_MAX,
    p.parse_coop_modes: COOP_MAX,
}

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
        _f("description", "简介", ("简介", "园区简介", "description"), p.parse_block),
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
        _f("description", "简介", ("简介", "机构简介", "企业简介", "description"), p.parse_block),
        _f("website", "网址", ("网址", "网站", "website"), p.parse_text),
        _f(
            "regulated",
            "规上工业企业",
            ("规上工业企业", "规上企业", "是否规上", "是否规上工业企业", "regulated"),
            p.parse_flag,
        ),
        _f(
            "rd_institution",
            "研发机构",
            ("研发机构", "有无研发机构", "是否有研发机构", "rd institution"),
            p.parse_flag,
        ),
        _f(
            "rd_activity",
            "研发活动",
            ("研发活动", "有无研发活动", "是否有研发活动", "rd activity"),
            p.parse_flag,
        ),
    ),
    "achievements": (
        _f("external_id", "成果编号", ("成果编号", *EXTERNAL_ID), p.parse_text, True),
        _f("title", "成果名称", ("成果名称", "名称", "标题", "title"), p.parse_text, True),
        _f(
            "summary",
            "成果简介",
            ("成果简介", "成果摘要", "简介", "摘要", "技术简介", "summary", "abstract"),
            p.parse_block,
            True,
        ),
        KEYWORDS,
        INDUSTRIES,
        _f(
            "trl",
            "成熟度",
            ("成熟度", "技术成熟度", "成熟度(TRL)", "TRL", "trl"),
            p.parse_trl,
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
            p.parse_block,
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
            p.parse_block,
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
            p.parse_block,
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


# ---- the checks every adapter runs ----------------------------------------------------------
SPECS: dict[str, dict[str, FieldSpec]] = {
    kind: {spec.name: spec for spec in specs} for kind, specs in FIELDS.items()
}
RANGES: tuple[tuple[str, str, str], ...] = (
    ("price_min", "price_max", "价格"),
    ("budget_min", "budget_max", "预算"),
)


def check_limit(spec: FieldSpec, value: Any) -> Any:
    """The value when it fits the field's limit, else ValueError saying by how much it does not."""
    if spec.limit is None:
        return value
    if isinstance(value, str) and len(value) > spec.limit:
        raise ValueError(
            f"最长 {spec.limit} 个字符，现有 {len(value)} 个 / at most {spec.limit} characters, "
            f"got {len(value)}"
        )
    if isinstance(value, list):
        if len(value) > spec.limit:
            raise ValueError(
                f"最多 {spec.limit} 项，现有 {len(value)} 项 / at most {spec.limit} entries, "
                f"got {len(value)}"
            )
        long = next((v for v in value if isinstance(v, str) and len(v) > TERM_MAX), None)
        if long is not None:
            raise ValueError(
                f"每项最长 {TERM_MAX} 个字符：“{long[:20]}…” / each entry at most {TERM_MAX} characters"
            )
    return value


def clean_value(kind: str, name: str, value: Any) -> Any:
    """A field's value parsed and checked by the catalogue's rules (kind is plural, as in FIELDS);
    fields without a rule pass through. ValueError carries the message people see."""
    spec = SPECS[kind].get(name)
    if spec is None:
        return value
    return check_limit(spec, spec.parse(value))


def range_problems(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(lower field, label, message) for each price or budget range whose lower end exceeds the upper."""
    out = []
    for low, high, label in RANGES:
        lo, hi = values.get(low), values.get(high)
        if lo is not None and hi is not None and lo > hi:
            out.append((low, label, f"{label}下限 {lo:g} 大于上限 {hi:g} / {low} exceeds {high}"))
    return out
