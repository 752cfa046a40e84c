"""`matchmaker eval` on BEIR folders: metrics, JSON output, caching, and clear user errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from matchmaker.cli.common import UserError
from matchmaker.cli.eval_cmd import register
from matchmaker.retrieval.embed import EmbeddingCache
from matchmaker.retrieval.evaluate import evaluate, metrics_for
from tests.shared_data import require_shared

JSON_KEYS = [
    "retriever",
    "ndcg@10",
    "mrr@10",
    "recall@1",
    "recall@10",
    "recall@100",
    "queries",
    "seconds",
]

CORPUS = [
    ("d1", "甘蔗收割机", "基于北斗卫星导航的甘蔗收割机自动驾驶系统，提高丘陵地区收割效率。"),
    ("d2", "", "新型锂离子电池正极材料的制备工艺，提升能量密度与循环寿命。"),
    ("d3", "芒果保鲜", "广西特色水果芒果的采后保鲜与深加工技术。"),
    ("d4", "", "铝合金汽车轻量化零部件的压铸成型工艺与模具设计。"),
    ("d5", "八角精油", "中药材八角茴香精油的提取工艺与质量检测方法。"),
    ("d6", "", "城市污水处理厂的智能曝气控制与节能运行。"),
]
QUERIES = [
    ("q1", "电池正极材料能量密度低", {"d2": 1}),
    ("q2", "芒果采后容易腐烂，需要保鲜技术", {"d3": 1}),
    ("q3", "甘蔗收割 自动驾驶", {"d1": 2, "d4": 0}),
    ("q4", "没有判断的查询不计入", {}),
]


def write_beir(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id, title, text in CORPUS:
            record = {"_id": doc_id, "title": title, "text": text, "metadata": {}}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query_id, text, _ in QUERIES:
            handle.write(json.dumps({"_id": query_id, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, _, judged in QUERIES:
            for doc_id, grade in judged.items():
                handle.write(f"{query_id}\t{doc_id}\t{grade}\n")
    return folder


@pytest.fixture()
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(tmp_path / "data"))
    app = typer.Typer()
    register(app, typer.Typer())

    @app.callback()
    def _root() -> None:  # keeps `eval` a named subcommand, as in the real app
        pass

    return app


def run(app: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("retriever", ["lexical", "dense", "hybrid"])
def test_json_output_is_one_line_with_exactly_the_documented_keys(
    cli: typer.Typer, tmp_path: Path, retriever: str
) -> None:
    folder = write_beir(tmp_path / "beir")
    out = run(cli, "eval", "--beir", str(folder), "--retriever", retriever, "--json")
    assert len(out.strip().splitlines()) == 1
    result = json.loads(out)
    assert list(result) == JSON_KEYS
    assert result["retriever"] == retriever
    assert result["queries"] == 3  # the query without judgements is not counted
    assert result["mrr@10"] == 1.0 and result["recall@1"] == 1.0 and result["recall@100"] == 1.0


def test_human_output_names_every_metric(cli: typer.Typer, tmp_path: Path) -> None:
    out = run(cli, "eval", "--beir", str(write_beir(tmp_path / "beir")), "--retriever", "lexical")
    for label in (
        "nDCG@10",
        "MRR@10",
        "Recall@1 ",
        "Recall@10 ",
        "Recall@100",
        "queries",
        "seconds",
    ):
        assert label in out


def test_second_run_reuses_cached_embeddings(cli: typer.Typer, tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "beir")
    run(cli, "eval", "--beir", str(folder), "--retriever", "dense", "--json")
    cache = EmbeddingCache(tmp_path / "data" / "cache" / "embeddings")
    stored = cache.count()
    assert stored == len(CORPUS) + 3
    run(cli, "eval", "--beir", str(folder), "--retriever", "hybrid", "--json")
    assert cache.count() == stored


def test_documents_are_indexed_from_the_text_users_items_get(
    cli: typer.Typer, tmp_path: Path
) -> None:
    """Each document becomes an item whose indexing text embeds to the same cache entry as the
    document's title + text, so an evaluation run reuses vectors cached by earlier runs."""
    from matchmaker.retrieval.embed import get_embedder
    from matchmaker.retrieval.embed.base import clean_texts
    from matchmaker.retrieval.embed.cache import text_key

    folder = write_beir(tmp_path / "beir")
    run(cli, "eval", "--beir", str(folder), "--retriever", "hybrid", "--json")
    cache = EmbeddingCache(tmp_path / "data" / "cache" / "embeddings")
    embedder = get_embedder()
    keys = [text_key(t) for t in clean_texts([f"{t} {x}".strip() for _, t, x in CORPUS])]
    found = cache.get_many(embedder.fingerprint, "document", keys, embedder.dim)
    assert len(found) == len(CORPUS)


