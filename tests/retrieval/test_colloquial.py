"""The colloquial set as `matchmaker eval --colloquial` reads and scores it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchmaker.retrieval.colloquial import (
    EvalQuery,
    EvalSetError,
    QueryRun,
    default_set_dir,
    load_queries,
    summarise,
)


def test_the_bundled_set_has_the_promised_shape() -> None:
    queries = load_queries(default_set_dir())
    assert len(queries) >= 250
    assert sum(not q.answerable for q in queries) >= 50
    assert sum(q.lang == "en" for q in queries) >= 20
    assert all(q.grades for q in queries if q.answerable)
    assert all(not q.grades for q in queries if not q.answerable)
    assert all(set(q.grades.values()) <= {1, 2} for q in queries)
    corpus = default_set_dir() / "corpus" / "achievements.jsonl"
    assert sum(1 for _ in corpus.open(encoding="utf-8")) >= 1000


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    good = {"_id": "q1", "text": "芒果", "answerable": True, "expected": ["A-1"]}
    (tmp_path / "queries.jsonl").write_text(
        json.dumps(good, ensure_ascii=False) + "\n" + '{"_id": "q2", "text": "x"}\n', "utf-8"
    )
    with pytest.raises(EvalSetError, match="第 2 行"):
        load_queries(tmp_path)
    with pytest.raises(EvalSetError, match="missing file"):
        load_queries(tmp_path / "nowhere")


def test_graded_judgements_add_to_the_expected_items(tmp_path: Path) -> None:
    row = {"_id": "q1", "text": "芒果", "answerable": True, "expected": ["A"], "grades": {"B": 1}}
    (tmp_path / "queries.jsonl").write_text(json.dumps(row) + "\n", "utf-8")
    assert load_queries(tmp_path)[0].grades == {"A": 2, "B": 1}


def _run(answerable: bool, ranked: list[str], none: bool, lang: str = "zh") -> QueryRun:
    grades = {"A": 2} if answerable else {}
    query = EvalQuery("q", "x", "achievement", lang, "", answerable, grades)
    return QueryRun(query, ranked, [], none)


def test_metrics_count_answerable_and_no_answer_queries_apart() -> None:
    runs = [
        _run(True, ["A", "x", "y"], False),  # grade 2 first
        _run(True, ["x", "y", "z", "w", "v", "A"], True, "en"),  # grade 2 at 6: not in top 5
        _run(False, ["x"], True),  # no answer, said so
        _run(False, ["x"], False),  # no answer, not said
    ]
    result = summarise(runs)
    assert result["grade2@5"] == 0.5
    assert result["ndcg@5"] == 0.5
    assert result["mrr@10"] == pytest.approx((1 + 1 / 6) / 2, abs=1e-4)
    assert result["no_answer_said_none"] == 0.5
    assert result["answerable_said_none"] == 0.5
    assert result["en_ndcg@5"] == 0.0 and result["english"] == 1
    assert (result["answerable"], result["no_answer"]) == (2, 2)
