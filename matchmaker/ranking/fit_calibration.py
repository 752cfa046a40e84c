"""Fit and check the recommendation-pair calibrator on the demo's labelled pairs
(`matchmaker calibrate recommendations`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from matchmaker.demo.loader import LabelledPair
from matchmaker.ranking.calibration import (
    PairCalibrator,
    fit_pair_calibrator,
    pair_row,
    reliability,
)
from matchmaker.ranking.context import UnknownSource
from matchmaker.ranking.service import Recommender
from matchmaker.ranking.tracks import WrongRoute


@dataclass
class PairData:
    """Feature rows of labelled pairs, their labels, the source group of each row, and per group
    with a good target the row of its best recommended pair (what "no good match" reads)."""

    rows: np.ndarray
    labels: np.ndarray
    group_of: np.ndarray
    best_rows: np.ndarray
    best_group: np.ndarray
    skipped: int


def pair_data(
    recommender: Recommender, session: Session, pairs: Iterable[LabelledPair]
) -> PairData:
    """Score every labelled pair as the ranker does (pairs the ranker refuses are skipped)."""
    groups: dict[tuple[str, str, str, str], list[LabelledPair]] = defaultdict(list)
    for pair in pairs:
        groups[(pair.track, pair.source_kind, pair.source, pair.target_kind)].append(pair)
    rows: list[list[float]] = []
    labels: list[int] = []
    group_of: list[int] = []
    best_rows: list[list[float]] = []
    best_group: list[int] = []
    skipped = 0
    for at, ((track, source_kind, source, target_kind), group) in enumerate(groups.items()):
        try:
            source_id = recommender.resolve(session, source_kind, source)
            ids = {p.target: recommender.resolve(session, target_kind, p.target) for p in group}
            scored = recommender.score_pairs(
                session, track, source_kind, source_id, target_kind, ids.values()
            )
            top = recommender.recommend(
                session, track, source_kind, source_id, 1, target_kind=target_kind
            )
        except (UnknownSource, WrongRoute):
            skipped += len(group)
            continue
        for pair in group:
            found = scored.get(ids[pair.target])
            if found is None:  # refused outright (closed, expired, off-track): never shown
                skipped += 1
                continue
            rows.append(pair_row(found.cosine, found.features.values["lexical"], found.score))
            labels.append(1 if pair.good else 0)
            group_of.append(at)
        if top and any(p.good for p in group):
            best = top[0]
            best_rows.append(pair_row(best.cosine, best.features.get("lexical", 0.0), best.score))
            best_group.append(at)
    return PairData(
        np.asarray(rows).reshape(-1, 3),
        np.asarray(labels),
        np.asarray(group_of),
        np.asarray(best_rows).reshape(-1, 3),
        np.asarray(best_group),
        skipped,
    )


def _fit(data: PairData, keep_group: np.ndarray, fitted: dict[str, Any]) -> PairCalibrator:
    rows = np.isin(data.group_of, keep_group)
    best = np.isin(data.best_group, keep_group)
    return fit_pair_calibrator(data.rows[rows], data.labels[rows], data.best_rows[best], fitted)


def held_out(data: PairData, folds: int = 2) -> dict[str, Any]:
    """Each source group's pairs scored by a model fitted on the other folds (group i in fold
    i mod folds): Brier score, AUC, reliability per bin and the share of sources with a good
    target whose best pair was called "no good match"."""
    groups = np.unique(data.group_of)
    predicted = np.zeros(len(data.labels))
    said_none: list[bool] = []
    for fold in range(folds):
        test = groups[groups % folds == fold]
        model = _fit(data, groups[groups % folds != fold], {})
        inside = np.isin(data.group_of, test)
        predicted[inside] = model.probability(data.rows[inside])
        best = np.isin(data.best_group, test)
        said_none += [bool(p < model.medium) for p in model.probability(data.best_rows[best])]
    y = data.labels.astype(float)
    base = float(y.mean()) if len(y) else 0.0
    return {
        "brier": round(float(np.mean((predicted - y) ** 2)), 4),
        "brier_constant": round(float(np.mean((base - y) ** 2)), 4),
        "auc": round(_auc(predicted, data.labels), 4),
        "reliability": reliability(predicted.tolist(), data.labels.tolist()),
        "answerable_said_none": round(sum(said_none) / len(said_none), 4) if said_none else 0.0,
    }


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Chance a good pair scores above a bad one (ties count half)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return math.nan
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def fit_recommendation_calibrator(
    recommender: Recommender, session: Session, pairs: list[LabelledPair]
) -> tuple[PairCalibrator, dict[str, Any]]:
    """The calibrator fitted on every labelled pair, and its held-out report."""
    data = pair_data(recommender, session, pairs)
    if len(data.labels) < 20 or len(set(data.labels.tolist())) < 2:
        raise ValueError(
            f"标注配对太少（{len(data.labels)} 对可用）/ too few labelled pairs in the database "
            f"({len(data.labels)} usable): load the demo data first (`matchmaker demo`)"
        )
    report = held_out(data)
    index = recommender.index(session)
    fitted = {
        "embedder": index.embedder.name,
        "fingerprint": index.embedder.fingerprint,
        "model": "sklearn LogisticRegression(C=1.0) on standardised features",
        "data": "the demo's labelled pairs (matchmaker/demo/data/*/pairs.jsonl), scored by the "
        "hand-set ranker; label 1 = good",
        "rows": int(len(data.labels)),
        "positives": int(data.labels.sum()),
        "sources": int(len(np.unique(data.group_of))),
        "skipped": data.skipped,
        "threshold_rule": "medium = highest P(best pair) with <= 8% of sources that have a "
        "good target below, at most 0.3; high = max(medium, 0.6)",
        "held_out": report,
        "command": "matchmaker calibrate recommendations",
        "fitted_at": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    model = _fit(data, np.unique(data.group_of), fitted)
    return model, report


def colloquial_check(recommender: Recommender, session: Session, k: int = 5) -> dict[str, Any]:
    """The colloquial set's queries for achievements, each written as a need of a demo enterprise
    (rolled back afterwards): the share of no-answer ones whose recommendations say "no good
    match", and of answerable ones (answer among the demo's achievements) that wrongly do."""
    from sqlalchemy import select

    from matchmaker.ranking.results import no_good_match
    from matchmaker.retrieval.colloquial import default_set_dir, load_queries
    from matchmaker.store.models import Achievement, Need, Organisation

    demo = set(session.scalars(select(Achievement.external_id)))
    chosen = [
        q
        for q in load_queries(default_set_dir())
        if q.kind == "achievement" and (not q.answerable or set(q.grades) & demo)
    ]
    enterprise = session.scalars(
        select(Organisation).where(Organisation.kind == "enterprise").order_by(Organisation.id)
    ).first()
    if enterprise is None:
        raise ValueError("数据库中没有企业 / no enterprise in the database: load the demo first")
    needs = []
    for at, query in enumerate(chosen):
        need = Need(
            external_id=f"N-CHECK-{at:04d}",
            title=query.text[:60],
            description=query.text,
            enterprise_id=enterprise.id,
            industries=[],
        )
        need.refresh_hash()
        needs.append(need)
    session.add_all(needs)
    session.flush()
    index = recommender.index(session)
    ids = [n.id for n in needs]
    index.upsert_items(session, "need", ids)
    said: dict[bool, list[bool]] = {True: [], False: []}
    try:
        for query, need in zip(chosen, needs, strict=True):
            recs = recommender.recommend(session, "tech-transfer", "need", need.id, k)
            said[query.answerable].append(no_good_match(recs))
    finally:
        index.delete_items("need", ids)
        session.rollback()

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "no_answer_needs": len(said[False]),
        "no_answer_said_none": share(said[False]),
        "answerable_needs": len(said[True]),
        "answerable_said_none": share(said[True]),
    }
