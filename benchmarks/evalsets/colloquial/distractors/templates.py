"""Title and summary templates for distractor achievements (科技成果)."""

from __future__ import annotations

import random

from .phrases import Facts, improvement, joined, with_kind

SOFT_KINDS = ("系统", "平台", "软件", "模型", "算法", "工具", "服务", "方法", "方案")
PROCESS_KINDS = ("工艺", "配方", "材料", "技术")
COST_PAINS = (
    "人工和能耗成本居高不下",
    "每年因此损失数十万元",
    "投诉和返工时有发生",
    "环保和安全检查压力大",
    "交付经常被拖延",
    "管理成本越来越高",
)
ACADEMIC_TEAMS = ("课题组", "研究团队", "工程技术中心", "重点实验室")
COMPANY_TEAMS = ("研发中心", "技术部", "研发团队", "工程部")


def _vars(f: Facts, rng: random.Random) -> dict[str, str]:
    a = f.angle
    return {
        "p": a.problem,
        "op": joined(f.obj, a.problem),
        "obj": f.obj,
        "scene": f.scene,
        "method": a.method,
        "kind": a.kind,
        "thing": f.thing,
        "goal": a.goal,
        "metric": f.metric,
        "unit": f.unit,
        "old": f.old,
        "new": f.new,
        "s1": f.specs[0],
        "s2": f.specs[-1],
        "city": f.city,
        "imp": improvement(f, rng),
        "apps": "、".join(rng.sample(f.domain.apps, 2)),
        "pain": rng.choice(COST_PAINS),
        "field": f.domain.field,
    }


def achievement_title(f: Facts, rng: random.Random) -> str:
    """A 10–30 character title for an achievement."""
    a = f.angle
    kind = "技术" if a.kind in ("结构", "电路", "设计", "设施", "产品") else a.kind
    thing = with_kind(a.method, kind)
    options = [
        joined(f.obj, thing),
        f"基于{a.method}的{f.obj}{a.goal}{kind}" if len(a.goal) <= 2 else "",
        f"面向{f.scene}的{thing}",
        f"{f.obj}{a.goal}关键技术",
        f"{thing}及其应用",
        f"一种{joined(f.obj, '用' + thing) if not shares_obj(f) else thing}",
        f"{thing}研发与产业化",
        f"{f.obj}{a.goal}{'解决方案' if a.kind in SOFT_KINDS else '成套技术'}",
    ]
    rng.shuffle(options)
    for title in options:
        if 10 <= len(title) <= 30 and title.count(f.obj) <= 1:
            return title
    return joined(f.obj, thing)[:30]


def shares_obj(f: Facts) -> bool:
    """Whether the method phrase already names the object."""
    return joined(f.obj, f.angle.method) == f.angle.method


def _volume(f: Facts, rng: random.Random) -> str:
    kind = f.angle.kind
    if kind in ("材料", "配方"):
        return f"累计供货{rng.randint(5, 300)}吨"
    if kind in ("工艺", "技术"):
        return f"累计应用于{rng.randint(3, 25)}条产线或项目"
    if kind in SOFT_KINDS:
        return f"累计部署{rng.randint(8, 150)}套"
    return f"累计交付{rng.randint(10, 400)}台套"


def _stage(f: Facts, rng: random.Random, trl: int) -> str:
    kind, soft = f.angle.kind, f.angle.kind in SOFT_KINDS
    year = rng.choice(("2023", "2024", "2025", "2026"))
    if trl <= 2:
        pool = [
            "目前处于原理研究阶段，已完成机理分析与关键参数仿真。",
            "已完成原理验证，正在寻找有应用场景的企业共同推进。",
            "现阶段以理论建模和探索性实验为主，距离工程化还有较多工作。",
        ]
    elif trl <= 4:
        if soft:
            pool = [
                "已完成原型开发，在历史数据上完成离线测试。",
                f"原型系统已在{rng.randint(1, 3)}家单位的测试环境中运行。",
            ]
        elif kind in PROCESS_KINDS:
            pool = [
                f"已完成实验室小试，在{rng.randint(6, 40)}批样品上验证了效果。",
                "小试工艺已基本定型，尚未在生产线上验证。",
            ]
        else:
            pool = [
                f"原理样机已在实验室连续运行{rng.randint(200, 1500)}小时，待中试放大。",
                "已完成样机试制和台架测试，待现场验证。",
            ]
    elif trl <= 6:
        what = "试点" if soft else "中试"
        pool = [
            f"{year}年在{f.city}的{f.scene}完成{rng.randint(3, 12)}个月{what}。",
            f"已在{f.city}{f.scene}开展现场试用，累计运行{rng.randint(3, 10)}个月。",
            f"已在{rng.randint(2, 4)}家用户处{what}，正在根据反馈完善。",
        ]
    elif trl <= 8:
        pool = [
            f"已在{f.scene}等场景推广应用{rng.randint(3, 20)}个项目，运行稳定。",
            f"已在{f.city}等地投入使用，{_volume(f, rng)}。",
            f"已实现小批量应用，{_volume(f, rng)}。",
        ]
    else:
        pool = [
            f"技术已定型并规模应用{rng.randint(2, 8)}年，{_volume(f, rng)}。",
            f"技术成熟，已服务客户{rng.randint(30, 400)}家。",
        ]
    return rng.choice(pool)


