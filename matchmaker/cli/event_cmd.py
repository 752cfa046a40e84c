"""CLI for matchmaking events: `event plan|check|export` and `bench events`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from matchmaker.cli.common import UserError, benchmarks_on_path, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the event commands to the app and the events benchmark to `bench`."""
    event_app = typer.Typer(
        help="园校企对接活动排程 Matchmaking events: choose pairs, slots and tables.",
        no_args_is_help=True,
    )
    app.add_typer(event_app, name="event")
    event_app.command("plan")(plan_command)
    event_app.command("check")(check_command)
    event_app.command("export")(export_command)
    bench_app.command("events")(bench_events)


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise UserError(f"找不到{what}文件 {path} / {what} file not found: {path}") from exc
    except OSError as exc:
        raise UserError(f"无法读取 {path} / cannot read {path}: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path} 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）/ "
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc


def _load_problem(path: Path, previous: Path | None = None) -> Any:
    from matchmaker.events.solver.model import EventInputError
    from matchmaker.events.solver.parse import parse_problem, previous_from_plan_json

    data = _read_json(path, "活动 event")
    try:
        problem = parse_problem(data)
        if previous is not None:
            problem.previous = previous_from_plan_json(_read_json(previous, "上一版方案 plan"))
    except EventInputError as exc:
        raise UserError(f"{path}:\n{exc}") from exc
    return problem


def plan_command(
    input_file: Annotated[
        Path,
        typer.Option("--input", "-i", help="活动描述 JSON event description (see docs/events.md)"),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON 方案 print the plan as one JSON object")
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="上一版方案（尽量少改动）previous plan JSON: re-plan with few changes",
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="时间上限（秒）time budget in seconds")
    ] = 8.0,
) -> None:
    """生成对接活动方案 Choose who meets whom, in which slot and at which table."""
    from matchmaker.events.solver.planner import plan_event
    from matchmaker.events.solver.serialize import plan_to_json

    problem = _load_problem(input_file, previous)
    plan = plan_event(problem, time_limit=time_limit)
    if as_json:
        typer.echo(json.dumps(plan_to_json(plan), ensure_ascii=False))
        return
    stats = plan.stats
    ok(
        f"已安排 {len(plan.meetings)} 场会谈，总得分 {plan.objective:.2f}，用时 {stats['seconds']} 秒 / "
        f"{len(plan.meetings)} meetings, total score {plan.objective:.2f}, {stats['seconds']} s"
    )
    typer.echo(
        f"使用时段 slots used: {stats['slots_used']}；最长空档 max idle gap: {stats['max_idle_gap']}"
    )
    for row in plan.unmet_must_meet:
        typer.secho(f"未满足必见 unmet must-meet ({row.a}, {row.b}): {row.message}", fg="yellow")
    for pair in plan.dropped:
        typer.secho(f"无法排入 dropped ({pair.a}, {pair.b}) score {pair.score}", fg="yellow")
    for m in plan.meetings:
        typer.echo(f"  slot {m.slot:>2}  table {m.table:>3}  {m.a} × {m.b}  ({m.score})")


def check_command(
    input_file: Annotated[
        Path, typer.Option("--input", "-i", help="活动描述 JSON event description")
    ],
    plan_file: Annotated[Path, typer.Option("--plan", "-p", help="方案 JSON plan to check")],
) -> None:
    """检查方案是否违反规则 Check a plan against every rule of the event."""
    from matchmaker.events.solver.check import check_plan, placement_figures
    from matchmaker.events.solver.model import EventInputError
    from matchmaker.events.solver.serialize import plan_from_json

    problem = _load_problem(input_file)
    try:
        plan = plan_from_json(_read_json(plan_file, "方案 plan"))
    except EventInputError as exc:
        raise UserError(f"{plan_file}:\n{exc}") from exc
    issues = check_plan(problem, plan)
    if issues:
        for issue in issues:
            typer.secho(issue, fg="red", err=True)
        raise typer.Exit(1)
    ok("方案有效 The plan is valid.")
    figures = placement_figures(problem, plan.meetings)
    typer.echo(
        f"偏好时段外的会谈方次 meeting sides outside preferred windows: {figures['window_misses']}；"
        f"最忙时段会谈数 busiest slot: {figures['busiest_slot']}；"
        f"使用时段 slots used: {figures['slots_used']}"
    )


