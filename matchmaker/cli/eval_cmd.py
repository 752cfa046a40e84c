"""`matchmaker eval`: retrieval quality of the shipped search (hybrid, or one signal) on a BEIR folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli.common import UserError
from matchmaker.retrieval.embed.base import Embedder

_LABELS = {
    "ndcg@10": "nDCG@10",
    "mrr@10": "MRR@10",
    "recall@1": "Recall@1",
    "recall@10": "Recall@10",
    "recall@100": "Recall@100",
}


def eval_command(
    beir: Annotated[
        Path,
        typer.Option(
            "--beir",
            help="BEIR 格式目录 / BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)",
        ),
    ],
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

    if split_halves:
        _cross_validate(beir, split_halves, load_embedder, as_json)
        return
    try:
        result = evaluate(beir, retriever=retriever, embedder_factory=load_embedder)
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


def _configured_embedder() -> str:
    from matchmaker.core.config import get_settings

    return get_settings().embedder


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `eval` to the main app (nothing under `bench`)."""
    app.command("eval")(eval_command)