def _ip(f: Facts, rng: random.Random, ipr: str, patents: list[str]) -> str:
    if ipr == "granted":
        return rng.choice(
            [
                f"已获授权发明专利{len(patents)}项。",
                f"核心技术已获发明专利授权（{patents[0]}）。",
                f"拥有授权发明专利{len(patents)}项、实用新型专利{rng.randint(1, 6)}项。",
            ]
        )
    if ipr == "applied":
        return rng.choice([f"已申请发明专利{len(patents)}项。", "核心方法已提交发明专利申请。"])
    if f.angle.kind in SOFT_KINDS:
        return f"已登记软件著作权{rng.randint(1, 5)}项。"
    return rng.choice(["关键工艺参数以技术秘密形式保护。", ""])


def _cost(f: Facts, rng: random.Random, v: dict[str, str]) -> str:
    pool = [
        f"适用于{v['apps']}。",
        f"可推广至{v['apps']}等场景。",
        f"按中等规模用户测算，每年可节约成本约{rng.randint(8, 150)}万元。",
    ]
    if f.angle.kind in SOFT_KINDS:
        pool.append(
            f"软件授权与实施费用约{rng.randint(3, 60)}万元，{rng.randint(1, 6)}个月内可上线。"
        )
    else:
        pool.append(f"单套投入约{rng.randint(3, 180)}万元，预计{rng.randint(6, 30)}个月收回成本。")
    return rng.choice(pool)


def achievement_summary(
    f: Facts, rng: random.Random, trl: int, ipr: str, patents: list[str], owner: str, academic: bool
) -> str:
    """An 80–250 character summary: problem, method, numbers, stage; several sentence orders."""
    v = _vars(f, rng)

    def fmt(pool: list[str]) -> str:
        return rng.choice(pool).format(**v)

    bg = fmt(
        [
            "{scene}普遍存在{p}的情况，{metric}一般在{old}{unit}左右。",
            "目前不少{scene}{p}，{metric}通常为{old}{unit}。",
            "{p}是{scene}长期面临的难题，{pain}。",
            "在{scene}，{p}，{pain}。",
            "传统做法下{p}，{metric}约{old}{unit}，{pain}。",
        ]
    )
    method_imp = fmt(
        [
            "本成果采用{thing}，{s1}，{imp}。",
            "项目组研发了{thing}，在{s1}的条件下，{imp}。",
            "团队形成了{thing}，{imp}，{s1}。",
            "通过{method}，{imp}，{s1}。",
        ]
    )
    method_only = fmt(
        [
            "本成果采用{thing}，{s1}。",
            "核心是{method}，{s1}，{s2}。",
            "成果包括{thing}及配套操作规范，{s1}。",
            "技术路线为{method}，{s1}。",
        ]
    )
    result = fmt(
        ["实测{imp}。", "经第三方检测，{imp}。", "与原有方式相比，{imp}。", "应用数据显示{imp}。"]
    )
    stage, ip, cost = _stage(f, rng, trl), _ip(f, rng, ipr, patents), _cost(f, rng, v)
    team_word = rng.choice(ACADEMIC_TEAMS if academic else COMPANY_TEAMS)
    team = rng.choice(
        [
            f"成果由{owner}{team_word}完成，团队在{f.domain.field}方向积累{rng.randint(4, 20)}年。",
            f"{owner}{team_word}长期从事{f.domain.field}技术开发，"
            f"已形成从小试到现场应用的完整资料。",
        ]
    )
    labels = rng.choice(
        [
            ("技术内容", "主要指标", "应用情况"),
            ("成果简介", "技术指标", "转化情况"),
            ("【技术特点】", "【性能指标】", "【应用现状】"),
        ]
    )
    sep = "" if labels[0].startswith("【") else "："
    skeletons: list[list[tuple[str, bool]]] = [
        [(bg, False), (method_imp, False), (stage, False), (cost, True)],
        [(f"针对{v['op']}的问题，" + method_imp, False), (stage, False), (ip, True)],
        [(method_only, False), (result, False), (bg, True), (stage, False), (ip, True)],
        [(team, True), (method_imp, False), (stage, False), (cost, True)],
        [(bg, False), (method_only, False), (result, False), (ip, True), (cost, True)],
        [
            (f"{labels[0]}{sep}{f.thing}，用于解决{v['op']}的问题。", False),
            (f"{labels[1]}{sep}{v['imp']}；{v['s1']}；{v['s2']}。", False),
            (f"{labels[2]}{sep}{stage}", False),
            (ip, True),
        ],
        [
            (f"（1）{v['thing']}，{v['s1']}；（2）{v['imp']}；（3）{v['s2']}。", False),
            (bg, True),
            (stage, False),
            (cost, True),
        ],
        [
            (f"{f.thing}是面向{f.scene}的{f.angle.goal}方案。", False),
            (method_only, False),
            (result, False),
            (stage, False),
            (ip, True),
        ],
    ]
    return fit_length(rng.choice(skeletons), [cost, ip])


def fit_length(
    parts: list[tuple[str, bool]], extras: list[str], low: int = 80, high: int = 250
) -> str:
    """Join sentences, dropping optional ones from the end until ≤ high, padding with extras to ≥ low."""
    kept = [p for p in parts if p[0]]
    text = "".join(s for s, _ in kept)
    while len(text) > high and any(opt for _, opt in kept):
        idx = max(i for i, (_, opt) in enumerate(kept) if opt)
        kept.pop(idx)
        text = "".join(s for s, _ in kept)
    for extra in extras:
        if len(text) >= low:
            break
        if extra and extra.rstrip("。") not in text and len(text) + len(extra) <= high:
            text += extra
    return text
