"""The innovation map of one park (园区产业链创新地图): for each leading industry's chain, which
links the park's enterprises cover, which are weak or missing, and who could fill the gaps."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.config import CHINA
from matchmaker.core.taxonomy import industry_zh
from matchmaker.maps.chains import STAGES, Chain, UnknownChain, load_chains
from matchmaker.maps.coverage import (
    COVERED,
    DEFAULT_RULE,
    GAP,
    STATUS_ZH,
    WEAK,
    CoverageRule,
    LinkCoverage,
    chain_coverage,
    lift_scores,
)
from matchmaker.maps.gaps import Candidate, rank_candidates, top_candidate
from matchmaker.maps.sources import candidate_pool, park_evidence
from matchmaker.maps.vectors import TextVectors, default_vectors
from matchmaker.store.models import Park, utcnow


class UnknownPark(LookupError):
    """No park with that id or external id."""


@dataclass
class ChainMap:
    """One chain as the park stands: each link's coverage and, for weak and missing links,
    the ranked candidates by group."""

    chain: Chain
    links: list[LinkCoverage]
    candidates: dict[str, dict[str, list[Candidate]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many links are covered, weak and missing."""
        found = Counter(link.status for link in self.links)
        return {status: found.get(status, 0) for status in (COVERED, WEAK, GAP)}

    def top(self, code: str) -> Candidate | None:
        """The best candidate for a link, if it has any."""
        groups = self.candidates.get(code)
        return top_candidate(groups) if groups else None

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON (the API's map document)."""
        links = []
        for coverage in self.links:
            link = coverage.link
            groups = self.candidates.get(link.code, {})
            links.append(
                {
                    **link.as_dict(),
                    "stage_zh": STAGES[link.stage][0],
                    "status": coverage.status,
                    "status_zh": STATUS_ZH[coverage.status],
                    "firm_count": len(coverage.firms),
                    "evidence_count": coverage.evidence_count,
                    "firms": [
                        {
                            "id": support.firm.id,
                            "external_id": support.firm.external_id,
                            "name": support.firm.name,
                            "best_score": round(support.best, 4),
                            "evidence": [m.as_dict() for m in support.matches],
                        }
                        for support in coverage.firms
                    ],
                    "candidates": {
                        group: [c.as_dict() for c in items] for group, items in groups.items()
                    },
                }
            )
        return {
            "industry": self.chain.industry,
            "industry_zh": industry_zh(self.chain.industry),
            "chain": self.chain.name,
            "chain_source": self.chain.source,
            "counts": self.counts(),
            "links": links,
        }


@dataclass
class ParkMap:
    """The maps of one park's chains, with the rule they were drawn by."""

    park_id: int
    park_external_id: str
    park_name: str
    park_industries: list[str]
    enterprise_count: int
    chains: list[ChainMap]
    rule: CoverageRule
    generated_at: str
    seconds: float = 0.0

    @property
    def missing_industries(self) -> list[str]:
        """Leading industries of the park that have no chain in force (so no map)."""
        drawn = {m.chain.industry for m in self.chains}
        return [code for code in self.park_industries if code not in drawn]

    @property
    def generated_china(self) -> str:
        """When the map was drawn, as Beijing wall-clock time (what people read)."""
        moment = dt.datetime.fromisoformat(self.generated_at)
        return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") + " 北京时间"

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON (the API's map document)."""
        return {
            "park": {
                "id": self.park_id,
                "external_id": self.park_external_id,
                "name": self.park_name,
                "industries": self.park_industries,
            },
            "enterprise_count": self.enterprise_count,
            "rule": {
                "threshold": self.rule.threshold,
                "strong": self.rule.strong,
                "min_firms": self.rule.min_firms,
            },
            "generated_at": self.generated_at,
            "seconds": round(self.seconds, 3),
            "missing_industries": self.missing_industries,
            "chains": [chain.as_dict() for chain in self.chains],
        }


def find_park(session: Session, ref: str | int) -> Park:
    """A park by database id (an int), or by what a person typed: external id (编号), exact name
    or database id; UnknownPark otherwise."""
    park: Park | None = None
    if isinstance(ref, int):
        park = session.get(Park, ref) if 1 <= ref <= 2**31 - 1 else None
    else:
        text = ref.strip()
        park = session.scalar(select(Park).where((Park.external_id == text) | (Park.name == text)))
        if park is None and text.isdigit() and int(text) <= 2**31 - 1:
            park = session.get(Park, int(text))
    if park is None:
        raise UnknownPark(f"找不到园区“{ref}”（编号、外部编号或名称）/ no park {ref!r}")
    return park


def chains_for(park: Park, industry: str | None, chains: dict[str, Chain]) -> list[Chain]:
    """The chains to draw: the one asked for, else each leading industry of the park with a chain."""
    if industry is not None:
        if industry not in chains:
            known = "、".join(f"{code}（{industry_zh(code)}）" for code in chains)
            raise UnknownChain(
                f"产业“{industry}”没有产业链定义，可选：{known} / no chain for industry {industry!r}"
            )
        return [chains[industry]]
    return [chains[code] for code in (park.industries or []) if code in chains]


def build_park_map(
    session: Session,
    park_ref: str | int,
    industry: str | None = None,
    *,
    vectors: TextVectors | None = None,
    chains: dict[str, Chain] | None = None,
    data_dir: Path | None = None,
    rule: CoverageRule = DEFAULT_RULE,
    with_candidates: bool = True,
) -> ParkMap:
    """Draw the park's map: coverage of every link with evidence, candidates for weak and
    missing links (skipped with `with_candidates=False`)."""
    started = time.perf_counter()
    park = find_park(session, park_ref)
    chains = chains if chains is not None else load_chains(data_dir)
    selected = chains_for(park, industry, chains)
    vectors = vectors or default_vectors()
    evidence = park_evidence(session, park)
    # lifts are measured against every link in force, so they mean the same on every map
    all_links = [link for chain in chains.values() for link in chain.links]
    link_vectors = vectors.queries([link.match_text() for link in all_links])
    start = {}
    offset = 0
    for chain in chains.values():
        start[chain.industry] = offset
        offset += len(chain.links)
    scores = lift_scores(vectors.documents([p.text for p in evidence.pieces]), link_vectors)
    maps: list[ChainMap] = []
    for chain in selected:
        first = start[chain.industry]
        chain_scores = scores.columns(first, first + len(chain.links))
        coverage = chain_coverage(chain, evidence.firms, evidence.pieces, chain_scores, rule)
        maps.append(ChainMap(chain, coverage))
    if with_candidates and any(c.status != COVERED for m in maps for c in m.links):
        pool = candidate_pool(session, set(evidence.firms))
        achievement_scores = lift_scores(
            vectors.documents([p.text for p in pool.achievements]), link_vectors
        )
        profile_scores = lift_scores(
            vectors.documents([p.text for p in pool.profiles]), link_vectors
        )
        for chain_map in maps:
            chain = chain_map.chain
            first, stop = start[chain.industry], start[chain.industry] + len(chain.links)
            open_links = [c.link for c in chain_map.links if c.status in (WEAK, GAP)]
            if open_links:
                chain_map.candidates = rank_candidates(
                    chain,
                    pool,
                    achievement_scores.columns(first, stop),
                    profile_scores.columns(first, stop),
                    open_links,
                    rule,
                )
    return ParkMap(
        park_id=park.id,
        park_external_id=park.external_id,
        park_name=park.name,
        park_industries=list(park.industries or []),
        enterprise_count=len(evidence.firms),
        chains=maps,
        rule=rule,
        generated_at=utcnow().isoformat(timespec="seconds"),
        seconds=time.perf_counter() - started,
    )
