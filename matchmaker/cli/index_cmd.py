"""CLI for the search index: `index build`, `index status`, and `bench index`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from matchmaker.cli.common import UserError, benchmarks_on_path, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the `index` commands to the app and the index benchmark to `bench`."""
    index_app = typer.Typer(
        help="检索索引 Search index: build from the database, show its state.", no_args_is_help=True
    )
    app.add_typer(index_app, name="index")
    index_app.command("build")(build_command)
    index_app.command("status")(status_command)
    bench_app.command("index")(bench_index_command)


def build_command(
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="丢弃已保存的索引重新建立 discard the saved index and build anew"
        ),
    ] = False,
) -> None:
    """建立或更新检索索引 Build or update the search index from the database (only changed items are embedded)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchmaker.core.container import get_container
    from matchmaker.retrieval.index.service import SearchIndex
    from matchmaker.retrieval.index.vector import GenerationStore
    from matchmaker.store.db import session_scope, upgrade

    container = get_container()
    embedder = container.embedder  # a model that cannot load ends with exit 6 (core/startup.py)
    upgrade()
    directory = container.settings.index_dir
    index = SearchIndex(embedder, directory, cache=container.embedding_cache)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar, session_scope() as session:
        tasks: dict[str, Any] = {}

        def progress(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = bar.add_task(f"嵌入 embedding {kind}", total=max(total, 1))
            bar.update(tasks[kind], completed=done if total else 1)

        if rebuild:
            report = index.sync(session, progress)
            report.rebuilt_reason = "按要求全部重建 / rebuilt from scratch as asked (--rebuild)"
        else:
            report = index.load(session, progress)
    index.save()
    typer.echo(report.summary())
    current = GenerationStore(directory).current()
    ok(f"索引已保存 Index saved: {current[0] if current else directory}")


def status_command() -> None:
    """显示检索索引状态 Show the index: counts per kind, embedder, fingerprint, type, last update."""
    from rich.console import Console
    from rich.table import Table

    from matchmaker.core.config import get_settings
    from matchmaker.retrieval.index.vector import GenerationStore

    directory = get_settings().index_dir
    current = GenerationStore(directory).current()
    if current is None:
        typer.secho(
            f"尚未建立索引，请运行 `matchmaker index build` / no index at {directory} yet: "
            "run `matchmaker index build`",
            fg=typer.colors.YELLOW,
        )
        raise typer.Exit(1)
    _, manifest = current
    console = Console()
    console.print(f"目录 Directory: {directory}")
    console.print(f"嵌入模型 Embedder: {manifest['embedder']}  (维度 dim {manifest['dim']})")
    console.print(f"指纹 Fingerprint: {manifest['fingerprint']}")
    console.print(f"最后更新 Last update: {manifest.get('updated_at')}")
    console.print(f"保存时间 Saved at: {manifest.get('saved_at')}")
    table = Table("类型 Kind", "条目 Items", "索引 Index", "nlist", "nprobe")
    for kind, info in manifest["kinds"].items():
        kind_type = "IVF (近似 approximate)" if info["type"] == "ivf" else "Flat (精确 exact)"
        table.add_row(kind, str(info["count"]), kind_type, str(info["nlist"]), str(info["nprobe"]))
    console.print(table)
    configured = get_settings().embedder
    if configured != manifest["embedder"]:
        typer.secho(
            f"配置的嵌入模型为 {configured}，下次建立索引时将全部重建 / the configured embedder is "
            f"{configured}: the next build re-embeds everything",
            fg=typer.colors.YELLOW,
        )


def bench_index_command(
    sizes: Annotated[
        str, typer.Option("--sizes", help="条目数，逗号分隔 item counts, comma-separated")
    ] = "10000,100000",
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="快速模式：更少的查询与文本 fewer queries and texts, 10k only"
        ),
    ] = False,
    texts: Annotated[
        Path | None,
        typer.Option("--texts", help="真实中文文本 real Chinese texts (bdci-needs.jsonl)"),
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option("--markdown", help="把结果表格写入文件 write the tables to a file"),
    ] = None,
) -> None:
    """检索索引基准 Index benchmark: latency, recall, build time, memory, embedding speed."""
    benchmarks_on_path()
    from benchmarks.index import IndexBenchConfig, default_texts_path, run_index_bench

    try:
        size_list = tuple(int(s) for s in sizes.split(",") if s.strip())
    except ValueError as exc:
        raise UserError(f"--sizes 需要整数列表 / --sizes needs integers: {sizes!r}") from exc
    if not size_list or min(size_list) < 100:
        raise UserError("--sizes 每项至少 100 / every size must be at least 100")
    source = texts or default_texts_path()
    if not source.is_file():
        raise UserError(f"找不到文本文件 / texts file not found: {source}")
    explicit_sizes = sizes != "10000,100000"
    config = IndexBenchConfig(
        sizes=size_list if (explicit_sizes or not quick) else (10_000,),
        quick=quick,
        texts_path=source,
    )
    report = run_index_bench(config, log=lambda line: typer.echo(line, err=True))
    typer.echo(report)
    if markdown is not None:
        markdown.write_text(report, encoding="utf-8")
        ok(f"已写入 written: {markdown}")
