"""Fictional organisations of every kind, spread over Guangxi and the other provinces."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .model import Domain
from .vocab_orgs import (
    BRANDS,
    CITY_PARK,
    DEMO_PARK_MANAGERS,
    PARK_NAMES,
    PLACE_WORDS,
    PROVINCE_CITIES,
)
from .vocab_users import users

# fmt: off
# Chinese field → discipline words used in university names
FIELD_ACADEMIC: dict[str, tuple[str, ...]] = {
    "医疗器械": ("医科", "医学"), "医用耗材": ("医科",), "医学影像设备": ("医学",), "口腔医疗": ("医科",),
    "医学检验": ("医学", "卫生"), "医疗器械电源": ("医学",), "化妆品": ("轻工", "化工"),
    "化妆品原料": ("化工",), "体育用品": ("体育",), "运动场地": ("体育",), "健身器材": ("体育",),
    "体育测试": ("体育",), "纺织服装": ("纺织", "服装"), "纺织印染": ("纺织",), "纺织材料": ("纺织",),
    "家具制造": ("林业", "农林"), "木材加工": ("林业",), "竹木制品": ("农林",), "日用陶瓷": ("陶瓷",),
    "卫生陶瓷": ("陶瓷",), "建筑陶瓷": ("陶瓷", "建材"), "工艺陶瓷": ("工艺美术",), "印刷": ("印刷", "轻工"),
    "包装印刷": ("印刷",), "矿山机械": ("矿业", "冶金"), "职业教育": ("职业技术",), "教育信息化": ("师范",),
    "教育装备": ("师范",), "职业培训": ("职业技术",), "财务软件": ("财经",), "金融科技": ("财经", "金融"),
    "财税服务": ("财经",), "管理软件": ("商学", "财经"), "文化旅游": ("旅游",), "景区设施": ("旅游",),
    "旅游服务": ("旅游", "商贸"), "物流软件": ("交通", "物流"), "快递物流": ("物流",), "公路货运": ("交通",),
    "仓储软件": ("物流",), "餐饮服务": ("商贸", "烹饪"), "餐饮环保": ("环境",), "商用厨具": ("轻工",),
    "餐饮信息化": ("商贸",), "建筑工程": ("建筑", "土木"), "建筑节能": ("建筑",), "建筑材料": ("建材",),
    "施工管理": ("建筑",), "工程检测": ("建筑", "交通"), "水处理": ("水利", "环境"), "智慧水务": ("水利",),
    "畜牧养殖": ("农牧", "畜牧"), "畜禽粪污": ("农业",), "水族器材": ("水产",), "玩具": ("轻工",),
    "文具": ("轻工",), "物业服务": ("城市",), "航空测绘": ("航空", "测绘"), "零售科技": ("信息", "商贸"),
    "啤酒酿造": ("食品", "轻工"), "白酒米酒酿造": ("食品",), "调味品酿造": ("食品",), "花卉园艺": ("园艺", "农业"),
    "炊具": ("工业",), "石材加工": ("工业",), "塑料加工": ("材料", "工业"), "玩具安全": ("轻工",),
    "电动自行车配套": ("电子科技",), "电动工具": ("工业",), "消费电子": ("电子科技",), "智能家居": ("信息",),
    "照明灯具": ("光电",),
}
# fmt: on
EASTERN_WEIGHTS = {"北京": 5, "上海": 5, "广东": 8, "江苏": 6, "浙江": 6}
ENTERPRISE_SUFFIXES = ("有限公司", "科技有限公司", "技术有限公司", "股份有限公司", "实业有限公司")
USER_SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")


@dataclass
class Org:
    """One fictional organisation and the domains it works in."""

    ext_id: str
    name: str
    kind: str
    province: str
    city: str
    size: str
    park: str | None
    industries: list[str]
    description: str
    domains: list[str] = field(default_factory=list)
    short: str = ""
    role: str = ""  # for enterprises: "vendor" (offers technology) or "user" (raises needs)

    def row(self) -> dict[str, object]:
        """The organisation as an import row."""
        row: dict[str, object] = {
            "external_id": self.ext_id,
            "name": self.name,
            "kind": self.kind,
            "province": self.province,
            "city": self.city,
            "size": self.size,
        }
        if self.park:
            row["park"] = self.park
        row["industries"] = self.industries
        row["description"] = self.description
        return row


@dataclass
class OrgBook:
    """All generated organisations with look-ups by domain and park."""

    orgs: list[Org] = field(default_factory=list)
    academic: dict[str, list[Org]] = field(default_factory=dict)
    companies: dict[str, list[Org]] = field(default_factory=dict)
    users: dict[str, list[Org]] = field(default_factory=dict)
    park_service: dict[str, Org] = field(default_factory=dict)
    general: list[Org] = field(default_factory=list)

    def users_in_park(self, park: str, domain: str) -> list[Org]:
        """User enterprises of a domain located in a demo park."""
        return [o for o in self.users.get(domain, []) if o.park == park]


def _province(rng: random.Random, guangxi_share: float) -> str:
    if rng.random() < guangxi_share:
        return "广西"
    others = [p for p in PROVINCE_CITIES if p != "广西"]
    weights = [EASTERN_WEIGHTS.get(p, 1) for p in others]
    return rng.choices(others, weights)[0]


def _city(rng: random.Random, province: str) -> str:
    cities = PROVINCE_CITIES[province]
    if province == "广西" and rng.random() < 0.8:
        return rng.choice(list(CITY_PARK))
    return rng.choice(cities)


class _Namer:
    """Draws names part by part (one option from each tuple) until the name is not yet taken."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng, self.taken = rng, set(taken)

    def unique(self, *options: tuple[str, ...]) -> tuple[str, ...]:
        for _ in range(200):
            parts = tuple(self.rng.choice(o) for o in options)
            name = "".join(parts)
            if name not in self.taken:
                self.taken.add(name)
                return (name, *parts)
        raise RuntimeError("could not find a unique organisation name")


