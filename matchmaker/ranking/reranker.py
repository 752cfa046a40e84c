"""The learned re-ranker: logistic regression on the feature vectors parties gave feedback on.

It replaces a track's hand-set weights only when, on feedback held out from training (whole
sources held out, so it is judged on parties it has not seen), it beats them on AUC and is no worse
on nDCG@10. The model is a linear scorer like the hand-set one, saved as plain JSON (weights,
bias, metrics) under `<data_dir>/models/`, so loading it runs no code and reasons keep their
per-feature contributions.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.ranking.feedback import LabelledExample
from matchmaker.ranking.scoring import LinearScorer, hand_set
from matchmaker.ranking.tracks import FEATURES, Track

MIN_EXAMPLES = 60  # pairs with feedback on one track before a model is even trained
MIN_PER_CLASS = 15  # of them at least this many accepted-or-better and this many rejected
MIN_SOURCES = 8  # distinct parties, so whole parties can be held out
HOLDOUT_SHARE = 0.3
AUC_MARGIN = 0.01  # the learned model must beat hand-set AUC by at least this much
MODEL_DIR = "models"
FORMAT_VERSION = 1


def model_path(data_dir: Path, track: str) -> Path:
    """Where a track's re-ranker and its metrics are saved."""
    return data_dir / MODEL_DIR / f"reranker-{track}.json"


