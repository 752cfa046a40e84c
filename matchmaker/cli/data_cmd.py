"""CLI for the database and data: `db upgrade`, `import KIND FILE`, `demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli.common import UserError, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the data commands to the app."""
    db_app = typer.Typer(help="数据库 Database schema.", no_args_is_help=True)
    app.add_typer(db_app, name="db")
    db_app.command("upgrade")(db_upgrade)
    app.command("import")(import_command)
    app.command("demo")(demo_command)
    labels_app = typer.Typer(
        help="待映射的行业标签 Industry labels imports kept but could not map.",
        no_args_is_help=True,
    )
    app.add_typer(labels_app, name="labels")
    labels_app.command("list")(labels_list)
    labels_app.command("map")(labels_map)


def labels_list() -> None:
    """列出待映射的行业标签 List unknown industry labels, the records carrying them, suggestions."""
    from matchmaker.catalog.labels import open_labels
    from matchmaker.core.taxonomy import industry_zh
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        found = open_labels(session)
    if not found:
        ok("没有待映射的标签 No labels to map.")
        return
    for entry in found:
        hint = "、".join(f"{c}（{industry_zh(c)}）" for c in entry.suggestions) or "—"
        typer.echo(f"{entry.label}\t{len(entry.records)} 条 records\t是否指 did you mean: {hint}")


def labels_map(
    label: Annotated[str, typer.Argument(help="导入时保留的标签 the label as imported")],
    industry: Annotated[str, typer.Argument(help="行业（代码或名称）industry code or name")],
) -> None:
    """把标签映射到行业 Give every record carrying the label this industry; close its flags."""
    from matchmaker.catalog.labels import map_label
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            changed = map_label(session, label, industry)
    except (LookupError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    ok(f"“{label}” 已映射，{changed} 条记录已更新 / mapped, {changed} record(s) updated")
    _sync_index_quietly()


def db_upgrade() -> None:
    """创建或升级数据库结构 Create or upgrade the database schema to the newest migration."""
    from matchmaker.store.db import upgrade

    upgrade()
    ok("数据库已是最新结构 Database schema is up to date.")


def import_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="数据类型 kind: organisations | parks | achievements | needs | scenarios | subscriptions | chains"
        ),
    ],
    file: Annotated[
        Path, typer.Argument(help="文件 file: .csv (UTF-8/UTF-8 BOM/GBK), .xlsx or .jsonl")
    ],
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="导入有效行并报告其余行 import the valid rows, report the rest"
        ),
    ] = False,
    defer_embedding: Annotated[
        bool,
        typer.Option(
            "--defer-embedding",
            help="只保存，不在前台嵌入：运行中的服务会在后台补齐，或稍后运行 `matchmaker index build` / "
            "store the rows only; a running server embeds them in the background (its /ready "
            "shows the backlog), or run `matchmaker index build` later",
        ),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="配置了 MATCHMAKER_BROKER_URL 时：等待任务完成并显示进度 / with a broker: wait for "
            "the queued job and show its progress",
        ),
    ] = False,
) -> None:
    """导入数据文件（全部成功或全部不导入）Import a file: all rows or none; problems listed by row and field."""
    from matchmaker.catalog.importer.apply import ImportFailed
    from matchmaker.catalog.importer.readers import ReadError
    from matchmaker.catalog.importer.service import UnknownKind, import_file, resolve_kind
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import session_scope, upgrade

    if kind.strip().lower() in ("chains", "chain", "产业链"):
        from matchmaker.cli.maps_cmd import import_command as import_chains_command

        import_chains_command(file)
        return
    try:
        canonical = resolve_kind(kind)
    except UnknownKind as exc:
        raise UserError(str(exc)) from exc
    upgrade()
    from matchmaker.catalog.importer import is_extra_kind

    settings = get_settings()
    if settings.queued and not is_extra_kind(canonical):
        from matchmaker.cli.queued_import import queue_import

        queue_import(settings, canonical, file, skip_invalid=skip_invalid, wait=wait)
        return
    try:
        with session_scope() as session:
            report = import_file(session, canonical, file, skip_invalid=skip_invalid)
    except ReadError as exc:
        raise UserError(str(exc)) from exc
    except ImportFailed as failed:
        for problem in failed.report.problems:
            typer.secho(str(problem), fg=typer.colors.RED, err=True)
        raise UserError(
            f"文件有 {len(failed.report.problems)} 处问题，未导入任何数据 / "
            f"{len(failed.report.problems)} problem(s): nothing was imported"
        ) from failed
    for problem in report.problems:
        if problem.soft and problem.row not in report.skipped_rows:
            typer.secho(
                f"已导入，标签待映射 imported, label kept to map: {problem}",
                fg=typer.colors.YELLOW,
                err=True,
            )
        else:
            typer.secho(f"已跳过 skipped: {problem}", fg=typer.colors.YELLOW, err=True)
    if report.flagged:
        typer.secho(
            f"{len(report.flagged)} 个行业标签待映射：matchmaker labels list / "
            "labels to map: matchmaker labels map LABEL INDUSTRY",
            fg=typer.colors.YELLOW,
            err=True,
        )
    if report.unknown_columns:
        typer.secho(
            "未识别的列（已忽略）unknown columns ignored: " + "、".join(report.unknown_columns),
            fg=typer.colors.YELLOW,
            err=True,
        )
    ok(
        f"{canonical}: 新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，跳过 {len(report.skipped_rows)} 行 "
        f"(created {report.created}, updated {report.updated}, unchanged {report.unchanged}, skipped {len(report.skipped_rows)})"
    )
    if is_extra_kind(canonical):
        return
    if defer_embedding:
        waiting = report.created + report.updated
        typer.secho(
            f"已保存，暂不嵌入 {waiting} 条：运行中的服务会在后台补齐（每 "
            f"{get_settings().index_catch_up_seconds:g} 秒检查一次，/ready 显示待嵌入数；期间按关键词可检索），"
            f"或运行 `matchmaker index build` / stored; embedding of {waiting} item(s) deferred: "
            "a running server catches up in the background (see the backlog in /ready; they are "
            "found by their words meanwhile), or run `matchmaker index build`",
            fg=typer.colors.YELLOW,
        )
        return
    _sync_index_quietly()


def _sync_index_quietly() -> None:
    """Bring the search index up to date after a data change, showing progress while it embeds."""
    from matchmaker.cli.progress import embedding_progress
    from matchmaker.retrieval.index.service import sync_default_index

    with embedding_progress("建立索引 indexing", transient=True) as progress:
        report = sync_default_index(progress)
    ok("检索索引已更新 search index up to date:\n" + report.summary())


def demo_command(
    index: Annotated[
        bool,
        typer.Option("--index/--no-index", help="同时建立检索索引 also build the search index"),
    ] = True,
) -> None:
    """加载演示数据 Load the demo data (parks, organisations, achievements, needs, scenarios)."""
    from matchmaker.demo.loader import load_demo
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        reports = load_demo(session)
    for kind, report in reports.items():
        ok(f"{kind}: 新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}")
    keys_file = _write_demo_keys()
    if keys_file:
        ok(f"演示 API 密钥已写入 demo API keys written to: {keys_file}")
    if index:
        _sync_index_quietly()


def _write_demo_keys() -> str | None:
    """Create the demo keys (once) in the data directory; the file's path, if there is one."""
    from matchmaker.core.config import get_settings
    from matchmaker.demo.keys import write_demo_keys
    from matchmaker.store.db import session_scope

    with session_scope() as session:
        path = write_demo_keys(session, get_settings().data_dir / "demo-api-keys.txt")
    return str(path) if path is not None else None
