"""Fusion of dense and keyword results: agreement wins, keyword evidence can lift a document.

The shipped search's quality on the shared CSL sets is checked in tests/retrieval/test_evaluate.py."""

from __future__ import annotations

import pytest

from matchmaker.retrieval.index.hybrid import FusionParams, fuse, minmax

DENSE = [(1, 0.86), (2, 0.85), (3, 0.84), (4, 0.80), (5, 0.70)]


def test_document_ranked_high_by_both_retrievers_comes_first() -> None:
    fused = fuse(DENSE, [(2, 14.0), (1, 3.0)])
    assert fused[0][0] == 2


def test_strong_keyword_match_lifts_a_document_dense_ranked_lower() -> None:
    lexical = [(4, 20.0), (1, 2.0), (9, 1.5)]
    assert [doc for doc, _ in fuse(DENSE, lexical)][:2] == [1, 4]
    keyword_heavy = FusionParams(dense_weight=0.5, lexical_weight=0.5)
    assert [doc for doc, _ in fuse(DENSE, lexical, keyword_heavy)][0] == 4


def test_result_is_the_union_sorted_with_scores_between_zero_and_one() -> None:
    fused = fuse(DENSE, [(9, 5.0), (1, 1.0)])
    assert {doc for doc, _ in fused} == {1, 2, 3, 4, 5, 9}
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_without_keyword_results_the_dense_order_is_kept() -> None:
    assert [doc for doc, _ in fuse(DENSE, [])] == [1, 2, 3, 4, 5]
    assert fuse([], []) == []


def test_minmax_handles_single_and_tied_scores() -> None:
    assert minmax([(4, 3.0)]) == {4: 1.0}
    assert minmax([(1, 2.0), (2, 2.0)]) == {1: 1.0, 2: 1.0}
    assert minmax([(1, 3.0), (2, 2.0), (3, 1.0)]) == {1: 1.0, 2: 0.5, 3: 0.0}


def test_weights_must_not_all_be_zero() -> None:
    with pytest.raises(ValueError):
        fuse(DENSE, [], FusionParams(dense_weight=0.0, lexical_weight=0.0))
    with pytest.raises(ValueError):
        fuse(DENSE, [], FusionParams(dense_weight=1.2, lexical_weight=-0.2))
