"""CLI for innovation maps and park statistics: `maps show|import|chains|reset`, `report`,
`bench maps`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli.common import UserError, benchmarks_on_path, ok

STATUS_COLOURS = {
    "covered": typer.colors.GREEN,
    "weak": typer.colors.YELLOW,
    "gap": typer.colors.RED,
}


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `maps`, `report` and `bench maps` to the app."""
    maps_app = typer.Typer(
        help="产业链创新地图 Innovation maps: chain links a park covers, gaps and who could fill them.",
        no_args_is_help=True,
    )
    app.add_typer(maps_app, name="maps")
    maps_app.command("show")(show_command)
    maps_app.command("import")(import_command)
    maps_app.command("chains")(chains_command)
    maps_app.command("reset")(reset_command)
    app.command("report")(report_command)
    bench_app.command("maps")(bench_command)


def show_command(
    park: Annotated[
        str, typer.Option("--park", help="园区编号、外部编号或名称 park id, external id or name")
    ],
    industry: Annotated[
        str | None, typer.Option("--industry", help="只画一条产业链 only this industry's chain")
    ] = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="写出 SVG 图 write the SVG diagram")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="写出 PNG 图 write a PNG picture")
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="写出含缺口表的 XLSX write the XLSX with the gap table"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON print the map as JSON")
    ] = False,
    candidates: Annotated[
        bool,
        typer.Option("--candidates/--no-candidates", help="为缺口排候选 rank candidates for gaps"),
    ] = True,
) -> None:
    """显示园区产业链地图 Show a park's chain map: covered, weak and missing links, with candidates."""
    from matchmaker.maps.chains import UnknownChain
    from matchmaker.maps.export import write_xlsx
    from matchmaker.maps.park_map import UnknownPark, build_park_map
    from matchmaker.maps.render import render_png, render_svg
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            park_map = build_park_map(
                session, park, _industry(industry), with_candidates=candidates
            )
    except (UnknownPark, UnknownChain) as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(park_map.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print_map(park_map)
    if svg is not None or png is not None:
        drawing = render_svg(park_map)
        if svg is not None:
            svg.write_text(drawing, encoding="utf-8")
            ok(f"SVG 已写入 written: {svg}")
        if png is not None:
            png.write_bytes(render_png(drawing))
            ok(f"PNG 已写入 written: {png}")
    if xlsx is not None:
        write_xlsx(park_map, xlsx)
        ok(f"XLSX 已写入 written: {xlsx}")


def _industry(text: str | None) -> str | None:
    if text is None:
        return None
    from matchmaker.core.taxonomy import resolve_industry

    return resolve_industry(text) or text


def _print_map(park_map: object) -> None:
    from matchmaker.maps.chains import STAGES
    from matchmaker.maps.coverage import STATUS_ZH
    from matchmaker.maps.gaps import GROUP_ZH
    from matchmaker.maps.park_map import ParkMap

    assert isinstance(park_map, ParkMap)
    typer.echo(f"{park_map.park_name}：园区企业 {park_map.enterprise_count} 家")
    if not park_map.chains:
        typer.echo("该园区的主导产业没有产业链定义 / no chain for the park's leading industries")
    for chain_map in park_map.chains:
        counts = chain_map.counts()
        typer.secho(
            f"\n{chain_map.chain.name}：已覆盖 {counts['covered']}，薄弱 {counts['weak']}，"
            f"缺失 {counts['gap']}",
            bold=True,
        )
        for coverage in chain_map.links:
            link = coverage.link
            firms = "、".join(s.firm.name for s in coverage.firms[:3]) or "—"
            typer.secho(
                f"  [{STATUS_ZH[coverage.status]}] {STAGES[link.stage][0]} · {link.name}：{firms}",
                fg=STATUS_COLOURS[coverage.status],
            )
            for group, items in chain_map.candidates.get(link.code, {}).items():
                for candidate in items[:2]:
                    typer.echo(
                        f"      候选{GROUP_ZH[group]}：{candidate.name}（{candidate.org.name}，"
                        f"{candidate.score:.0f} 分）— {candidate.reasons[0]}"
                    )
    typer.echo(f"\n用时 took {park_map.seconds:.2f} s")


def import_command(
    file: Annotated[
        Path, typer.Argument(help="产业链文件 chains file: .csv, .xlsx, .jsonl or .json")
    ],
) -> None:
    """导入产业链（全部成功或全部不导入）Import chains: each industry in the file is replaced whole;
    any problem and nothing changes."""
    from matchmaker.catalog.importer.readers import ReadError
    from matchmaker.maps.chain_import import ChainImportFailed, import_chains

    try:
        report = import_chains(file)
    except ReadError as exc:
        raise UserError(str(exc)) from exc
    except ChainImportFailed as failed:
        for problem in failed.report.problems:
            typer.secho(str(problem), fg=typer.colors.RED, err=True)
        raise UserError(
            f"文件有 {len(failed.report.problems)} 处问题，未导入任何产业链 / "
            f"{len(failed.report.problems)} problem(s): no chain was changed"
        ) from failed
    if report.unknown_columns:
        typer.secho(
            "未识别的列（已忽略）unknown columns ignored: " + "、".join(report.unknown_columns),
            fg=typer.colors.YELLOW,
            err=True,
        )
    ok("已导入产业链 chains imported:\n" + report.summary())


def chains_command(
    industry: Annotated[
        str | None, typer.Option("--industry", help="只看一个产业 one industry")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="导出为可编辑再导入的文件 export (.csv / .xlsx / .json) for editing"
        ),
    ] = None,
) -> None:
    """列出产业链 List the chains in force (shipped or imported), or export them for editing."""
    from matchmaker.maps.chain_export import export_chains
    from matchmaker.maps.chains import STAGES, UnknownChain, get_chain, load_chains

    try:
        chains = (
            {industry: get_chain(_industry(industry) or industry)} if industry else load_chains()
        )
    except UnknownChain as exc:
        raise UserError(str(exc)) from exc
    if out is not None:
        try:
            export_chains(list(chains.values()), out)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        ok(f"已导出 {len(chains)} 条产业链 exported to: {out}")
        return
    for chain in chains.values():
        source = "已导入 imported" if chain.source == "imported" else "内置 shipped"
        typer.secho(f"{chain.name}（{chain.industry}，{source}）", bold=True)
        for link in chain.links:
            typer.echo(
                f"  {STAGES[link.stage][0]} · {link.name} [{link.code}]："
                + "、".join(link.core_technologies)
            )


