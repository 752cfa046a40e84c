"""Number formatting and the per-item facts that every template draws on."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .model import Angle, Domain, Spec

# method phrases ending in one of these already name a thing; no kind word is appended
_THING_ENDINGS = (
    "器",
    "机",
    "线",
    "仪",
    "卡",
    "垫",
    "板",
    "体系",
    "系统",
    "平台",
    "方案",
    "模型",
    "算法",
    "配方",
    "工艺",
    "技术",
    "装置",
    "设备",
    "材料",
    "涂层",
    "膜",
    "浆",
    "剂",
    "箱",
    "池",
    "库",
    "中心",
    "罩",
    "盒",
    "桩",
    "组",
    "协议",
    "套件",
    "工具",
    "服务",
    "锁扣",
    "结构",
    "电路",
    "芯片",
    "模块",
    "推杆",
    "釉",
    "棉",
    "坯料",
    "网布",
    "机构",
    "基托树脂",
    "灯",
    "探头",
    "块",
    "筛网",
    "定子",
    "衬板",
    "托辊",
    "收",
    "电池",
    "电机",
    "镶块",
    "项圈",
    "外壳",
    "浸渍",
    "修复",
    "涂料",
    "母粒",
    "球皮",
    "卷材",
)


def decimals_of(value: float) -> int:
    """Decimal places a vocabulary number was written with (0–3)."""
    text = repr(float(value))
    whole, _, frac = text.partition(".")
    return 0 if frac in ("", "0") else min(len(frac), 3)


def nice_number(rng: random.Random, low: float, high: float) -> str:
    """A value in [low, high] written the way people write it (rounded, sensible decimals)."""
    dec = max(decimals_of(low), decimals_of(high))
    if low == high:
        return f"{low:.{dec}f}"
    if dec:
        return f"{rng.uniform(low, high):.{dec}f}"
    value = rng.randint(int(low), int(high))
    if value >= 10000:
        value = round(value, -3)
    elif value >= 1000:
        value = round(value, -2)
    elif value >= 200:
        value = round(value / 5) * 5
    return str(max(value, int(low)))


def spec_text(rng: random.Random, spec: Spec) -> str:
    """A spec fragment with its number filled in."""
    return spec.text.replace("{n}", nice_number(rng, spec.low, spec.high))


def with_kind(method: str, kind: str) -> str:
    """'纤维素酶低浴比水洗' + '工艺' → '纤维素酶低浴比水洗工艺'; no kind after a thing-noun."""
    if method.endswith(_THING_ENDINGS) or kind in ("结构", "电路", "设计", "设施"):
        return method
    return method + kind


@dataclass(frozen=True)
class Facts:
    """Everything one item says, drawn once so that title, text and fields agree."""

    domain: Domain
    angle: Angle
    obj: str
    scene: str
    old: str
    new: str
    specs: tuple[str, ...]
    city: str
    rng_seed: int

    @property
    def metric(self) -> str:
        """Measured quantity."""
        return self.angle.metric

    @property
    def unit(self) -> str:
        """Unit of the measured quantity."""
        return self.angle.unit

    @property
    def lower(self) -> bool:
        """Whether the metric improves downwards."""
        return self.angle.lower_is_better

    @property
    def thing(self) -> str:
        """The method named as a thing: method plus kind word where needed."""
        return with_kind(self.angle.method, self.angle.kind)


_STOP_CHARS = set("的机器料品件板材用与和及在中式型化性率高低大小多少后前不")


def fitting_objects(domain: Domain, angle: Angle) -> tuple[str, ...]:
    """The domain's objects that share the most meaningful characters with the angle (all if none do)."""
    story = set(angle.problem + angle.pain + angle.method) - _STOP_CHARS
    scores = [len(set(o) & story) for o in domain.objects]
    best = max(scores)
    if best == 0:
        return domain.objects
    return tuple(o for o, sc in zip(domain.objects, scores, strict=True) if sc == best)


def shares_words(a: str, b: str) -> bool:
    """Whether two phrases share a character bigram (so concatenating them would repeat words)."""
    grams = {a[i : i + 2] for i in range(len(a) - 1)}
    return any(b[i : i + 2] in grams for i in range(len(b) - 1))


def joined(obj: str, phrase: str) -> str:
    """obj + phrase, or the phrase alone when it already names the object."""
    return phrase if shares_words(obj, phrase) else obj + phrase


def draw_facts(rng: random.Random, domain: Domain, angle: Angle, city: str) -> Facts:
    """Draw object, scene, before/after numbers and two spec fragments for one item."""
    old = nice_number(rng, *angle.old)
    new = nice_number(rng, *angle.new)
    for _ in range(5):
        if new != old:
            break
        new = nice_number(rng, *angle.new)
    specs = tuple(spec_text(rng, s) for s in rng.sample(domain.specs, len(domain.specs)))
    return Facts(
        domain=domain,
        angle=angle,
        obj=rng.choice(fitting_objects(domain, angle) if rng.random() < 0.95 else domain.objects),
        scene=rng.choice(domain.scenes),
        old=old,
        new=new,
        specs=specs,
        city=city,
        rng_seed=rng.randrange(1 << 30),
    )


def improvement(f: Facts, rng: random.Random) -> str:
    """One way of saying how far the metric moved."""
    m, u, old, new = f.metric, f.unit, f.old, f.new
    try:
        a, b = float(old), float(new)
    except ValueError:
        a = b = 0.0
    rel = ""
    if a > 0 and u != "%":
        pct = abs(b - a) / a * 100
        if 5 <= pct <= 95:
            rel = f"{pct:.0f}%"
    if b == 0:
        return rng.choice([f"{m}由{old}{u}降为0", f"{m}基本降为0（原为{old}{u}）"])
    if u == "%" and b >= 100:
        return rng.choice([f"{m}由{old}%提高到100%", f"{m}达到100%（原为{old}%）"])
    if f.lower:
        options = [
            f"{m}由{old}{u}降至{new}{u}",
            f"{m}从原来的{old}{u}下降到{new}{u}",
            f"{m}控制在{new}{u}以内",
            f"{m}降到{new}{u}（原为{old}{u}）",
        ]
        if rel:
            options.append(f"{m}降低约{rel}")
    else:
        options = [
            f"{m}由{old}{u}提高到{new}{u}",
            f"{m}从{old}{u}提升至{new}{u}",
            f"{m}达到{new}{u}以上",
            f"{m}可达{new}{u}（原为{old}{u}）",
        ]
        if rel and a > 0 and float(new) / a < 3:
            options.append(f"{m}提高约{rel}")
        if u == "%":
            options.append(f"{m}提高{float(new) - a:.0f}个百分点")
    return rng.choice(options)


def target(f: Facts, rng: random.Random) -> str:
    """The goal stated as a requirement (for needs and scenarios)."""
    m, u, new = f.metric, f.unit, f.new
    if float(new) == 0:
        return rng.choice([f"{m}降为0", f"做到{m}为0"])
    if u == "%" and float(new) >= 100:
        return f"{m}达到100%"
    if f.lower:
        return rng.choice([f"{m}降到{new}{u}以下", f"{m}不超过{new}{u}", f"{m}控制在{new}{u}以内"])
    return rng.choice([f"{m}达到{new}{u}以上", f"{m}不低于{new}{u}", f"{m}提升到{new}{u}左右"])
