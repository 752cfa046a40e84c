"""CLI: `migrate-store --to pgvector` (move a SQLite/FAISS install) and `bench pgvector`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli.common import UserError, benchmarks_on_path, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `migrate-store` and `bench pgvector`."""
    app.command("migrate-store")(migrate_store_command)
    bench_app.command("pgvector")(bench_pgvector_command)


def migrate_store_command(
    to: Annotated[str, typer.Option("--to", help="目标存储 target store (pgvector)")],
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url", help="目标 PostgreSQL 数据库 target postgresql://user@host/db"
        ),
    ],
) -> None:
    """迁移到 PostgreSQL/pgvector Move this install's items and saved vectors (no re-embedding)."""
    from matchmaker.core.config import get_settings
    from matchmaker.store.migrate_store import MigrationError, migrate_to_pgvector

    if to != "pgvector":
        raise UserError(f"--to 只支持 pgvector / --to supports only pgvector, not {to!r}")
    settings = get_settings()
    try:
        report = migrate_to_pgvector(
            settings.resolved_database_url,
            database_url,
            settings.index_dir,
            log=lambda line: typer.echo(line, err=True),
        )
    except MigrationError as exc:
        raise UserError(str(exc)) from exc
    typer.echo(report.summary())
    ok(
        "完成：设置 DATABASE_URL 与 MATCHMAKER_VECTOR_STORE=pgvector 后启动 / done: start with "
        "DATABASE_URL set to the target and MATCHMAKER_VECTOR_STORE=pgvector"
    )


def bench_pgvector_command(
    n: Annotated[
        int, typer.Option("--n", help="向量条数 vectors in the scale test (0: skip it)")
    ] = 100_000,
    ef: Annotated[
        str, typer.Option("--ef", help="hnsw.ef_search 取值，逗号分隔 values, comma-separated")
    ] = "100,200,400",
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="PostgreSQL + pgvector（默认启动临时 pgserver）/ default: a temporary pgserver",
        ),
    ] = None,
    demo: Annotated[bool, typer.Option(help="演示数据上与 FAISS 的重合度 demo overlap")] = True,
    csl: Annotated[
        Path | None,
        typer.Option("--csl", help="CSL dev 目录 BEIR folder (default: shared data if present)"),
    ] = None,
    m: Annotated[int, typer.Option("--m", help="HNSW m（每点边数 links per node）")] = 24,
    ef_construction: Annotated[
        int, typer.Option("--ef-construction", help="HNSW ef_construction")
    ] = 100,
    output: Annotated[
        Path | None, typer.Option("--json", help="把结果写入 JSON 文件 write the figures")
    ] = None,
) -> None:
    """pgvector 基准 recall@10 vs exact, p50/p99, HNSW build time, top-10 overlap with FAISS."""
    benchmarks_on_path()
    from benchmarks.pgvector import run_pgvector_bench

    if database_url is None:
        import importlib.util

        if importlib.util.find_spec("pgserver") is None:
            raise UserError(
                "未安装 pgserver：请 pip install pgserver，或用 --database-url 指定带 pgvector 的 "
                "PostgreSQL / pgserver is not installed: pip install pgserver, or pass "
                "--database-url of a PostgreSQL with pgvector"
            )
    if 0 < n < 1000 or n < 0:
        raise UserError("--n 至少 1000（0：不测规模）/ --n must be at least 1000 (0: no scale run)")
    try:
        ef_values = tuple(int(v) for v in ef.split(",") if v.strip())
    except ValueError as exc:
        raise UserError(f"--ef 需要整数列表 / --ef needs integers: {ef!r}") from exc
    folder = csl
    if folder is None:
        import os

        import matchmaker

        shared = os.environ.get("MATCHMAKER_SHARED_DATA") or str(
            Path(matchmaker.__file__).resolve().parents[2] / "shared" / "data"
        )
        folder = Path(shared) / "csl-dev" / "keywords"
    if not folder.is_dir():
        folder = None
    report = run_pgvector_bench(
        database_url,
        n,
        ef_values,
        demo=demo,
        csl=folder,
        log=lambda line: typer.echo(line, err=True),
        m=m,
        ef_construction=ef_construction,
    )
    body = json.dumps(report, ensure_ascii=False, indent=1)
    typer.echo(body)
    if output is not None:
        output.write_text(body, encoding="utf-8")
        ok(f"已写入 written: {output}")