def export_command(
    input_file: Annotated[
        Path, typer.Option("--input", "-i", help="活动描述 JSON event description")
    ],
    plan_file: Annotated[Path, typer.Option("--plan", "-p", help="方案 JSON plan")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录 output folder")],
    slot_labels: Annotated[
        str | None,
        typer.Option(
            "--slot-labels", help="时段时间，逗号分隔 slot times, e.g. 09:00-09:20,09:20-09:40"
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="活动名称 event title")] = None,
) -> None:
    """导出方案 Export meetings.csv, meetings.xlsx and a printable agenda.html."""
    from matchmaker.events.service.export import context_for, write_csv, write_html, write_xlsx
    from matchmaker.events.solver.model import EventInputError
    from matchmaker.events.solver.serialize import plan_from_json

    problem = _load_problem(input_file)
    try:
        plan = plan_from_json(_read_json(plan_file, "方案 plan"))
    except EventInputError as exc:
        raise UserError(f"{plan_file}:\n{exc}") from exc
    labels = [x.strip() for x in slot_labels.split(",")] if slot_labels else None
    if labels is not None and len(labels) != problem.slots:
        raise UserError(
            f"--slot-labels 应有 {problem.slots} 项，实际 {len(labels)} 项 / "
            f"--slot-labels needs {problem.slots} entries, got {len(labels)}"
        )
    ctx = context_for(problem, labels, title)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "meetings.csv", plan, ctx)
    write_xlsx(out / "meetings.xlsx", plan, ctx)
    write_html(out / "agenda.html", plan, ctx)
    ok(f"已导出到 {out} / exported to {out}: meetings.csv, meetings.xlsx, agenda.html")


def bench_events(
    seed: Annotated[int, typer.Option(help="随机种子 seed")] = 7,
    time_limit: Annotated[float, typer.Option("--time-limit", help="时间上限 seconds")] = 8.0,
    enterprises: Annotated[int, typer.Option(help="企业数 enterprises")] = 500,
    universities: Annotated[int, typer.Option(help="高校数 universities")] = 500,
    pairs: Annotated[int, typer.Option(help="候选配对数 scored pairs")] = 20_000,
    tables: Annotated[int, typer.Option(min=1, help="每时段桌数 tables per slot")] = 60,
    slots: Annotated[int, typer.Option(min=1, help="时段数 slots")] = 16,
    unavailable_share: Annotated[
        float,
        typer.Option(
            "--unavailable-share",
            min=0.0,
            max=1.0,
            help="部分时段不在场的参会方比例 share of participants away for 2–5 slots",
        ),
    ] = 0.0,
    max_back_to_back: Annotated[
        int | None,
        typer.Option(
            "--max-back-to-back", min=1, help="每人最多连续会谈场数 cap on meetings in a row"
        ),
    ] = None,
    no_show_share: Annotated[
        float,
        typer.Option(
            "--no-show-share",
            min=0.0,
            max=0.5,
            help="未到场比例，然后最小改动重排 no-shows, then re-plan",
        ),
    ] = 0.0,
    replan_time_limit: Annotated[
        float, typer.Option("--replan-time-limit", help="重排时间上限 seconds for the re-plan")
    ] = 3.0,
    placement: Annotated[
        str, typer.Option(help="compact（集中）或 spread（分散，默认） placement")
    ] = "spread",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON print JSON")] = False,
) -> None:
    """活动排程基准 Plan a synthetic event (default 500×500); report time, objective, bound and gaps.

    The issue-16 target: --enterprises 1000 --universities 1000 --pairs 60000 --tables 400
    --time-limit 20 --no-show-share 0.05.
    """
    benchmarks_on_path()
    from benchmarks.events import BenchConfig, run_bench

    if pairs > enterprises * universities:
        raise UserError("候选配对数超过企业×高校 / more pairs than enterprises × universities")
    config = BenchConfig(
        enterprises=enterprises,
        universities=universities,
        pairs=pairs,
        tables=tables,
        slots=slots,
        seed=seed,
        placement=placement,
        unavailable_share=unavailable_share,
        max_back_to_back=max_back_to_back,
        no_show_share=no_show_share,
    )
    if placement not in ("compact", "spread"):
        raise UserError(
            "--placement 应为 compact 或 spread / --placement must be compact or spread"
        )
    report = run_bench(config, time_limit=time_limit, replan_time_limit=replan_time_limit)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        typer.echo(f"{key}: {value}")
    if not report["valid"]:
        raise typer.Exit(1)
