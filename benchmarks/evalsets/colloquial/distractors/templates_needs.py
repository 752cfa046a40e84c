"""Title and description templates for distractor enterprise needs (企业技术需求)."""

from __future__ import annotations

import random

from .phrases import Facts, joined, target
from .templates import fit_length

IMPACTS = {
    "production": (
        "客户投诉不断",
        "每年因此多花几十万元",
        "经常影响交期",
        "人工成本越来越高",
        "环保检查压力很大",
        "产品卖不上价",
        "已经丢过大客户的订单",
    ),
    "service": (
        "客户投诉不断",
        "每年因此多花不少钱",
        "效率一直上不去",
        "管理成本越来越高",
        "一线员工意见很大",
        "影响公司口碑",
        "上级检查时很被动",
    ),
    "farm": (
        "每年因此损失不少",
        "人工越来越难招",
        "效益一直上不去",
        "环保检查压力很大",
        "合作社社员意见很大",
    ),
}
CONSTRAINTS = {
    "production": (
        "改造最好不停产完成",
        "要适应南方高温高湿的环境",
        "希望一年内见效",
        "供应方需提供现场调试和培训",
        "优先考虑区内或周边的团队",
        "需要有同类企业的成功案例",
    ),
    "service": (
        "希望三个月内上线",
        "要能和现有系统对接",
        "供应方需提供培训和运维",
        "优先考虑区内或周边的团队",
        "需要有同类单位的成功案例",
        "操作要简单，员工年龄偏大",
    ),
    "farm": (
        "要适应南方高温高湿的环境",
        "设备要皮实、好维护",
        "希望一个养殖季内见效",
        "供应方需提供现场指导",
        "投入要控制在可承受范围内",
    ),
}
TRIED = (
    "找设备厂家改过一次",
    "自己摸索了大半年",
    "请外面的老师傅来看过",
    "试过两家供应商的方案",
    "买过一套外地的产品但不适用",
    "按行业资料改过参数",
)
TRENDS = (
    "环保要求趋严",
    "人工成本逐年上涨",
    "客户要求越来越高",
    "行业标准更新",
    "同行都在升级改造",
    "业务量增长很快",
)
COOP_ZH = {
    "transfer": "技术转让",
    "license": "技术许可",
    "equity": "技术入股",
    "joint-dev": "合作开发",
    "service": "技术服务",
}


def scale_phrase(rng: random.Random, size: str, sector: str) -> str:
    """How an enterprise describes its size, in words that fit its sector."""
    staff = {
        "small": rng.randint(15, 120),
        "medium": rng.randint(150, 500),
        "large": rng.randint(6, 30) * 100,
    }[size]
    lines = {"small": rng.randint(1, 3), "medium": rng.randint(3, 8), "large": rng.randint(8, 20)}[
        size
    ]
    if sector == "service":
        money = {
            "small": f"{rng.randint(5, 40) * 100}万元",
            "medium": f"{rng.randint(5, 30)}千万元",
            "large": f"{rng.randint(5, 40)}亿元",
        }[size]
        return rng.choice(
            (
                f"员工{staff}人，年营业收入约{money}",
                f"员工{staff}人，业务覆盖{rng.randint(2, 14)}个市县",
            )
        )
    if sector == "farm":
        return rng.choice(
            (
                f"员工{staff}人，年产值约{rng.randint(8, 200) * 100}万元",
                f"基地面积{rng.randint(2, 60) * 100}亩，员工{staff}人",
            )
        )
    money = {
        "small": f"{rng.randint(8, 50) * 100}万元",
        "medium": f"{rng.randint(6, 30) * 1000}万元",
        "large": f"{rng.randint(5, 40)}亿元",
    }[size]
    return rng.choice((f"员工{staff}人，年产值约{money}", f"有{lines}条生产线，员工{staff}人"))


def need_title(f: Facts, rng: random.Random) -> str:
    """A 10–30 character need title, often in the enterprise's own words."""
    a = f.angle
    options = [
        f"{joined(f.obj, a.pain)}，求解决方案",
        f"寻求{f.thing}技术合作",
        f"{f.obj}{a.goal}技术需求",
        f"{a.pain}，怎么解决",
        f"{f.scene}{a.goal}改造需求",
        f"求购{f.thing}",
        f"{a.pain}，想找{a.goal}的办法",
        f"{joined(f.obj, a.method)}联合开发",
        f"征集{f.obj}{a.goal}技术方案",
    ]
    rng.shuffle(options)
    for title in options:
        if 10 <= len(title) <= 30:
            return title
    return f"{f.obj}{a.goal}技术需求"[:30]


def need_description(
    f: Facts,
    rng: random.Random,
    company: str,
    trade: str,
    scale: str,
    budget: str,
    coop: list[str],
    sector: str,
) -> str:
    """An 80–250 character need description in one of several enterprise writing styles."""
    a = f.angle
    tgt = target(f, rng)
    cur = f"{f.metric}目前在{f.old}{f.unit}左右"
    coop_zh = "或".join(COOP_ZH[c] for c in coop) if coop else "多种方式"
    impact, tried = rng.choice(IMPACTS[sector]), rng.choice(TRIED)
    constraint, trend = rng.choice(CONSTRAINTS[sector]), rng.choice(TRENDS)
    money = f"预算{budget}万元左右" if budget else "预算面议"
    styles: list[list[tuple[str, bool]]] = [
        [
            (f"我们是{f.city}一家{trade}企业，{scale}。", False),
            (f"{a.problem}，{cur}，{impact}。", False),
            (f"想找{a.method}方面的成熟技术或产品，希望{tgt}。", False),
            (f"{money}，可接受{coop_zh}。", True),
        ],
        [
            (f"需求内容：{a.problem}，拟引进或联合开发{f.thing}。", False),
            (f"预期目标：{tgt}；{f.specs[0]}。", False),
            (f"现有基础：{company}{scale}。", True),
            (f"{money}。", True),
        ],
        [
            (
                f"公司主要做{trade}，{scale}。目前存在以下问题：（1）{a.problem}；（2）{cur}，{impact}。",
                False,
            ),
            (f"需求：{tgt}，{constraint}。", False),
            (f"合作方式：{coop_zh}。", True),
        ],
        [
            (f"{a.problem}，{impact}。", False),
            (f"现寻求{f.thing}相关技术，{constraint}，{money}。", False),
            (f"之前{tried}，效果一般。", True),
        ],
        [
            (f"随着{trend}，我们对{a.goal}的要求越来越高。", False),
            (f"公司{scale}，但{a.problem}。", False),
            (f"希望与高校或科研院所合作，开发{f.thing}，使{tgt}。", False),
            (f"{money}。", True),
        ],
        [
            (f"我司是{trade}企业，{scale}，{joined(f.obj, a.pain)}。", False),
            (f"之前{tried}，效果不理想。", False),
            (f"想引进成熟的{f.thing}，{tgt}，{constraint}。", False),
            (f"{money}。", True),
        ],
        [
            (f"{company}位于{f.city}，{scale}。", False),
            (f"目前{a.problem}，{cur}。", False),
            (f"拟通过{coop_zh}解决，要求{tgt}，{f.specs[0]}。", False),
            (f"{impact}，比较急。", True),
        ],
    ]
    return fit_length(rng.choice(styles), [f"{money}。", f"{constraint}。"])
