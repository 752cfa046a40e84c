"""Vocabulary data model: a field domain, its problem/method angles and numeric specs."""

from __future__ import annotations

from dataclasses import dataclass

UNRELATED = "unrelated"
NEAR_MISS = "near-miss"


@dataclass(frozen=True)
class Angle:
    """One coherent technical story inside a domain: a problem, the method that answers it, a metric."""

    problem: str  # descriptive problem, 8–26 characters
    pain: str  # short colloquial complaint for need titles, 4–12 characters
    method: str  # short method / product phrase, 5–14 characters
    kind: str  # what the achievement is: 工艺, 装置, 系统, 材料, 方法, 平台, 配方, 设备, 技术
    goal: str  # short goal, 2–6 characters
    metric: str  # name of the measured quantity
    unit: str
    old: tuple[float, float]  # typical value before (range)
    new: tuple[float, float]  # value reached by the method (range)
    keywords: tuple[str, ...]

    @property
    def lower_is_better(self) -> bool:
        """Whether the metric improves by going down."""
        return self.new[1] < self.old[0]


@dataclass(frozen=True)
class Spec:
    """A sentence fragment carrying one concrete number, e.g. '单线产能{n}件/小时'."""

    text: str
    low: float
    high: float


@dataclass(frozen=True)
class Domain:
    """A narrow technical domain: everything needed to write items about it."""

    key: str
    group: str  # UNRELATED or NEAR_MISS
    field: str  # Chinese field name, e.g. 纺织服装
    industries: tuple[str, ...]
    objects: tuple[str, ...]
    scenes: tuple[str, ...]  # where it is used: 牛仔水洗厂 …
    angles: tuple[Angle, ...]
    specs: tuple[Spec, ...]
    apps: tuple[str, ...]
    keywords: tuple[str, ...]
    owner_words: tuple[str, ...]  # words for names of organisations working in the domain
    weight: float = 1.0


def _split(value: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return value
    return tuple(part.strip() for part in value.split("|") if part.strip())


def A(
    problem: str,
    pain: str,
    method: str,
    kind: str,
    goal: str,
    metric: str,
    unit: str,
    old: tuple[float, float],
    new: tuple[float, float],
    keywords: str,
) -> Angle:
    """Compact constructor for an angle; keywords are '|'-separated."""
    return Angle(problem, pain, method, kind, goal, metric, unit, old, new, _split(keywords))


def S(spec: str) -> Spec:
    """Parse 'text with {n}|low|high' into a Spec."""
    text, low, high = spec.rsplit("|", 2)
    return Spec(text, float(low), float(high))


def D(
    key: str,
    group: str,
    field: str,
    industries: str,
    objects: str,
    scenes: str,
    angles: tuple[Angle, ...],
    specs: tuple[str, ...],
    apps: str,
    keywords: str,
    owner_words: str,
    weight: float = 1.0,
) -> Domain:
    """Compact constructor for a domain; list-valued arguments are '|'-separated strings."""
    return Domain(
        key=key,
        group=group,
        field=field,
        industries=_split(industries),
        objects=_split(objects),
        scenes=_split(scenes),
        angles=angles,
        specs=tuple(S(s) for s in specs),
        apps=_split(apps),
        keywords=_split(keywords),
        owner_words=_split(owner_words),
        weight=weight,
    )
