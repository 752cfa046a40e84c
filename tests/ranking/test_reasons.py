"""Every reason a user reads is true of the items in the database, and the numbers add up."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sqlalchemy.orm import Session

from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.core.vocab import COOP_MODES
from matchmaker.ranking.results import Recommendation
from matchmaker.ranking.tracks import TRACKS
from matchmaker.retrieval.embed import Embedder, EmbeddingCache, embed_documents_cached
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario
from tests.ranking.conftest import Ranked

CODE_OF = {i.zh: i.code for i in INDUSTRIES}
MODE_OF = {zh: code for code, zh in COOP_MODES.items()}
MODELS = {
    "achievement": Achievement,
    "need": Need,
    "scenario": Scenario,
    "park": Park,
    "organisation": Organisation,
}

REQUESTS = [
    ("tech-transfer", "need", "N-VIS", "achievement"),
    ("tech-transfer", "need", "N-BAT", "achievement"),
    ("tech-transfer", "achievement", "A-BAT-1", "need"),
    ("scenario", "scenario", "S-LZ-QC", "achievement"),
    ("scenario", "scenario", "S-LZ-QC", "organisation"),
    ("east-to-guangxi", "park", "P-QZ", "achievement"),
    ("east-to-guangxi", "park", "P-QZ", "organisation"),
    ("east-to-guangxi", "achievement", "A-PCS-E", "park"),
    ("east-to-guangxi", "achievement", "A-PCS-E", "need"),
]


def text_of(obj: object) -> str:
    if isinstance(obj, Achievement | Need | Scenario):
        return obj.embedding_text()
    if isinstance(obj, Park):
        return f"{obj.name}\n{obj.description}"
    assert isinstance(obj, Organisation)
    return f"{obj.name}\n{obj.description}"


def money(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class Checker:
    """Re-derives each claim of a recommendation from the ORM objects, independently of the ranker."""

    def __init__(
        self,
        session: Session,
        embedder: Embedder,
        cache: EmbeddingCache,
        rec: Recommendation,
        source: object,
    ) -> None:
        self.session, self.embedder, self.cache, self.rec = session, embedder, cache, rec
        self.source = source
        self.target = session.get(MODELS[rec.target_kind], rec.target_id)
        assert self.target is not None
        # For organisation and park targets, item-level claims are about their best item.
        self.item = self.target
        if rec.evidence:
            top = rec.evidence[0]
            self.item = session.get(MODELS[top.kind], top.id)

    def sides(self) -> tuple[object, object]:
        """(supply, demand) of the pair."""
        a, b = self.source, self.item
        if isinstance(a, Achievement) and not isinstance(b, Achievement):
            if self.rec.target_kind == "park":
                return a, self.target
            return a, b
        return b, a

    def park(self) -> Park | None:
        _, demand = self.sides()
        if isinstance(demand, Park):
            return demand
        return demand.park  # type: ignore[attr-defined, no-any-return]

    def cosine(self, a: str, b: str) -> float:
        vectors = embed_documents_cached(self.embedder, [a, b], self.cache)
        return float(np.dot(vectors[0], vectors[1]))

    def check(self, feature: str, text: str) -> None:
        supply, demand = self.sides()
        getattr(self, f"check_{feature}")(text, supply, demand)

    def check_evidence(self, text: str, supply: object, demand: object) -> None:
        top = self.rec.evidence[0]
        assert f"《{top.title}》（{top.external_id}）" in text

    def check_semantic(self, text: str, supply: object, demand: object) -> None:
        value = float(re.search(r"向量相似度 ([0-9.]+)）", text).group(1))  # type: ignore[union-attr]
        named = re.search(r"《(.+?)》（([^）]+)）", text)
        if named:  # measured against a named need, scenario or achievement
            other = next(
                found
                for model in (Need, Scenario, Achievement)
                if (
                    found := self.session.query(model)
                    .filter_by(external_id=named.group(2))
                    .one_or_none()
                )
            )
            assert other.title == named.group(1)
            partner = self.source if other is self.item else self.item
            cos = self.cosine(text_of(other), text_of(partner))
        else:
            cos = self.cosine(text_of(self.source), text_of(self.target))
        assert value == pytest.approx(cos, abs=0.006), text

    def check_lexical(self, text: str, supply: object, demand: object) -> None:
        terms = text.split("共同技术词：")[1].split("、")
        assert terms == self.rec.terms
        target_text = text_of(self.item).lower()
        if self.rec.source_kind == "park":
            via = re.search(r"与该(需求|场景)", text)
            assert via, "against a park, words come from the park's need or scenario"
            candidates = [
                text_of(n).lower()
                for n in self.session.query(Need).filter_by(park_id=self.source.id)
            ]  # type: ignore[attr-defined]
            candidates += [
                text_of(s).lower()
                for s in self.session.query(Scenario).filter_by(park_id=self.source.id)
            ]  # type: ignore[attr-defined]
            assert any(all(t.lower() in c for t in terms) for c in candidates)
        else:
            source_text = text_of(self.source).lower()
            assert all(t.lower() in source_text for t in terms), terms
        assert all(t.lower() in target_text for t in terms), terms
        for term in terms:
            assert f"<mark>{term}</mark>".lower() in self.rec.highlight.lower()

    def check_industry(self, text: str, supply: object, demand: object) -> None:
        codes = [CODE_OF[n] for n in text.split("同属产业：")[1].split("、")]
        supply_codes = set(supply.industries)  # type: ignore[attr-defined]
        if isinstance(self.target, Organisation):
            supply_codes |= set(self.target.industries)
        assert all(c in supply_codes and c in demand.industries for c in codes)  # type: ignore[attr-defined]

    def check_park_industry(self, text: str, supply: object, demand: object) -> None:
        park = self.park()
        assert park is not None
        name, names = re.match(r"属(.+?)主导产业：(.+)", text).groups()  # type: ignore[union-attr]
        assert name == park.name
        assert all(
            CODE_OF[n] in park.industries and CODE_OF[n] in supply.industries
            for n in names.split("、")
        )  # type: ignore[attr-defined]

    def check_trl(self, text: str, supply: object, demand: object) -> None:
        trl, wanted = map(int, re.search(r"TRL(\d).*TRL≥(\d)", text).groups())  # type: ignore[union-attr]
        assert trl == supply.trl  # type: ignore[attr-defined]
        stated = getattr(demand, "min_trl", None)
        assert wanted == (stated if stated is not None else TRACKS[self.rec.track].default_min_trl)
        assert ("满足" in text or "达到" in text) == (trl >= wanted)

    def check_coop(self, text: str, supply: object, demand: object) -> None:
        offered, wanted = supply.coop_modes, demand.coop_modes  # type: ignore[attr-defined]
        if text.startswith("合作方式一致："):
            modes = [MODE_OF[m] for m in text.split("：")[1].split("、")]
            assert all(m in offered and m in wanted for m in modes)
            return
        said_offered, said_wanted = re.match(r"合作方式不一致：可(.+)，.+?希望(.+)", text).groups()  # type: ignore[union-attr]
        assert [MODE_OF[m] for m in said_offered.split("、")] == offered
        assert [MODE_OF[m] for m in said_wanted.split("、")] == wanted
        assert not set(offered) & set(wanted)

    def check_budget(self, text: str, supply: object, demand: object) -> None:
        price = f"{money(supply.price_min)}–{money(supply.price_max)} 万元"  # type: ignore[attr-defined]
        assert text.startswith(f"报价 {price}"), text
        if "高于预算上限" in text:
            assert supply.price_min > demand.budget_max  # type: ignore[attr-defined]
            assert f"上限 {money(demand.budget_max)} 万元" in text  # type: ignore[attr-defined]
        else:
            assert f"预算 {money(demand.budget_min)}–{money(demand.budget_max)} 万元" in text  # type: ignore[attr-defined]
            assert supply.price_min <= demand.budget_max  # type: ignore[attr-defined]

    def check_region(self, text: str, supply: object, demand: object) -> None:
        owner = supply.owner if isinstance(supply, Achievement) else supply  # type: ignore[attr-defined]
        assert owner.name in text
        if "东部研发来源" in text:
            assert owner.is_eastern and f"（{owner.province}·" in text
        if text.startswith("本地单位"):
            assert owner.province == "广西"

    def check_freshness(self, text: str, supply: object, demand: object) -> None:
        date = re.search(r"更新于 (\d{4}-\d{2}-\d{2})", text).group(1)  # type: ignore[union-attr]
        assert date == self.item.updated_at.date().isoformat()  # type: ignore[attr-defined]

    def check_asean(self, text: str, supply: object, demand: object) -> None:
        cues = text.split("面向东盟市场：")[1].split("、")
        where = text_of(self.item) + text_of(self.target)
        assert all(c in where for c in cues)

    def check_diversity(self, text: str, supply: object, demand: object) -> None:
        assert self.rec.contributions["diversity"] < 0


def test_reasons_are_true_of_the_items(
    ranked_sqlite: Ranked, embedder: Embedder, rank_cache_dir: object
) -> None:
    cache = EmbeddingCache(rank_cache_dir)  # type: ignore[arg-type]
    checked: set[str] = set()
    with ranked_sqlite.session() as session:
        for track, kind, ext, target in REQUESTS:
            source = session.get(MODELS[kind], ranked_sqlite.world[ext])
            recs = ranked_sqlite.recommender.recommend(
                session, track, kind, ranked_sqlite.world[ext], 6, target_kind=target
            )
            assert recs, (track, ext, target)
            for rec in recs:
                assert rec.score == pytest.approx(sum(rec.contributions.values()))
                assert rec.reasons, "every pair says why"
                checker = Checker(session, embedder, cache, rec, source)
                for reason in rec.reasons:
                    if reason.feature != "evidence":
                        assert reason.contribution == pytest.approx(
                            rec.contributions[reason.feature]
                        )
                    checker.check(reason.feature, reason.text)
                    checked.add(reason.feature)
    cache.close()
    every = {name[len("check_") :] for name in dir(Checker) if name.startswith("check_")}
    assert checked == every, f"reasons never produced here: {every - checked}"
