"""Turn a scored candidate into the recommendation a user reads: reasons, shared terms, highlight."""

from __future__ import annotations

from matchmaker.core.messages import Text
from matchmaker.ranking.context import Scored, Source
from matchmaker.ranking.reasons import Reason, diversity_reason, feature_reasons, side
from matchmaker.ranking.results import Evidence, OrgRef, Recommendation
from matchmaker.ranking.similarity import TextSpace
from matchmaker.ranking.terms import mark_terms, shared_terms, snippet


def _evidence_reason(scored: Scored) -> Reason | None:
    if not scored.evidence:
        return None
    top = scored.evidence[0]
    n = len(scored.evidence) - 1
    more: str | Text = Text("rank.evidence.more", n=n) if n > 0 else ""
    if scored.kind == "organisation":
        message = Text("rank.evidence.best_result", title=top.title, ref=top.external_id, more=more)
    else:
        message = Text(
            "rank.evidence.park_best",
            side=side(top.kind),
            title=top.title,
            ref=top.external_id,
            more=more,
        )
    return Reason("evidence", message, 0.0)


def build_recommendation(
    track: str,
    source: Source,
    scored: Scored,
    *,
    rank: int,
    penalty: float,
    earlier_same_owner: int,
    space: TextSpace,
    model: str,
) -> Recommendation:
    """The user-facing form of one ranked pair; every reason quotes the data the score used."""
    # Against a park, words are compared with the park need or scenario the target matched.
    base_tokens, base_text, base_keywords = source.tokens, source.text, source.keywords
    if scored.via is not None:
        base_tokens, base_text = scored.via.tokens, scored.via.text
        base_keywords = scored.via.keyword_tokens
    terms = shared_terms(
        base_tokens,
        scored.tokens,
        base_text,
        scored.text,
        space.df,
        space.n_docs,
        vocabulary=space.vocabulary,
        prefer=base_keywords | scored.keywords,
    )
    contributions = dict(scored.contributions)
    if penalty:
        contributions["diversity"] = -penalty
    reasons = feature_reasons(
        scored.features,
        contributions,
        cosine=scored.cosine,
        terms=terms,
        via=scored.cosine_with,
        terms_side=scored.via.kind if scored.via is not None else None,
    )
    evidence = _evidence_reason(scored)
    if evidence is not None:
        reasons.insert(0, evidence)
    owner_name = scored.org.name if scored.org is not None else None
    lowered = diversity_reason(penalty, earlier_same_owner, owner_name)
    if lowered is not None:
        reasons.append(lowered)
    org = scored.org
    return Recommendation(
        track=track,
        source_kind=source.kind,
        source_id=source.id,
        source_external_id=source.external_id,
        target_kind=scored.kind,
        target_id=scored.id,
        target_external_id=scored.external_id,
        title=scored.title,
        rank=rank,
        score=scored.score - penalty,
        features=dict(scored.features.values),
        contributions=contributions,
        reasons=reasons,
        terms=terms,
        highlight=mark_terms(snippet(scored.text, terms), terms),
        organisation=None
        if org is None
        else OrgRef(org.id, org.external_id, org.name, org.kind, org.province),
        park=scored.park.name if scored.park is not None else None,
        evidence=[
            Evidence(e.kind, e.id, e.external_id, e.title, round(e.score, 4))
            for e in scored.evidence
        ],
        model=model,
        cosine=scored.cosine,
    )
