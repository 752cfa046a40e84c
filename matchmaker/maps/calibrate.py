"""Measure a coverage rule against hand-labelled maps (which firm works in which link).

Labels are `[{"park": ext id, "industry": code, "firms": {firm ext id: [link codes]}}]`; a firm of
the park not listed is expected in no link of that chain. The figures in docs/maps.md come from
`evaluate_rule` over tests/maps/data/demo_link_labels.json on the demo data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.maps.chains import Chain
from matchmaker.maps.coverage import COVERED, GAP, WEAK, CoverageRule
from matchmaker.maps.park_map import build_park_map
from matchmaker.maps.vectors import TextVectors


@dataclass(frozen=True)
class RuleQuality:
    """How well a rule reproduces the labels: firm–link pairs and link statuses."""

    precision: float
    recall: float
    f1: float
    status_agreement: float  # share of links whose covered / weak / gap status matches
    links: int
    labelled_pairs: int


def _status(firm_count: int, rule: CoverageRule) -> str:
    return COVERED if firm_count >= rule.min_firms else WEAK if firm_count else GAP


def evaluate_rule(
    session: Session,
    labels: list[dict[str, Any]],
    vectors: TextVectors,
    chains: dict[str, Chain],
    rule: CoverageRule,
) -> RuleQuality:
    """Draw each labelled map with `rule` and compare it with the labels."""
    predicted: set[tuple[int, str, str]] = set()
    gold: set[tuple[int, str, str]] = set()
    agree = total = 0
    for number, entry in enumerate(labels):
        park_map = build_park_map(
            session,
            entry["park"],
            entry["industry"],
            vectors=vectors,
            chains=chains,
            rule=rule,
            with_candidates=False,
        )
        for firm, codes in entry["firms"].items():
            gold.update((number, firm, code) for code in codes)
        for coverage in park_map.chains[0].links:
            code = coverage.link.code
            predicted.update((number, s.firm.external_id, code) for s in coverage.firms)
            wanted = sum(1 for codes in entry["firms"].values() if code in codes)
            agree += coverage.status == _status(wanted, rule)
            total += 1
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return RuleQuality(precision, recall, f1, agree / total if total else 0.0, total, len(gold))