def build_orgs(rng: random.Random, domains: tuple[Domain, ...], demo_names: set[str]) -> OrgBook:
    """Create universities, institutes, enterprises, park service centres and investors."""
    book, namer = OrgBook(), _Namer(rng, demo_names)
    counter = iter(range(1, 1000))

    def add(
        name: str,
        kind: str,
        prov: str,
        city: str,
        size: str,
        inds: list[str],
        desc: str,
        doms: list[str],
        short: str = "",
        park_share: float = 0.7,
    ) -> Org:
        park = CITY_PARK.get(city) if prov == "广西" and rng.random() < park_share else None
        org = Org(
            f"X-ORG-{next(counter):03d}",
            name,
            kind,
            prov,
            city,
            size,
            park,
            inds[:3],
            desc,
            doms,
            short or name,
        )
        book.orgs.append(org)
        return org

    by_field: dict[str, list[Domain]] = {}
    for d in domains:
        by_field.setdefault(d.field, []).append(d)
    for field_zh, doms in by_field.items():
        inds = sorted({i for d in doms for i in d.industries})
        for _ in range(1 if len(doms) < 3 else 2):
            prov = _province(rng, 0.35)
            city = _city(rng, prov)
            places = PLACE_WORDS[prov]
            acads = FIELD_ACADEMIC.get(field_zh, ("理工",))
            if rng.random() < 0.55:
                uni_suffixes = (
                    ("学院",) if "职业技术" in acads else ("大学", "学院", "职业技术学院")
                )
                name, _, acad, _ = namer.unique(places, acads, uni_suffixes)
                kind, size = "university", rng.choice(("large", "medium", "medium", "small"))
                level = "高职院校" if "职业" in name else "本科高校"
                desc = (
                    f"以{acad}学科见长的{level}，设有{rng.randint(6, 22)}个二级学院，"
                    f"在{field_zh}方向建有省级科研平台，近五年承担横向课题{rng.randint(20, 160)}项。"
                )
            else:
                kinds = ("研究院", "研究所", "工程技术研究中心")
                name = namer.unique(places, doms[0].owner_words, kinds)[0]
                kind, size = "research_institute", rng.choice(("medium", "small"))
                desc = (
                    f"从事{field_zh}领域技术研发与成果转化的"
                    f"{rng.choice(('新型研发机构', '省属科研院所', '行业工程技术研究中心'))}，"
                    f"现有研发人员{rng.randint(25, 260)}人，建有中试与检测平台。"
                )
            org = add(name, kind, prov, city, size, inds, desc, [d.key for d in doms])
            for d in doms:
                book.academic.setdefault(d.key, []).append(org)

    for i in range(8):
        prov = "广西" if i < 4 else rng.choice(list(EASTERN_WEIGHTS))
        city = _city(rng, prov)
        name = namer.unique(
            PLACE_WORDS[prov], ("理工", "工业", "科技", "应用技术"), ("大学", "学院")
        )[0]
        picked = rng.sample(domains, 14)
        inds = sorted({i for d in picked for i in d.industries})
        desc = (
            f"多科性本科高校，工、管、医、文多学科协调发展，设有技术转移中心，"
            f"每年对外转化成果{rng.randint(20, 90)}项。"
        )
        book.general.append(
            add(name, "university", prov, city, "large", inds, desc, [d.key for d in picked])
        )

    for d in domains:
        for j, role in enumerate(("vendor", "vendor", "user", "user")):
            prov = _province(rng, 0.7 if role == "user" or j == 0 else 0.45)
            city = _city(rng, prov)
            word = rng.choice(d.owner_words if role == "vendor" else users(d))
            suffixes: tuple[str, ...] = ENTERPRISE_SUFFIXES if role == "vendor" else USER_SUFFIXES
            if word.endswith("集团"):
                suffixes = ("有限公司",)
            name, _, brand, _, _ = namer.unique((city,), BRANDS, (word,), suffixes)
            size = rng.choices(
                ("small", "medium", "large"), (5, 4, 1) if role == "vendor" else (6, 3, 1)
            )[0]
            size_zh = {"small": "小型", "medium": "中型", "large": "大型"}[size]
            if role == "vendor":
                desc = rng.choice(
                    (
                        f"主营{rng.choice(d.objects)}等产品，成立于{rng.randint(1998, 2021)}年，"
                        f"员工约{rng.randint(30, 900)}人。",
                        f"专注{d.field}领域的{size_zh}企业，"
                        f"产品销往{rng.choice(('华南地区', '全国', '东南亚', '欧美市场', '西南地区'))}。",
                    )
                )
            else:
                desc = rng.choice(
                    (
                        f"从事{word}业务的{size_zh}企业，成立于{rng.randint(1995, 2022)}年，"
                        f"员工约{rng.randint(20, 1500)}人。",
                        f"{city}本地{word}企业，业务覆盖{rng.choice(d.apps)}等领域。",
                    )
                )
            org = add(
                name,
                "enterprise",
                prov,
                city,
                size,
                list(d.industries),
                desc,
                [d.key],
                short=f"{brand}公司",
            )
            org.role = role
            target = book.companies if role == "vendor" else book.users
            target.setdefault(d.key, []).append(org)

    for park, park_name in PARK_NAMES.items():
        city = next(c for c, p in CITY_PARK.items() if p == park)
        kind_words = ("企业服务中心", "科技创新服务中心", "产业促进中心", "创新创业服务中心")
        name = namer.unique((park_name,), kind_words)[0]
        desc = f"{park_name}下属服务机构，负责企业服务、应用场景开放和技术对接。"
        org = add(
            name,
            "park_management",
            "广西",
            city,
            "small",
            ["digital-economy"],
            desc,
            [],
            park_share=1.0,
        )
        book.park_service[park] = org
    for prov in ("江苏", "浙江", "广东", "山东"):
        city = _city(rng, prov)
        name = namer.unique(PLACE_WORDS[prov], ("产业园管理委员会",))[0]
        add(
            name,
            "park_management",
            prov,
            city,
            "medium",
            ["advanced-equipment"],
            "省级产业园区管理机构，负责招商引资、企业服务与产学研对接。",
            [],
        )
    for _ in range(10):
        prov = _province(rng, 0.3)
        city = _city(rng, prov)
        name = namer.unique(
            PLACE_WORDS[prov], ("创业投资", "产业投资", "科创基金", "融资担保"), ("有限公司",)
        )[0]
        f1, f2 = rng.sample(sorted(by_field), 2)
        add(
            name,
            "investor",
            prov,
            city,
            rng.choice(("small", "medium")),
            ["digital-economy"],
            f"关注{f1}、{f2}等领域早中期项目的投资机构，管理基金规模约{rng.randint(2, 40)}亿元。",
            [],
        )
    return book


def park_manager(rng: random.Random, book: OrgBook, park: str) -> str:
    """Scenario owner for a park: the demo 管委会 or the generated service centre."""
    if rng.random() < 0.65:
        return DEMO_PARK_MANAGERS[park]
    return book.park_service[park].ext_id
