"""Who could fill a weak or missing link: achievements, eastern firms and Guangxi universities,
ranked with plain Chinese reasons.

The recommender's tracks rank items for an item or a park, not for a chain link, so the map ranks
its own candidates on three facts it can explain: how well the candidate matches the link (the
same score as coverage), how mature it is (TRL of the achievement or of the organisation's best
matching achievement) and where it comes from (eastern R&D for "北上广研发、广西集成", Guangxi
universities and institutes for local co-development).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchmaker.core.vocab import COOP_MODES, ORG_KINDS
from matchmaker.maps.chains import Chain, Link
from matchmaker.maps.coverage import CoverageRule, Scores, named_terms
from matchmaker.maps.sources import CandidatePool, Firm, Piece
from matchmaker.ranking.terms import asean_cues

ACHIEVEMENT, EASTERN_FIRM, GX_RESEARCH = "achievement", "eastern_firm", "guangxi_research"
GROUP_ZH: dict[str, str] = {
    ACHIEVEMENT: "科技成果",
    EASTERN_FIRM: "东部企业",
    GX_RESEARCH: "广西高校院所",
}
HIGH, MEDIUM = "high", "medium"
LEVEL_ZH: dict[str, str] = {HIGH: "高度匹配", MEDIUM: "较匹配"}
LEVEL_HELP_ZH: dict[str, str] = {
    HIGH: "单项成果或机构简介即可表明具备该环节能力",
    MEDIUM: "机构简介或两项以上成果共同表明具备该环节能力",
}
WEIGHTS = {"semantic": 0.7, "maturity": 0.2, "region": 0.1}
SPAN = 0.04  # lift above the coverage threshold at which the semantic part of the score is full
LIMITS = {ACHIEVEMENT: 5, EASTERN_FIRM: 3, GX_RESEARCH: 3}


@dataclass
class Candidate:
    """One achievement or organisation that could fill a link, with its score and reasons."""

    group: str
    kind: str  # achievement | organisation
    id: int
    external_id: str
    name: str
    org: Firm
    score: float  # 0–100, what the list is sorted by
    match: float  # lift of the candidate's text for the link (see coverage)
    cosine: float
    reasons: list[str] = field(default_factory=list)
    via: Piece | None = None  # the achievement that shows an organisation's fit
    level: str = HIGH

    @property
    def level_zh(self) -> str:
        """The level in plain Chinese (高度匹配 / 较匹配)."""
        return LEVEL_ZH[self.level]

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON."""
        return {
            "group": self.group,
            "group_zh": GROUP_ZH[self.group],
            "level": self.level,
            "level_zh": LEVEL_ZH[self.level],
            "kind": self.kind,
            "id": self.id,
            "external_id": self.external_id,
            "name": self.name,
            "organisation": {
                "id": self.org.id,
                "external_id": self.org.external_id,
                "name": self.org.name,
                "kind": self.org.kind,
                "province": self.org.province,
            },
            "score": round(self.score, 1),
            "match": round(self.match, 4),
            "cosine": round(self.cosine, 4),
            "reasons": list(self.reasons),
            "via": None
            if self.via is None
            else {"kind": self.via.kind, "id": self.via.id, "title": self.via.title},
        }


def _maturity(trl: int | None) -> float:
    return 0.5 if trl is None else min(1.0, max(0.0, (trl - 3) / 5))


def _semantic(match: float, rule: CoverageRule) -> float:
    return min(1.0, max(0.0, (match - rule.threshold) / SPAN))


def _maturity_reason(trl: int) -> str:
    if trl >= 7:
        return f"成熟度 TRL{trl}，可直接导入产线或示范应用"
    if trl >= 5:
        return f"成熟度 TRL{trl}，适合在园区中试验证"
    return f"成熟度 TRL{trl}，偏早期，适合联合研发"


def _region_reason(org: Firm) -> str:
    where = org.city or org.province
    if org.eastern:
        return f"东部研发力量（{org.province}），契合“北上广研发、广西集成、东盟转化”"
    if org.guangxi and org.kind in ("university", "research_institute"):
        return f"广西本地{ORG_KINDS.get(org.kind, '机构')}（{where}），便于就近联合攻关和人才培养"
    if org.guangxi:
        return f"广西本地（{where}），转化落地路径短"
    return f"来自{org.province}"


def _reasons(
    link: Link, match: float, cosine: float, piece: Piece, org: Firm, rule: CoverageRule
) -> list[str]:
    strength = "高度相关" if match >= rule.threshold + rule.strong else "相关"
    out = [f"与“{link.name}”环节{strength}（相似度 {cosine:.2f}，高出其平均 {match:.3f}）"]
    terms = named_terms(link, piece.text)
    if terms:
        out.append("涉及核心技术：" + "、".join(terms))
    if piece.kind == "achievement":
        if piece.trl is not None:
            out.append(_maturity_reason(piece.trl))
        modes = [COOP_MODES[m] for m in piece.coop_modes if m in COOP_MODES]
        if modes:
            out.append("合作方式：" + "、".join(modes))
    cues = asean_cues(piece.text)
    if cues:
        out.append("面向东盟市场：" + "、".join(cues[:4]))
    out.append(_region_reason(org))
    return out