@dataclass
class TrainingReport:
    """What training found: sizes, held-out metrics of both scorers, and whether the model is used."""

    track: str
    examples: int
    positives: int
    negatives: int
    sources: int
    trained: bool
    active: bool
    message: str
    metrics: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    trained_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output and the saved file."""
        return asdict(self)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve: the chance a random positive scores above a random negative."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return math.nan
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def ndcg_at(gains_in_order: list[float], k: int = 10) -> float:
    """nDCG@k of one ranked list of graded gains."""
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains_in_order[:k]))
    ideal = sorted(gains_in_order, reverse=True)
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal[:k]))
    return dcg / idcg if idcg > 0 else math.nan


def grouped_ndcg(scores: np.ndarray, gains: np.ndarray, groups: list[object], k: int = 10) -> float:
    """Mean nDCG@k over sources, each source's examples ranked by score (sources with no gain skip)."""
    members: dict[object, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        members[group].append(index)
    values = []
    for indices in members.values():
        order = sorted(indices, key=lambda i: -scores[i])
        value = ndcg_at([float(gains[i]) for i in order], k)
        if not math.isnan(value):
            values.append(value)
    return float(np.mean(values)) if values else math.nan


def _matrix(examples: list[LabelledExample]) -> np.ndarray:
    return np.array([[e.features.get(f, 0.0) for f in FEATURES] for e in examples], dtype=float)


def _split(groups: list[object], labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hold out about HOLDOUT_SHARE of the sources, with both classes on each side if possible."""
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=20, test_size=HOLDOUT_SHARE, random_state=seed)
    fallback: tuple[np.ndarray, np.ndarray] | None = None
    dummy = np.zeros(len(groups))
    codes = {g: i for i, g in enumerate(dict.fromkeys(groups))}
    group_codes = np.array([codes[g] for g in groups])
    for train, test in splitter.split(dummy, labels, group_codes):
        fallback = fallback or (train, test)
        if len(set(labels[train])) == 2 and len(set(labels[test])) == 2:
            return train, test
    assert fallback is not None
    return fallback


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[dict[str, float], float]:
    """Fit scaled logistic regression and fold the scaling back into raw-feature weights."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit(scaler.transform(x), y)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    raw = model.coef_[0] / scale
    bias = float(model.intercept_[0] - np.sum(raw * scaler.mean_))
    return {f: float(w) for f, w in zip(FEATURES, raw, strict=True)}, bias


def train(track: Track, examples: list[LabelledExample], seed: int = 0) -> TrainingReport:
    """Train on a track's feedback when there is enough, and decide on held-out feedback whether the
    model is used instead of the hand-set weights."""
    labels = np.array([e.label for e in examples], dtype=int)
    groups: list[object] = [(e.pair.source_kind, e.pair.source_id) for e in examples]
    positives, negatives = int(labels.sum()), int(len(labels) - labels.sum())
    report = TrainingReport(
        track=track.name,
        examples=len(examples),
        positives=positives,
        negatives=negatives,
        sources=len(set(groups)),
        trained=False,
        active=False,
        message="",
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    if (
        len(examples) < MIN_EXAMPLES
        or min(positives, negatives) < MIN_PER_CLASS
        or report.sources < MIN_SOURCES
    ):
        report.message = (
            f"反馈不足，继续使用人工权重：需至少 {MIN_EXAMPLES} 对（接受与拒绝各 ≥{MIN_PER_CLASS}，"
            f"来自 ≥{MIN_SOURCES} 个对象），现有 {len(examples)} 对（接受 {positives}、拒绝 "
            f"{negatives}，{report.sources} 个对象） / not enough feedback yet"
        )
        return report
    x = _matrix(examples)
    gains = np.array([e.gain for e in examples], dtype=float)
    train_rows, test_rows = _split(groups, labels, seed)
    weights, bias = _fit(x[train_rows], labels[train_rows])
    learned = LinearScorer("learned", weights, bias)
    baseline = hand_set(track)
    test_groups = [groups[i] for i in test_rows]
    learned_scores = np.array([learned.score(examples[i].features) for i in test_rows])
    hand_scores = np.array([baseline.score(examples[i].features) for i in test_rows])
    report.metrics = {
        "holdout_examples": float(len(test_rows)),
        "auc_learned": auc(learned_scores, labels[test_rows]),
        "auc_hand_set": auc(hand_scores, labels[test_rows]),
        "ndcg10_learned": grouped_ndcg(learned_scores, gains[test_rows], test_groups),
        "ndcg10_hand_set": grouped_ndcg(hand_scores, gains[test_rows], test_groups),
    }
    m = report.metrics
    beats = (
        not math.isnan(m["auc_learned"])
        and m["auc_learned"] >= m["auc_hand_set"] + AUC_MARGIN
        and not m["ndcg10_learned"] < m["ndcg10_hand_set"]
    )
    report.weights, report.bias = _fit(x, labels)  # the model used is refit on all feedback
    report.trained = True
    report.active = bool(beats)
    report.message = (
        f"学习模型在留出反馈上优于人工权重（AUC {m['auc_learned']:.3f} > {m['auc_hand_set']:.3f}），"
        "已启用 / learned model beats the hand-set weights on held-out feedback: in use"
        if beats
        else f"学习模型未优于人工权重（AUC {m['auc_learned']:.3f} vs {m['auc_hand_set']:.3f}，"
        f"nDCG@10 {m['ndcg10_learned']:.3f} vs {m['ndcg10_hand_set']:.3f}），继续使用人工权重 / "
        "learned model does not beat the hand-set weights: hand-set weights stay"
    )
    return report


def save(report: TrainingReport, data_dir: Path) -> Path:
    """Write the model and its metrics atomically (readers never see half a file)."""
    path = model_path(data_dir, report.track)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT_VERSION, "features": list(FEATURES), **report.as_dict()}
    fd, tmp = tempfile.mkstemp(prefix=".reranker-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=2, default=str)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_active(data_dir: Path, track: str) -> LinearScorer | None:
    """The saved learned scorer of a track when it won its evaluation; None otherwise."""
    path = model_path(data_dir, track)
    if not path.exists():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("format") != FORMAT_VERSION or not payload.get("active"):
        return None
    if list(payload.get("features", [])) != list(FEATURES):
        return None  # trained on another feature set: stale, ignore until retrained
    name = f"learned:{payload.get('trained_at', '')}"
    return LinearScorer(name, {k: float(v) for k, v in payload["weights"].items()}, payload["bias"])
