"""Users' search feedback as graded judgements: exported from the feedback table, added to the
colloquial set by `matchmaker eval --feedback`, and used as labelled pairs when the calibrator
is refitted (`matchmaker calibrate search --feedback`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchmaker.retrieval.colloquial import (
    EvalQuery,
    EvalSetError,
    add_feedback,
    load_feedback,
)
from tests.retrieval.test_colloquial import _tiny_set


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_feedback_fills_unjudged_items_adds_new_queries_and_skips_unknown_items(
    tmp_path: Path,
) -> None:
    queries = [EvalQuery("q1", "岩棉板吸水", "achievement", "zh", "", True, {"A": 2}, {"A": 2})]
    rows = load_feedback(
        _write(
            tmp_path / "fb.jsonl",
            [
                {"query": "岩棉板吸水", "kind": "achievement", "external_id": "A", "grade": 0},
                {"query": "岩棉板吸水", "kind": "achievement", "external_id": "B", "grade": 0},
                {"query": "芒果 分选", "kind": "achievement", "external_id": "C", "grade": 2},
                {"query": "没用的查询", "kind": "achievement", "external_id": "B", "grade": 0},
                {"query": "芒果 分选", "kind": "achievement", "external_id": "ZZ", "grade": 2},
            ],
        )
    )
    merged, counts = add_feedback(queries, rows, known={"A", "B", "C"})
    assert counts == {"judgements": 4, "on_set_queries": 1, "new_queries": 2, "skipped": 1}
    assert merged[0].grades == {"A": 2}, "the set's own judgement stands"
    assert merged[0].judged == {"A": 2, "B": 0}
    mango = next(q for q in merged if q.text == "芒果 分选")
    assert mango.answerable and mango.scored and mango.grades == {"C": 2}
    lone_no = next(q for q in merged if q.text == "没用的查询")
    assert not lone_no.scored, "a lone 'not relevant' says nothing about whether an answer exists"


def test_a_bad_feedback_line_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "fb.jsonl", [{"query": "x", "external_id": "A", "grade": 5}])
    with pytest.raises(EvalSetError, match="第 1 行"):
        load_feedback(path)
    with pytest.raises(EvalSetError, match="missing file"):
        load_feedback(tmp_path / "none.jsonl")


@pytest.mark.slow
def test_feedback_counts_in_eval_and_raises_the_refitted_relevance_of_a_useful_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matchmaker.retrieval.calibration import load_calibrator
    from matchmaker.retrieval.colloquial import colloquial_corpus, evaluate_colloquial
    from matchmaker.retrieval.search import SearchRequest

    monkeypatch.delenv("MATCHMAKER_DATA_DIR", raising=False)  # the user's cache: the demo's vectors
    folder = _tiny_set(tmp_path / "set")
    query = "岩棉保温板吸了水就不保温了"
    feedback = _write(
        tmp_path / "fb.jsonl",
        [
            {"query": query, "kind": "achievement", "external_id": "X-A-T1", "grade": 2},
            {
                "query": "岩棉板吸水保温变差",
                "kind": "achievement",
                "external_id": "A-MA-059",
                "grade": 0,
            },
            {"query": query, "kind": "achievement", "external_id": "NOT-THERE", "grade": 2},
        ],
    )
    plain = evaluate_colloquial(folder, fit=tmp_path / "plain.json")
    fed = evaluate_colloquial(folder, fit=tmp_path / "fed.json", feedback=feedback)
    assert fed["feedback"] == {
        "judgements": 2,
        "on_set_queries": 1,
        "new_queries": 1,
        "skipped": 1,
    }
    assert (fed["queries"], fed["answerable"]) == (plain["queries"] + 1, plain["answerable"] + 1)
    before, after = load_calibrator(tmp_path / "plain.json"), load_calibrator(tmp_path / "fed.json")
    assert before is not None and after is not None
    assert after.fitted["feedback"]["judgements"] == 2
    shown = {}
    with colloquial_corpus(folder) as corpus:
        for name, model in (("before", before), ("after", after)):
            corpus.service.calibrator = model
            found = corpus.service.search(
                corpus.session, SearchRequest(query=query, kind="achievement", limit=5)
            )
            ranked = [corpus.external[(h.kind, h.id)] for h in found.hits]
            shown[name] = found.relevance[ranked.index("X-A-T1")]
    assert shown["after"] > shown["before"], shown
