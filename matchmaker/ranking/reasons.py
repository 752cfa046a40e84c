"""Short Chinese reasons for a pair, each quoting only facts the features read from the data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matchmaker.core.taxonomy import industry_zh
from matchmaker.core.vocab import COOP_MODES
from matchmaker.ranking.features import FeatureSet

DEMAND_ZH = {"need": "需求", "scenario": "场景", "park": "园区"}
SMALL = 1e-9
CLOSE = 0.5  # calibrated semantic value from which a pair is called 语义相近


@dataclass(frozen=True)
class Reason:
    """One line a user reads, the feature it explains and that feature's share of the score."""

    feature: str
    text: str
    contribution: float

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return {
            "feature": self.feature,
            "text": self.text,
            "contribution": round(self.contribution, 4),
        }


def money(value: float) -> str:
    """80.0 → '80', 12.5 → '12.5' (万元 amounts as people write them)."""
    return f"{value:g}"


def money_range(low: float | None, high: float | None) -> str:
    """'80–150 万元', '不低于 80 万元', '不超过 150 万元'."""
    if low is not None and high is not None:
        return f"{money(low)} 万元" if low == high else f"{money(low)}–{money(high)} 万元"
    if low is not None:
        return f"不低于 {money(low)} 万元"
    if high is not None:
        return f"不超过 {money(high)} 万元"
    return "面议"


def industries_zh(codes: list[str]) -> str:
    """Chinese industry names joined with 、."""
    return "、".join(industry_zh(c) for c in codes)


def _trl(facts: Mapping[str, Any]) -> str | None:
    trl, wanted = facts.get("trl"), facts["wanted"]
    if trl is None:
        return None
    who = DEMAND_ZH.get(facts["demand_kind"], "需求")
    if facts["stated"]:
        if trl >= wanted:
            return f"成熟度 TRL{trl}，满足{who} TRL≥{wanted}"
        return f"成熟度 TRL{trl}，低于{who}要求的 TRL≥{wanted}（偏早期）"
    if trl >= wanted:
        return f"成熟度 TRL{trl}，达到{who}落地通常所需的 TRL≥{wanted}"
    return f"成熟度 TRL{trl}，低于{who}落地通常所需的 TRL≥{wanted}（偏早期）"


def _budget(facts: Mapping[str, Any]) -> str | None:
    verdict = facts["verdict"]
    price_min, price_max = facts["price"]
    budget_min, budget_max = facts["budget"]
    if verdict == "unknown":
        return None
    price = money_range(price_min, price_max)
    budget = money_range(budget_min, budget_max)
    if verdict == "over":
        return f"报价 {price}，高于预算上限 {money(budget_max)} 万元"
    if price_max is not None and budget_max is not None and price_max <= budget_max:
        return f"报价 {price}，在预算 {budget}内"
    return f"报价 {price}，与预算 {budget}部分重合"


def _region(facts: Mapping[str, Any]) -> str | None:
    verdict, owner, province = facts["verdict"], facts["owner"], facts["province"]
    if owner is None:
        return None
    if verdict == "east_to_guangxi":
        return f"东部研发来源（{province}·{owner}），可在广西集成转化"
    if verdict == "local_not_eastern":
        return f"单位在广西（{owner}），非东部研发来源"
    if verdict == "same_city":
        return f"本地单位：{facts['city']}·{owner}"
    if verdict == "guangxi":
        return f"区内单位：广西·{owner}"
    return f"区外单位：{province}·{owner}"


def _modes(modes: list[str]) -> str:
    return "、".join(COOP_MODES.get(m, m) for m in modes)


def _coop(facts: Mapping[str, Any]) -> str | None:
    if facts["shared"]:
        return "合作方式一致：" + _modes(facts["shared"])
    if facts["offered"] and facts["wanted"]:
        who = DEMAND_ZH.get(facts["demand_kind"], "需求")
        return f"合作方式不一致：可{_modes(facts['offered'])}，{who}希望{_modes(facts['wanted'])}"
    return None


def feature_reasons(
    features: FeatureSet,
    contributions: Mapping[str, float],
    *,
    cosine: float | None,
    terms: list[str],
    via: str | None = None,
    terms_with: str = "",
) -> list[Reason]:
    """Reasons for the features that say something about this pair, largest contribution first."""
    facts = features.facts
    lines: list[Reason] = []

    def add(feature: str, text: str | None) -> None:
        if text:
            lines.append(Reason(feature, text, contributions.get(feature, 0.0)))

    if cosine is not None:
        close = "语义相近" if features.values.get("semantic", 0.0) >= CLOSE else "语义相似度一般"
        where = f"与{via}" if via else "内容"
        add("semantic", f"{where}{close}（向量相似度 {cosine:.2f}）")
    if terms:
        add("lexical", f"{terms_with}共同技术词：" + "、".join(terms))
    shared = facts["industry"]["shared"]
    if shared:
        add("industry", "同属产业：" + industries_zh(shared))
    park = facts["park_industry"]
    if park["shared"] and park["park"]:
        add("park_industry", f"属{park['park']}主导产业：{industries_zh(park['shared'])}")
    add("trl", _trl(facts["trl"]))
    add("coop", _coop(facts["coop"]))
    add("budget", _budget(facts["budget"]))
    add("region", _region(facts["region"]))
    fresh = facts["freshness"]
    if fresh["updated"] is not None and fresh["age_days"] is not None:
        add("freshness", f"更新于 {fresh['updated'].isoformat()}（{fresh['age_days']} 天前）")
    cues = facts["asean"]["cues"]
    if cues:
        add("asean", "面向东盟市场：" + "、".join(cues))
    positive = sorted((r for r in lines if r.contribution >= -SMALL), key=lambda r: -r.contribution)
    negative = sorted((r for r in lines if r.contribution < -SMALL), key=lambda r: r.contribution)
    return positive + negative


def diversity_reason(penalty: float, earlier: int, owner: str | None) -> Reason | None:
    """Why a pair sits lower than its score alone would put it (same owner already listed)."""
    if penalty <= SMALL or not earlier:
        return None
    name = owner or "同一单位"
    return Reason("diversity", f"{name}已有 {earlier} 项排在前面，适当降权", -penalty)