def reset_command(
    industry: Annotated[
        list[str] | None,
        typer.Option("--industry", help="恢复内置产业链 restore the shipped chain"),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="恢复全部 restore every shipped chain")
    ] = False,
) -> None:
    """恢复内置产业链 Drop imported chains so the shipped ones apply again."""
    from matchmaker.maps.chains import read_overrides, reset_chains

    wanted = list(read_overrides()) if all_ else [_industry(i) or i for i in industry or []]
    if not wanted:
        raise UserError("请指定 --industry 或 --all / give --industry or --all")
    removed = reset_chains(wanted)
    ok("已恢复内置产业链 restored: " + ("、".join(removed) or "（无导入的产业链）none imported"))


def report_command(
    period: Annotated[str, typer.Option("--period", help="统计期 period: 2026, 2026Q4 or 2026-11")],
    park: Annotated[
        str | None, typer.Option("--park", help="园区（缺省为全平台）park (default: all parks)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="写出 XLSX 报表 write the XLSX report")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON print the figures as JSON")
    ] = False,
) -> None:
    """园区专项统计报表 A park's statistics for a period: funnel, items, events, digests."""
    from matchmaker.maps.park_map import UnknownPark
    from matchmaker.stats.periods import BadPeriod, parse_period
    from matchmaker.stats.report import build_report
    from matchmaker.stats.xlsx import write_report_xlsx
    from matchmaker.store.db import session_scope, upgrade

    try:
        chosen = parse_period(period)
    except BadPeriod as exc:
        raise UserError(str(exc)) from exc
    upgrade()
    try:
        with session_scope() as session:
            report = build_report(session, park, chosen)
    except UnknownPark as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print_report(report)
    if out is not None:
        write_report_xlsx(report, out)
        ok(f"报表已写入 report written: {out}")


def _print_report(report: object) -> None:
    from matchmaker.core.messages import label
    from matchmaker.stats.funnel import STAGE_ZH, STAGES
    from matchmaker.stats.report import ParkReport

    assert isinstance(report, ParkReport)
    name = report.park["name"] if report.park else "全平台"
    typer.secho(f"{name} · {report.period.label_zh}", bold=True)
    for kind, stock in report.inventory.items.items():
        share = "—" if stock.fresh_share is None else f"{stock.fresh_share:.0%}"
        typer.echo(
            f"  {label('kind', kind)}：有效 {stock.active} / 共 {stock.total}，本期新增 {stock.new_in_period}，"
            f"{report.inventory.fresh_days} 天内更新 {share}"
        )
    total = report.funnel.total
    typer.echo("  漏斗：" + " → ".join(f"{STAGE_ZH[s]} {total.counts[s]}" for s in STAGES))
    ev = report.events
    typer.echo(
        f"  对接活动：计划 {ev.events_planned}，已举办 {ev.events_held}；会谈：计划 "
        f"{ev.meetings_planned}，已举办 {ev.meetings_held}" + (f"（{ev.note}）" if ev.note else "")
    )
    dg = report.digest
    rate = "—" if dg.delivery_rate is None else f"{dg.delivery_rate:.0%}"
    unsub = "—" if dg.unsubscribe_rate is None else f"{dg.unsubscribe_rate:.1%}"
    typer.echo(
        f"  推送：送达率 {rate}，退订率 {unsub}，订阅者 {dg.subscribers}"
        + (f"（{dg.note}）" if dg.note else "")
    )


def bench_command(
    items: Annotated[
        int, typer.Option("--items", min=100, help="合成数据条目数 synthetic items")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 random seed")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON print JSON")] = False,
) -> None:
    """产业链地图性能基准 Map benchmark: the demo park map warm, and a map over a synthetic dataset."""
    benchmarks_on_path()
    from benchmarks.maps import run_bench

    try:
        result = run_bench(items=items, seed=seed)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        typer.echo(f"{key}: {value}")
