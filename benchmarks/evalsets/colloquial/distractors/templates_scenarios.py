"""Title, description and capability templates for distractor application scenarios (应用场景)."""

from __future__ import annotations

import random

from .phrases import Facts, target
from .templates import fit_length

RESOURCES = {
    "production": ("{n}条生产线", "{n}个应用现场", "{n}家企业的生产现场", "园区公共服务平台"),
    "service": (
        "{n}个业务网点",
        "{n}家单位的真实业务场景",
        "业务数据接口",
        "{n}个示范点位",
        "园区公共服务平台",
    ),
    "farm": ("{n}个养殖或种植基地", "{n}家企业的生产现场", "示范基地", "园区公共服务平台"),
}
PURCHASES = (
    "试点达标后由企业联合采购",
    "效果达标后纳入园区首购首用清单",
    "按试点效果付费",
    "园区对改造投入给予{n}%的补贴",
    "验证通过后在园区内推广",
)
EXTRAS = (
    "供应方需具备同类项目经验",
    "方案须兼容企业现有设备",
    "试点期间园区协调场地和水电",
    "欢迎高校团队与企业联合申报",
    "须提供运维培训和半年质保",
)


def scenario_title(f: Facts, rng: random.Random, park: str, city: str) -> str:
    """A 10–30 character scenario title tied to the park."""
    a = f.angle
    options = [
        f"{park}{f.scene}{a.goal}应用场景",
        f"{city}{f.obj}{a.goal}试点",
        f"{park}{a.method}示范项目征集",
        f"{f.scene}{a.method}场景开放",
        f"{park}{f.obj}{a.goal}示范",
        f"{city}{f.scene}{a.goal}改造场景",
    ]
    rng.shuffle(options)
    for title in options:
        if 10 <= len(title) <= 30:
            return title
    return f"{park}{a.goal}应用场景"[:30]


def scenario_description(
    f: Facts, rng: random.Random, park: str, owner: str, months: int, sector: str, trade: str
) -> str:
    """An 80–250 character scenario description: who opens what, for how long, with what target."""
    a = f.angle
    n = rng.randint(3, 30)
    resource = rng.choice(RESOURCES[sector]).replace("{n}", str(rng.randint(2, 8)))
    purchase = rng.choice(PURCHASES).replace("{n}", str(rng.choice((20, 30, 40, 50))))
    extra = rng.choice(EXTRAS)
    tgt = target(f, rng)
    styles: list[list[tuple[str, bool]]] = [
        [
            (
                f"{park}及周边有{n}家{trade}企业，普遍存在{a.problem}的问题，{f.metric}约{f.old}{f.unit}。",
                False,
            ),
            (f"{owner}开放{resource}作为试点，试点期{months}个月，要求{tgt}。", False),
            (f"{purchase}。", True),
            (f"{extra}。", True),
        ],
        [
            (f"{owner}计划在{park}开展{f.obj}{a.goal}试点。", False),
            (f"现状：{a.problem}。", False),
            (f"需求：引入{f.thing}，{tgt}，{f.specs[0]}。", False),
            (f"提供{resource}，周期{months}个月，{purchase}。", True),
        ],
        [
            (f"为解决{f.scene}{a.problem}的问题，{owner}面向社会征集{f.thing}。", False),
            (f"场景提供{resource}，{extra}。", False),
            (f"考核指标：{tgt}。", False),
            (f"{purchase}。", True),
        ],
    ]
    return fit_length(rng.choice(styles), [f"{purchase}。", f"{extra}。"])


def capabilities(f: Facts, rng: random.Random) -> list[str]:
    """Three to five capabilities a solution provider must bring."""
    a = f.angle
    pool = [
        a.method,
        f"{a.goal}方案设计",
        *a.keywords[:2],
        "现场安装调试",
        "运维培训",
        f"{f.domain.field}项目经验",
    ]
    seen: list[str] = []
    for item in pool:
        if item not in seen:
            seen.append(item)
    return seen[: rng.randint(3, 5)]