def _total(match: float, trl: int | None, org: Firm, rule: CoverageRule) -> float:
    region = 1.0 if (org.eastern or org.guangxi) else 0.5
    value = (
        WEIGHTS["semantic"] * _semantic(match, rule)
        + WEIGHTS["maturity"] * _maturity(trl)
        + WEIGHTS["region"] * region
    )
    return 100.0 * value


def candidate_level(match: float, pieces: int, profile: bool, rule: CoverageRule) -> str | None:
    """The level at which a candidate fills a link, by the calibrated coverage rule it would meet
    as a park firm: one piece with lift ≥ threshold + strong (high); its profile, or two of its
    pieces, with lift ≥ threshold (medium); anything less is not presented as filling a gap."""
    if match >= rule.threshold + rule.strong:
        return HIGH
    if match >= rule.threshold and (profile or pieces >= 2):
        return MEDIUM
    return None


def _group_of(org: Firm) -> str | None:
    if org.kind == "enterprise" and org.eastern:
        return EASTERN_FIRM
    if org.kind in ("university", "research_institute") and org.guangxi:
        return GX_RESEARCH
    return None


def rank_candidates(
    chain: Chain,
    pool: CandidatePool,
    achievement_scores: Scores,
    profile_scores: Scores,
    links: list[Link],
    rule: CoverageRule,
) -> dict[str, dict[str, list[Candidate]]]:
    """For each given link (by code): the best achievements, eastern firms and Guangxi research
    organisations, from one chain's columns of the candidates' `lift_scores`."""
    column = {link.code: i for i, link in enumerate(chain.links)}
    floor = rule.threshold  # a candidate must fit the link as well as park evidence must
    # ... and, like park evidence, count for the one link of the chain it fits best
    best_achievement = achievement_scores.lift.argmax(axis=1) if len(pool.achievements) else []
    best_profile = profile_scores.lift.argmax(axis=1) if len(pool.profiles) else []
    out: dict[str, dict[str, list[Candidate]]] = {}
    for link in links:
        j = column[link.code]
        groups: dict[str, list[Candidate]] = {ACHIEVEMENT: [], EASTERN_FIRM: [], GX_RESEARCH: []}
        best_by_org: dict[int, tuple[float, float, Piece]] = {}
        supporting: dict[int, int] = {}  # organisation → its achievements supporting this link
        profile_fits: set[int] = set()  # organisations whose own profile supports this link
        for i, piece in enumerate(pool.achievements):
            match = float(achievement_scores.lift[i, j])
            cosine = float(achievement_scores.cosine[i, j])
            org = pool.orgs.get(piece.org_id)
            if org is None or match < floor or best_achievement[i] != j:
                continue
            supporting[piece.org_id] = supporting.get(piece.org_id, 0) + 1
            if match > best_by_org.get(piece.org_id, (-1.0, 0.0, piece))[0]:
                best_by_org[piece.org_id] = (match, cosine, piece)
            level = candidate_level(match, 1, False, rule)
            if level is None:
                continue
            groups[ACHIEVEMENT].append(
                Candidate(
                    ACHIEVEMENT,
                    "achievement",
                    piece.id,
                    piece.external_id,
                    piece.title,
                    org,
                    _total(match, piece.trl, org, rule),
                    match,
                    cosine,
                    _reasons(link, match, cosine, piece, org, rule),
                    level=level,
                )
            )
        for i, profile in enumerate(pool.profiles):
            if best_profile[i] != j:
                continue
            match = float(profile_scores.lift[i, j])
            if match >= floor:
                profile_fits.add(profile.org_id)
            if match > best_by_org.get(profile.org_id, (-1.0, 0.0, profile))[0]:
                best_by_org[profile.org_id] = (match, float(profile_scores.cosine[i, j]), profile)
        for org_id, (match, cosine, piece) in best_by_org.items():
            org = pool.orgs[org_id]
            group = _group_of(org)
            if group is None or match < floor:
                continue
            level = candidate_level(match, supporting.get(org_id, 0), org_id in profile_fits, rule)
            if level is None:
                continue
            reasons = _reasons(link, match, cosine, piece, org, rule)
            if piece.kind == "achievement":
                reasons.insert(1, f"代表成果：《{piece.title}》")
            groups[group].append(
                Candidate(
                    group,
                    "organisation",
                    org.id,
                    org.external_id,
                    org.name,
                    org,
                    _total(match, piece.trl if piece.kind == "achievement" else None, org, rule),
                    match,
                    cosine,
                    reasons,
                    via=piece if piece.kind == "achievement" else None,
                    level=level,
                )
            )
        for name, items in groups.items():
            items.sort(key=lambda c: (-c.score, -c.match, c.id))
            del items[LIMITS[name] :]
        out[link.code] = groups
    return out


def top_candidate(groups: dict[str, list[Candidate]]) -> Candidate | None:
    """The single best candidate over all groups (what the diagram shows in a gap's box)."""
    everyone = [c for items in groups.values() for c in items]
    return max(everyone, key=lambda c: (c.score, c.match), default=None)
