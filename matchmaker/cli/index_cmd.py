"""CLI for the search index: `index build`, `index status`, and `bench index`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    index_app.command("verify")(verify_command)
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
    from matchmaker.cli.progress import embedding_progress
    from matchmaker.core.container import get_container
    from matchmaker.retrieval.index.service import SearchIndex
    from matchmaker.retrieval.index.vector import GenerationStore
    from matchmaker.store.db import session_scope, upgrade

    container = get_container()
    embedder = container.embedder  # a model that cannot load ends with exit 6 (core/startup.py)
    upgrade()
    directory = container.settings.index_dir
    index = SearchIndex(
        embedder,
        directory,
        cache=container.embedding_cache,
        vector_factory=container.vector_factory(),  # pgvector: vectors go to PostgreSQL
    )
    with embedding_progress() as progress, session_scope() as session:
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
    """显示检索索引状态并与数据库比对 Show the index and whether it agrees with the database
    (counts, digests, last change); exit 0 when they agree, 1 when not."""
    from rich.console import Console
    from rich.table import Table

    from matchmaker.core.config import get_settings
    from matchmaker.retrieval.index.integrity import compare_states, database_state
    from matchmaker.retrieval.index.vector import GenerationStore
    from matchmaker.store.db import session_scope

    directory = get_settings().index_dir
    current = GenerationStore(directory).current()
    if current is None:
        typer.secho(
            f"尚未建立索引，请运行 `matchmaker index build` / no index at {directory} yet: "
            "run `matchmaker index build`",
            fg=typer.colors.YELLOW,
        )
        raise typer.Exit(1)
    generation, manifest = current
    corrupt = GenerationStore.mismatched(generation, manifest)
    with session_scope() as session:
        db = database_state(session)
    checks = compare_states(manifest.get("state"), db)
    console = Console()
    console.print(f"目录 Directory: {directory}")
    console.print(f"嵌入模型 Embedder: {manifest['embedder']}  (维度 dim {manifest['dim']})")
    console.print(f"指纹 Fingerprint: {manifest['fingerprint']}")
    console.print(f"索引最后更新 Index last update: {manifest.get('updated_at')}")
    console.print(f"保存时间 Saved at: {manifest.get('saved_at')}")
    table = Table(
        "类型 Kind",
        "索引 Index",
        "数据库 Database",
        "一致 Agree",
        "数据库最后修改 DB last change",
        "索引类型 Type",
    )
    for check in checks:
        info = manifest["kinds"].get(check.kind, {})
        kind_type = {
            "ivf": "IVF (近似 approximate)",
            "pgvector-hnsw": "pgvector HNSW (近似 approximate)",
            "pgvector-exact": "pgvector (精确 exact)",
        }.get(str(info.get("type")), "Flat (精确 exact)")
        table.add_row(
            check.kind,
            "?" if check.index_count is None else str(check.index_count),
            str(check.db_count),
            "是 yes" if check.agree else "否 NO",
            str(db[check.kind]["last_change"]),
            kind_type,
        )
    console.print(table)
    configured = get_settings().embedder
    if configured != manifest["embedder"]:
        typer.secho(
            f"配置的嵌入模型为 {configured}，下次建立索引时将全部重建 / the configured embedder is "
            f"{configured}: the next build re-embeds everything",
            fg=typer.colors.YELLOW,
        )
    if "state" not in manifest:
        typer.secho(
            "该索引由旧版本保存，未记录数据库状态，请运行 `matchmaker index build` / saved by an "
            "older version without the database state: run `matchmaker index build`",
            fg=typer.colors.YELLOW,
        )
        raise typer.Exit(1)
    for name in corrupt:
        typer.secho(
            f"索引文件校验和不符 checksum mismatch: {name}（下次启动或 `matchmaker index build` 会全部重建 / "
            "the next start or `matchmaker index build` rebuilds everything）",
            fg=typer.colors.RED,
        )
    if all(check.agree for check in checks) and not corrupt:
        ok("索引与数据库一致 / the index and the database agree")
        return
    differ = ", ".join([c.kind for c in checks if not c.agree] + corrupt)
    typer.secho(
        f"索引与数据库不一致（{differ}），请运行 `matchmaker index build`（服务启动时也会补齐）/ the "
        f"index and the database differ ({differ}): run `matchmaker index build` (a starting "
        "server catches up too)",
        fg=typer.colors.YELLOW,
    )
    raise typer.Exit(1)


def verify_command() -> None:
    """完整校验检索索引 Verify the saved index in full: file checksums, each kind's tables, each
    item against the database; exit 0 when all agree, 1 when not."""
    from matchmaker.core.container import get_container
    from matchmaker.retrieval.index.integrity import verify_saved
    from matchmaker.store.db import session_scope

    container = get_container()
    directory = container.settings.index_dir
    with session_scope() as session:
        report = verify_saved(session, directory, container.embedder.dim)
    if report is None:
        typer.secho(
            f"尚未建立索引，请运行 `matchmaker index build` / no complete index at {directory}: "
            "run `matchmaker index build`",
            fg=typer.colors.YELLOW,
        )
        raise typer.Exit(1)
    typer.echo(f"索引代 Generation: {directory / report.generation}")
    if not report.has_checksums:
        typer.secho(
            "没有记录校验和（旧版本保存）/ no checksums recorded (saved by an older version)",
            fg=typer.colors.YELLOW,
        )
    for name in report.bad_files:
        typer.secho(f"校验和不符 checksum mismatch: {name}", fg=typer.colors.RED)
    for check in report.kinds:
        line = f"{check.kind}: 索引 index {check.index_count}，数据库 database {check.db_count}"
        if check.agree:
            typer.echo(line + " — 一致 agree")
            continue
        typer.secho(line + " — 不一致 DIFFER", fg=typer.colors.RED)
        for label, ids in (
            ("缺少 missing from the index", check.missing),
            ("多余 no longer in the database", check.extra),
            ("过期 text changed since embedded", check.stale),
        ):
            if ids:
                typer.echo(f"  {label}: {', '.join(map(str, ids))}")
        if check.broken:
            typer.echo(f"  {check.broken}")
    if report.ok:
        ok("索引完整，与数据库一致 / the index is intact and agrees with the database")
        return
    typer.secho(
        "请运行 `matchmaker index build` 修复（校验和不符时会全部重建）/ run `matchmaker index "
        "build` to repair it (a checksum mismatch rebuilds everything)",
        fg=typer.colors.YELLOW,
    )
    raise typer.Exit(1)


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
