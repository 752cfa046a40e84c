"""`matchmaker eval`: retrieval quality of the shipped search (hybrid, or one signal) on a BEIR folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matchmaker.cli.common import UserError
from matchmaker.retrieval.embed.base import Embedder

if TYPE_CHECKING:
    from matchmaker.retrieval.understand import Switches

_LABELS = {
    "ndcg@10": "nDCG@10",
    "mrr@10": "MRR@10",
    "recall@1": "Recall@1",
    "recall@10": "Recall@10",
    "recall@100": "Recall@100",
}


def eval_command(
    beir: Annotated[
        Path | None,
        typer.Option(
            "--beir",
            help="BEIR 格式目录 / BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)",
        ),
    ] = None,
    colloquial: Annotated[
        bool,
        typer.Option(
            "--colloquial",
            help="口语化评测集（演示数据 + 2000 条干扰条目）/ the colloquial set over demo + "
            "distractors: nDCG@5, grade-2 in top 5, no-good-match rates",
        ),
    ] = False,
    set_dir: Annotated[
        Path | None,
        typer.Option(
            "--set", help="口语化评测集目录 / colloquial set folder (default: the bundled one)"
        ),
    ] = None,
    details: Annotated[
        Path | None,
        typer.Option("--details", help="每个查询一行 JSON / write one JSON line per query here"),
    ] = None,
    without: Annotated[
        str,
        typer.Option(
            "--without",
            help="关闭查询理解步骤（逗号分隔）/ switch query-understanding steps off for an "
            "ablation: thesaurus, cooccurrence, industry, crosslingual, prf, or all",
        ),
    ] = "",
    with_steps: Annotated[
        str,
        typer.Option(
            "--with",
            help="打开默认关闭的查询理解步骤 / switch steps on that are off as shipped (industry, prf)",
        ),
    ] = "",
    uncalibrated: Annotated[
        bool,
        typer.Option(
            "--uncalibrated", help="不用相关度校准 / run without the relevance calibrator"
        ),
    ] = False,
    fit_calibration: Annotated[
        Path | None,
        typer.Option(
            "--fit-calibration",
            help="在评测集标注上拟合相关度校准并保存 / fit the relevance calibrator on the set's "
            "labelled pairs and save it to this file (models/relevance-calibration.json)",
        ),
    ] = None,
    retriever: Annotated[
        str, typer.Option("--retriever", help="dense | lexical | hybrid")
    ] = "hybrid",
    as_json: Annotated[
        bool, typer.Option("--json", help="输出一行 JSON / print one JSON line")
    ] = False,
    embedder: Annotated[
        str | None,
        typer.Option(
            "--embedder",
            help="嵌入模型 / embedder name (default: MATCHMAKER_EMBEDDER, else e5-small)",
        ),
    ] = None,
    feedback: Annotated[
        Path | None,
        typer.Option(
            "--feedback",
            help="加入用户检索反馈判断 / add users' search-feedback judgements (JSONL from "
            "`matchmaker calibrate export-feedback`) to the colloquial set",
        ),
    ] = None,
    split_halves: Annotated[
        int,
        typer.Option(
            "--split-halves",
            min=0,
            max=1000,
            help="交叉验证融合权重：随机对半划分 N 次 / cross-validate the fusion weight over N "
            "random halvings (0: plain evaluation)",
        ),
    ] = 0,
) -> None:
    """评测检索质量 Evaluate retrieval quality (nDCG@10, MRR@10, Recall@1/10/100).

    语料存入临时数据库，每个查询都经过与 API 相同的检索服务。
    The corpus goes into a temporary database and every query through the same search service
    the API uses. 向量缓存于 $MATCHMAKER_DATA_DIR/cache，未设置时为 ~/.cache/matchmaker。
    Embeddings are cached under $MATCHMAKER_DATA_DIR/cache, else ~/.cache/matchmaker.
    """
    from matchmaker.retrieval.evaluate import RETRIEVERS, BeirFormatError, evaluate

    if retriever not in RETRIEVERS:
        raise UserError(
            f"--retriever 只能是 {' | '.join(RETRIEVERS)} / must be one of {', '.join(RETRIEVERS)}"
        )
    name = embedder or _configured_embedder()

    def load_embedder() -> Embedder:
        from matchmaker.retrieval.embed import get_embedder

        try:
            return get_embedder(name)
        except ValueError as exc:
            raise UserError(str(exc)) from exc

    switches = _switches(without, with_steps)
    if colloquial:
        _colloquial(
            set_dir,
            load_embedder,
            details,
            not uncalibrated,
            fit_calibration,
            as_json,
            switches,
            feedback,
        )
        return
    if beir is None:
        raise UserError("请给出 --beir 目录或 --colloquial / give --beir FOLDER or --colloquial")
    if split_halves:
        _cross_validate(beir, split_halves, load_embedder, as_json)
        return
    try:
        result = evaluate(
            beir, retriever=retriever, embedder_factory=load_embedder, switches=switches
        )
    except BeirFormatError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"检索方式 retriever: {result['retriever']}")
    for key, label in _LABELS.items():
        typer.echo(f"{label:<11} {float(result[key]):.4f}")
    typer.echo(f"查询数 queries: {result['queries']}")
    typer.echo(f"用时 seconds: {result['seconds']}")


_COLLOQUIAL_LABELS = {
    "ndcg@5": "nDCG@5",
    "ndcg@10": "nDCG@10",
    "mrr@10": "MRR@10",
    "grade2@5": "有 2 级结果在前 5 / grade-2 in top 5",
    "no_answer_said_none": "无答案查询答“无合适结果” / no-answer said none",
    "answerable_said_none": "有答案查询答“无合适结果” / answerable said none",
    "no_answer_said_none_held_out": "同上，交叉拟合 / no-answer said none (held out)",
    "answerable_said_none_held_out": "同上，交叉拟合 / answerable said none (held out)",
    "en_ndcg@5": "英文查询 nDCG@5 / English nDCG@5",
}


def _colloquial(
    folder: Path | None,
    load_embedder: Callable[[], Embedder],
    details: Path | None,
    calibrated: bool,
    fit: Path | None,
    as_json: bool,
    switches: Switches | None,
    feedback: Path | None = None,
) -> None:
    """Run the colloquial set and print its metrics."""
    from matchmaker.retrieval.colloquial import EvalSetError, evaluate_colloquial

    try:
        result = evaluate_colloquial(
            folder,
            load_embedder,
            details=details,
            calibrated=calibrated,
            fit=fit,
            switches=switches,
            feedback=feedback,
        )
    except EvalSetError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for key, label in _COLLOQUIAL_LABELS.items():
        typer.echo(f"{label}: {float(result[key]):.4f}")
    typer.echo(
        f"查询数 queries: {result['queries']}（有答案 answerable {result['answerable']}，"
        f"无答案 no answer {result['no_answer']}，英文 English {result['english']}）"
    )
    typer.echo(f"用时 seconds: {result['seconds']}")


def _cross_validate(
    beir: Path, splits: int, load_embedder: Callable[[], Embedder], as_json: bool
) -> None:
    """Print which dense weight each half chose and how it scored on the other half."""
    from matchmaker.retrieval.evaluate import BeirFormatError
    from matchmaker.retrieval.tuning import split_halves

    try:
        result = split_halves(beir, splits, embedder_factory=load_embedder)
    except BeirFormatError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"查询数 queries: {result['queries']}，划分 splits: {result['splits']}")
    typer.echo(f"各半选出的稠密权重 weights chosen: {result['weights_chosen']}")
    typer.echo(
        f"另一半上的 MRR@10 held-out: {result['held_out_mrr@10']:.4f} ± {result['held_out_sd']:.4f}"
    )
    typer.echo(
        f"发布权重 shipped dense weight {result['shipped_dense_weight']}: "
        f"{result['shipped_held_out_mrr@10']:.4f}"
    )


def _switches(without: str, with_steps: str = "") -> Switches | None:
    """The query-understanding steps that run (None: as shipped); UserError names a bad step."""
    from matchmaker.retrieval.understand import Switches

    names = [n for n in without.split(",") if n.strip()]
    added = [n for n in with_steps.split(",") if n.strip()]
    if not names and not added:
        return None
    if [n.strip() for n in names] == ["all"]:
        return Switches.none()
    try:
        return Switches.without(names, added)
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def _configured_embedder() -> str:
    from matchmaker.core.config import get_settings

    return get_settings().embedder


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `eval` to the main app (nothing under `bench`)."""
    app.command("eval")(eval_command)
