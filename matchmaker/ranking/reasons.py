"""Short reasons for a pair, each quoting only facts the features read from the data; kept as
messages (`core.messages.Text`) so every reader gets them in their language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matchmaker.core.messages import LabelList, Text
from matchmaker.ranking.features import FeatureSet

SMALL = 1e-9
CLOSE = 0.5  # calibrated semantic value from which a pair is called 语义相近


@dataclass(frozen=True)
class Reason:
    """One line a user reads, the feature it explains and that feature's share of the score."""

    feature: str
    message: Text
    contribution: float

    @property
    def text(self) -> str:
        """The reason in Chinese (the API's and CLI's language for reasons)."""
        return self.message.render("zh")

    def text_in(self, lang: str) -> str:
        """The reason in the reader's language."""
        return self.message.render(lang)

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return {
            "feature": self.feature,
            "text": self.text,
            "contribution": round(self.contribution, 4),
        }


def side(kind: str) -> Text:
    """How a reason names one side of a pair (成果/需求/场景/园区)."""
    return Text(f"rank.side.{kind}")


def money(value: float) -> str:
    """80.0 → '80', 12.5 → '12.5' (万元 amounts as people write them)."""
    return f"{value:g}"


def money_range(low: float | None, high: float | None) -> Text:
    """'80–150 万元', '不低于 80 万元', '不超过 150 万元', '面议'."""
    if low is not None and high is not None:
        if low == high:
            return Text("rank.money.one", value=money(low))
        return Text("rank.money.range", low=money(low), high=money(high))
    if low is not None:
        return Text("rank.money.min", value=money(low))
    if high is not None:
        return Text("rank.money.max", value=money(high))
    return Text("rank.money.open")


def _trl(facts: Mapping[str, Any]) -> Text | None:
    trl, wanted = facts.get("trl"), facts["wanted"]
    if trl is None:
        return None
    who = side(
        facts["demand_kind"] if facts["demand_kind"] in ("need", "scenario", "park") else "need"
    )
    if facts["stated"]:
        key = "rank.trl.meets" if trl >= wanted else "rank.trl.below"
    else:
        key = "rank.trl.typical_meets" if trl >= wanted else "rank.trl.typical_below"
    return Text(key, trl=trl, wanted=wanted, side=who)


def _budget(facts: Mapping[str, Any]) -> Text | None:
    verdict = facts["verdict"]
    price_min, price_max = facts["price"]
    budget_min, budget_max = facts["budget"]
    if verdict == "unknown":
        return None
    price = money_range(price_min, price_max)
    budget = money_range(budget_min, budget_max)
    if verdict == "over":
        return Text(
            "rank.budget.over", price=price, limit=Text("rank.money.one", value=money(budget_max))
        )
    if price_max is not None and budget_max is not None and price_max <= budget_max:
        return Text("rank.budget.within", price=price, budget=budget)
    return Text("rank.budget.overlap", price=price, budget=budget)


def _region(facts: Mapping[str, Any]) -> Text | None:
    verdict, owner, province = facts["verdict"], facts["owner"], facts["province"]
    if owner is None:
        return None
    key = {
        "east_to_guangxi": "rank.region.east",
        "local_not_eastern": "rank.region.local_not_eastern",
        "same_city": "rank.region.same_city",
        "guangxi": "rank.region.guangxi",
    }.get(verdict, "rank.region.outside")
    return Text(key, owner=owner, province=province, city=facts.get("city"))


def _coop(facts: Mapping[str, Any]) -> Text | None:
    if facts["shared"]:
        return Text("rank.coop.shared", modes=LabelList("coop", tuple(facts["shared"])))
    if facts["offered"] and facts["wanted"]:
        who = side(
            facts["demand_kind"] if facts["demand_kind"] in ("need", "scenario", "park") else "need"
        )
        return Text(
            "rank.coop.differ",
            offered=LabelList("coop", tuple(facts["offered"])),
            wanted=LabelList("coop", tuple(facts["wanted"])),
            side=who,
        )
    return None


def feature_reasons(
    features: FeatureSet,
    contributions: Mapping[str, float],
    *,
    cosine: float | None,
    terms: Sequence[str],
    via: Text | None = None,
    terms_side: str | None = None,
) -> list[Reason]:
    """Reasons for the features that say something about this pair, largest contribution first
    (`via`: what the cosine was measured against; `terms_side`: the kind the words are shared with)."""
    facts = features.facts
    lines: list[Reason] = []

    def add(feature: str, message: Text | None) -> None:
        if message is not None:
            lines.append(Reason(feature, message, contributions.get(feature, 0.0)))

    if cosine is not None:
        close = Text(
            "rank.close" if features.values.get("semantic", 0.0) >= CLOSE else "rank.loose"
        )
        where = Text("rank.where.via", via=via) if via is not None else Text("rank.where.content")
        add("semantic", Text("rank.semantic", where=where, close=close, cosine=f"{cosine:.2f}"))
    if terms:
        joined = "、".join(terms)
        if terms_side:
            add("lexical", Text("rank.terms_via", side=side(terms_side), terms=joined))
        else:
            add("lexical", Text("rank.terms", terms=joined))
    shared = facts["industry"]["shared"]
    if shared:
        add("industry", Text("rank.industry", names=LabelList("industry", tuple(shared))))
    park = facts["park_industry"]
    if park["shared"] and park["park"]:
        add(
            "park_industry",
            Text(
                "rank.park_industry",
                park=park["park"],
                names=LabelList("industry", tuple(park["shared"])),
            ),
        )
    add("trl", _trl(facts["trl"]))
    add("coop", _coop(facts["coop"]))
    add("budget", _budget(facts["budget"]))
    add("region", _region(facts["region"]))
    fresh = facts["freshness"]
    if fresh["updated"] is not None and fresh["age_days"] is not None:
        add(
            "freshness",
            Text("rank.freshness", date=fresh["updated"].isoformat(), days=fresh["age_days"]),
        )
    cues = facts["asean"]["cues"]
    if cues:
        add("asean", Text("rank.asean", cues="、".join(cues)))
    positive = sorted((r for r in lines if r.contribution >= -SMALL), key=lambda r: -r.contribution)
    negative = sorted((r for r in lines if r.contribution < -SMALL), key=lambda r: r.contribution)
    return positive + negative


def diversity_reason(penalty: float, earlier: int, owner: str | None) -> Reason | None:
    """Why a pair sits lower than its score alone would put it (same owner already listed)."""
    if penalty <= SMALL or not earlier:
        return None
    name: str | Text = owner or Text("rank.same_owner")
    return Reason("diversity", Text("rank.diversity", owner=name, n=earlier), -penalty)
