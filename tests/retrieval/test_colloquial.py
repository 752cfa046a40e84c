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


def _tiny_set(folder: Path) -> Path:
    """The demo plus one distractor, and three queries: a demo answer, the distractor, none."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    org = {
        "external_id": "X-ORG-T1",
        "name": "测试岩棉科技有限公司",
        "kind": "enterprise",
        "province": "广西",
        "city": "南宁",
        "industries": ["green-env"],
        "description": "外墙保温材料企业。",
    }
    item = {
        "external_id": "X-A-T1",
        "title": "保温装饰一体板憎水岩棉",
        "summary": "憎水岩棉用于外墙保温，解决岩棉板吸水后保温性能下降的问题，体积吸水率降至0.8%。",
        "keywords": ["憎水岩棉", "外墙保温"],
        "industries": ["green-env"],
        "trl": 8,
        "coop_modes": ["transfer"],
        "owner": "X-ORG-T1",
        "status": "active",
    }
    rows = {"organisations": [org], "achievements": [item], "needs": [], "scenarios": []}
    for name, records in rows.items():
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        (corpus / f"{name}.jsonl").write_text(text, "utf-8")
    queries = [
        {"_id": "t1", "text": "八角油提纯", "answerable": True, "expected": ["A-MA-059"]},
        {"_id": "t2", "text": "岩棉板吸水保温变差", "answerable": True, "expected": ["X-A-T1"]},
        {"_id": "t3", "text": "汽车漆面打蜡抛光", "answerable": False},
        {
            "_id": "t4",
            "text": "star anise oil purification",
            "answerable": True,
            "lang": "en",
            "expected": ["A-MA-059"],
        },
    ]
    text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries)
    (folder / "queries.jsonl").write_text(text, "utf-8")
    return folder


@pytest.mark.slow
def test_eval_colloquial_runs_the_shipped_search_over_demo_and_distractors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer
    from typer.testing import CliRunner

    from matchmaker.cli.eval_cmd import register

    monkeypatch.delenv("MATCHMAKER_DATA_DIR", raising=False)  # the user's cache: the demo's vectors
    app = typer.Typer()
    register(app, typer.Typer())

    @app.callback()
    def _root() -> None:
        pass

    folder = _tiny_set(tmp_path / "set")
    details = tmp_path / "details.jsonl"
    args = ["eval", "--colloquial", "--set", str(folder), "--details", str(details), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["queries"], out["answerable"], out["no_answer"], out["english"]) == (4, 3, 1, 1)
    assert out["grade2@5"] == 1.0 and out["ndcg@5"] >= 0.9 and out["en_ndcg@5"] >= 0.6
    assert out["no_answer_said_none"] == 1.0 and out["answerable_said_none"] == 0.0
    rows = [json.loads(line) for line in details.read_text("utf-8").splitlines()]
    assert rows[1]["top"][0] == "X-A-T1"
    bad = CliRunner().invoke(app, ["eval", "--colloquial", "--without", "bogus"])
    assert bad.exit_code != 0 and "bogus" in str(bad.exception)
