"""Fusion of dense and keyword results: agreement wins, keyword evidence can lift a document."""

from __future__ import annotations

import pytest

from matchmaker.retrieval.index.hybrid import FusionParams, fuse, minmax
from tests.conftest import SHARED_DATA

SHARED = SHARED_DATA / "csl-dev"

DENSE = [(1, 0.86), (2, 0.85), (3, 0.84), (4, 0.80), (5, 0.70)]


def test_document_ranked_high_by_every_retriever_comes_first() -> None:
    fused = fuse(DENSE, [(2, 14.0), (1, 3.0)], [(2, 0.6), (7, 0.2)])
    assert fused[0][0] == 2


def test_strong_keyword_match_lifts_a_document_dense_ranked_lower() -> None:
    lexical = [(3, 20.0), (1, 2.0), (9, 1.5)]
    ngram = [(3, 0.7), (1, 0.3), (9, 0.25)]
    assert [doc for doc, _ in fuse(DENSE, lexical, ngram)][:2] == [3, 1]


def test_result_is_the_union_sorted_with_scores_between_zero_and_one() -> None:
    fused = fuse(DENSE, [(9, 5.0), (1, 1.0)], [(8, 0.3)])
    assert {doc for doc, _ in fused} == {1, 2, 3, 4, 5, 8, 9}
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_without_keyword_results_the_dense_order_is_kept() -> None:
    assert [doc for doc, _ in fuse(DENSE, [])] == [1, 2, 3, 4, 5]
    assert fuse([], [], []) == []


def test_missing_ngram_signal_rescales_the_other_weights() -> None:
    lexical = [(5, 9.0), (2, 4.0), (6, 1.0)]
    two = fuse(DENSE, lexical)
    params = FusionParams()
    share = params.dense_weight + params.lexical_weight
    explicit = FusionParams(
        dense_weight=params.dense_weight / share,
        lexical_weight=params.lexical_weight / share,
        ngram_weight=0.0,
    )
    expected = fuse(DENSE, lexical, [], params=explicit)
    assert [doc for doc, _ in two] == [doc for doc, _ in expected]
    assert dict(two) == pytest.approx(dict(expected))


def test_minmax_handles_single_and_tied_scores() -> None:
    assert minmax([(4, 3.0)]) == {4: 1.0}
    assert minmax([(1, 2.0), (2, 2.0)]) == {1: 1.0, 2: 1.0}
    assert minmax([(1, 3.0), (2, 2.0), (3, 1.0)]) == {1: 1.0, 2: 0.5, 3: 0.0}


def test_weights_must_not_all_be_zero() -> None:
    zero = FusionParams(dense_weight=0.0, lexical_weight=0.0, ngram_weight=0.0)
    with pytest.raises(ValueError):
        fuse(DENSE, [], params=zero)


@pytest.mark.slow
def test_hybrid_beats_each_retriever_on_csl_problem() -> None:
    from matchmaker.retrieval.evaluate import evaluate

    folder = SHARED / "problem"
    if not folder.is_dir():
        pytest.skip(f"shared data not found at {folder}")
    figures = {
        name: float(evaluate(folder, retriever=name)["mrr@10"])
        for name in ("dense", "lexical", "hybrid")
    }
    assert figures["hybrid"] >= 0.955
    assert figures["hybrid"] > max(figures["dense"], figures["lexical"])