def test_split_halves_reports_the_weights_chosen_and_the_held_out_score(
    cli: typer.Typer, tmp_path: Path
) -> None:
    folder = write_beir(tmp_path / "beir")
    out = run(cli, "eval", "--beir", str(folder), "--split-halves", "4", "--json")
    result = json.loads(out)
    assert result["queries"] == 3 and result["splits"] == 4
    assert sum(result["weights_chosen"].values()) == 8  # both directions of every split
    assert 0.0 <= result["held_out_mrr@10"] <= 1.0
    assert result["shipped_dense_weight"] == 0.75
    assert result["all_queries_mrr@10"]["0.75"] == 1.0
    human = run(cli, "eval", "--beir", str(folder), "--split-halves", "2")
    assert "held-out" in human and "shipped dense weight 0.75" in human


def test_user_mistakes_are_reported_as_user_errors(cli: typer.Typer, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a folder"):
        run(cli, "eval", "--beir", str(tmp_path / "missing"), "--json")
    folder = write_beir(tmp_path / "beir")
    (folder / "qrels" / "test.tsv").unlink()
    with pytest.raises(UserError, match="missing file"):
        run(cli, "eval", "--beir", str(folder))
    with pytest.raises(UserError, match="dense, lexical, hybrid"):
        run(cli, "eval", "--beir", str(folder), "--retriever", "bm42")
    with pytest.raises(UserError, match="unknown embedder"):
        run(
            cli,
            "eval",
            "--beir",
            str(write_beir(tmp_path / "b2")),
            "--retriever",
            "dense",
            "--embedder",
            "nope",
        )


def test_metrics_of_one_ranking() -> None:
    scores = metrics_for(["x", "a", "y", "b"], {"a": 1, "b": 1})
    assert scores["mrr@10"] == 0.5
    assert scores["recall@1"] == 0.0 and scores["recall@10"] == 1.0
    assert 0.0 < scores["ndcg@10"] < 1.0


@pytest.mark.slow
def test_keywords_set_lexical_from_shared_data() -> None:
    folder = require_shared("csl-dev/keywords")
    result = evaluate(folder, retriever="lexical")
    assert result["queries"] == 1000
    assert float(result["mrr@10"]) >= 0.99


@pytest.mark.slow
def test_keywords_set_hybrid_from_shared_data(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = require_shared("csl-dev/keywords")
    monkeypatch.delenv("MATCHMAKER_DATA_DIR")  # the user's eval cache: cold run embeds ~5 min
    result = json.loads(run(cli, "eval", "--beir", str(folder), "--retriever", "hybrid", "--json"))
    assert result["queries"] == 1000
    assert result["mrr@10"] >= 0.99


@pytest.mark.slow
def test_problem_set_hybrid_beats_each_signal_alone() -> None:
    folder = require_shared("csl-dev/problem")
    figures = {
        name: float(evaluate(folder, retriever=name)["mrr@10"])
        for name in ("dense", "lexical", "hybrid")
    }
    assert figures["hybrid"] >= 0.955
    assert figures["hybrid"] > max(figures["dense"], figures["lexical"])
