"""CLI for stored events: `events create|list|add|pair|plan|replan|lock|move|cancel|show|export`
(and `invite|invitations|remind|notify`, in event_mail_cmd.py).

The file-based planner (`matchmaker event plan --input FILE.json`) lives in event_cmd.py; these
commands work on events kept in the database. Slots are given as numbers from 1 or start times
(09:20); tables by their labels; organisations by external id (编号), name or database id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchmaker.cli.common import UserError, ok
from matchmaker.cli.event_mail_cmd import (
    invitations_command,
    invite_command,
    notify_command,
    remind_command,
)
from matchmaker.cli.event_team_cmd import team_command

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matchmaker.events.service.scoring import ItemScorer

SESSION_SPEC = re.compile(
    r"^(?:(?P<name>[^=]+)=)?(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})"
    r"(?:/(?P<minutes>\d+))?(?:@(?P<interpreters>.+))?$"
)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the stored-event commands as `matchmaker events …`."""
    events_app = typer.Typer(
        help="对接活动管理（数据库）Matchmaking events kept in the database: set up, plan, "
        "lock, re-plan, cancel, export.",
        no_args_is_help=True,
    )
    app.add_typer(events_app, name="events")
    for name, command in (
        ("create", create_command),
        ("list", list_command),
        ("add", add_command),
        ("pair", pair_command),
        ("plan", plan_command),
        ("replan", replan_command),
        ("lock", lock_command),
        ("move", move_command),
        ("cancel", cancel_command),
        ("show", show_command),
        ("export", export_command),
        ("team", team_command),
        ("invite", invite_command),
        ("invitations", invitations_command),
        ("remind", remind_command),
        ("notify", notify_command),
    ):
        events_app.command(name)(command)


@contextmanager
def _session() -> Iterator[Session]:
    """A transaction on the configured database; service refusals become user errors."""
    from matchmaker.events.service.errors import EventError
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            yield session
    except EventError as exc:
        raise UserError(exc.message) from exc


def _scorer(choice: str) -> ItemScorer:
    """The scorer asked for, from the process container (auto: the engine once an index is built)."""
    from matchmaker.core.container import get_container
    from matchmaker.events.service.errors import EventError
    from matchmaker.events.service.scoring import chosen_scorer

    try:
        scorer = chosen_scorer(choice, get_container())
    except EventError as exc:
        raise UserError(exc.message) from exc
    if choice == "auto" and scorer.name == "lexical":
        typer.secho(
            "未找到检索索引，使用关键词评分 / no search index found: using keyword scores "
            "(run `matchmaker index build` for the pairing engine)",
            fg=typer.colors.YELLOW,
            err=True,
        )
    return scorer


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in re.split(r"[,，、]", text or "") if x.strip()]


def _print_outcome(outcome: Any) -> None:
    plan, changes = outcome.plan, outcome.changes
    ok(
        f"方案第 {plan.version} 版：{len(plan.meetings)} 场会谈，总得分 {plan.objective:.2f}，"
        f"用时 {outcome.seconds} 秒（评分：{plan.scorer}）/ plan v{plan.version}: "
        f"{len(plan.meetings)} meetings, total score {plan.objective:.2f}, {outcome.seconds} s"
    )
    typer.echo(
        f"变化 changes: 保持 kept {changes['kept']}，移动 moved {changes['moved']}，"
        f"新增 added {changes['added']}，取消 removed {changes['removed']}"
    )
    for row in plan.unmet:
        typer.secho(
            f"未满足必见 unmet must-meet ({row['a']}, {row['b']}): {row['message']}", fg="yellow"
        )
    for warning in plan.warnings:
        typer.secho(f"提醒 warning: {warning}", fg="yellow")


# ---- commands ----------------------------------------------------------------------------------
def create_command(
    name: Annotated[str, typer.Option("--name", help="活动名称 event name")],
    date: Annotated[str, typer.Option("--date", help="日期 date, YYYY-MM-DD")],
    sessions: Annotated[
        list[str],
        typer.Option(
            "--session",
            help="场次 session: 名称=开始-结束/分钟@翻译语种, e.g. 上午场=09:00-12:00/20 or "
            "下午场=14:00-17:00/20@英语+越南语 (repeat for each session; the gap is the break)",
        ),
    ],
    tables: Annotated[int, typer.Option("--tables", min=1, help="桌数 number of tables")] = 10,
    table_labels: Annotated[
        str | None, typer.Option("--table-labels", help="桌号 table labels, e.g. A1,A2,B1")
    ] = None,
    park: Annotated[str | None, typer.Option("--park", help="园区编号 park external id")] = None,
    tracks: Annotated[
        str, typer.Option("--tracks", help="赛道 tracks: tech-transfer,scenario,east-to-guangxi")
    ] = "",
    industries: Annotated[
        str, typer.Option("--industries", help="行业 industries, e.g. 电子信息")
    ] = "",
    max_meetings: Annotated[
        int, typer.Option("--max-meetings", min=0, help="每方默认会谈上限 default meetings cap")
    ] = 6,
    venue: Annotated[str, typer.Option("--venue", help="地点 venue")] = "",
    organiser_key: Annotated[
        int | None,
        typer.Option(
            "--organiser-key", help="组织团队首位成员的密钥编号 first team member's key id"
        ),
    ] = None,
) -> None:
    """新建活动 Create an event with its sessions, slots and tables (only its organiser team and
    admins see it: give the organiser's key id, or add members with `events team`)."""
    from matchmaker.catalog.parsers import parse_industries
    from matchmaker.events.service import events
    from matchmaker.events.service.grid import DEFAULT_SLOT_MINUTES, SessionSpec

    try:
        day = dt.date.fromisoformat(date)
        codes = parse_industries(_split(industries))
    except ValueError as exc:
        raise UserError(f"{exc} / bad --date or --industries") from exc
    blocks: list[SessionSpec] = []
    for spec in sessions:
        match = SESSION_SPEC.match(spec.strip())
        if match is None:
            raise UserError(f"场次格式应为 名称=09:00-12:00/20@英语 / bad --session {spec!r}")
        blocks.append(
            SessionSpec(
                (match["name"] or "").strip(),
                match["start"].zfill(5),
                match["end"].zfill(5),
                int(match["minutes"] or DEFAULT_SLOT_MINUTES),
                [x for x in re.split(r"[+,，、]", match["interpreters"] or "") if x],
            )
        )
    with _session() as session:
        event = events.create_event(
            session,
            events.EventSpec(
                name=name,
                date=day,
                sessions=blocks,
                tables=_split(table_labels),
                table_count=tables,
                park_id=events.find_park(session, park) if park else None,
                venue=venue,
                tracks=_split(tracks),
                industries=codes,
                default_max_meetings=max_meetings,
            ),
            actor="cli",
        )
        if organiser_key is not None:
            from matchmaker.events.service import team

            team.add_organiser(session, event.id, organiser_key, added_by="cli")
        ok(
            f"已创建活动 {event.id}：{event.name}，{len(event.slots)} 个时段 × {len(event.tables)} 张桌 / "
            f"created event {event.id}: {len(event.slots)} slots × {len(event.tables)} tables"
        )


def list_command() -> None:
    """活动列表 List events."""
    from matchmaker.events.service import events, views

    with _session() as session:
        _, rows = events.list_events(session, limit=100)
        if not rows:
            typer.echo("暂无活动 No events yet.")
        for event in rows:
            view = views.event_view(session, event)
            version = view["plan_version"]
            typer.echo(
                f"{event.id:>4}  {event.date}  {event.name}  参会 {view['participants']} 方  "
                f"方案 {'v' + str(version) if version else '—'}"
            )


def add_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    organisations: Annotated[
        list[str], typer.Argument(help="机构（编号、名称或数据库编号）organisations")
    ],
    max_meetings: Annotated[
        int | None, typer.Option("--max-meetings", min=0, help="会谈上限 meetings cap")
    ] = None,
    min_meetings: Annotated[
        int | None, typer.Option("--min-meetings", min=0, help="至少会谈 fairness floor")
    ] = None,
    unavailable: Annotated[
        str, typer.Option("--unavailable", help="不可用时段 unavailable slots: 1,2 or 09:00,09:20")
    ] = "",
    language: Annotated[
        str | None,
        typer.Option("--language", help="需要翻译的语种 interpreter language, e.g. 英语"),
    ] = None,
    needs: Annotated[str | None, typer.Option("--needs", help="带来的需求编号 need ids")] = None,
    achievements: Annotated[
        str | None, typer.Option("--achievements", help="带来的成果编号 achievement ids")
    ] = None,
    scenarios: Annotated[
        str | None, typer.Option("--scenarios", help="带来的场景编号 scenario ids")
    ] = None,
) -> None:
    """添加参会方 Invite organisations (by default each brings its active items in the theme)."""
    from matchmaker.events.service import events, grid, participants

    def items(kind: str, refs: str | None) -> list[int] | None:
        return None if refs is None else participants.find_items(session, kind, _split(refs))

    with _session() as session:
        event = events.get_event(session, event_id)
        blocked = [grid.slot_by_ref(event, ref) for ref in _split(unavailable)]
        for ref in organisations:
            row = participants.add_participant(
                session,
                event_id,
                participants.find_organisation(session, ref),
                max_meetings=max_meetings,
                min_meetings=min_meetings,
                unavailable_slots=blocked,
                language=language,
                need_ids=items("need", needs),
                achievement_ids=items("achievement", achievements),
                scenario_ids=items("scenario", scenarios),
            )
            ok(
                f"参会方 {row.id}：{row.organisation.name}（需求 {len(row.need_ids)}，成果 "
                f"{len(row.achievement_ids)}，场景 {len(row.scenario_ids)}）/ participant {row.id} added"
            )


def pair_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    a: Annotated[str, typer.Argument(help="参会方 participant (id, 编号 or name)")],
    b: Annotated[str, typer.Argument(help="参会方 participant")],
    never: Annotated[
        bool, typer.Option("--never", help="不得会谈（默认：必须会谈）never meet (default: must)")
    ] = False,
) -> None:
    """必见 / 不见配对 Make two participants meet, or keep them apart."""
    from matchmaker.events.models import PAIR_RULES
    from matchmaker.events.service import events, participants, rules

    with _session() as session:
        event = events.get_event(session, event_id)
        first = participants.find_participant(session, event, a)
        second = participants.find_participant(session, event, b)
        rule = rules.add_pair_rule(
            session, event_id, first.id, second.id, "never" if never else "must"
        )
        ok(f"规则 {rule.id}：{PAIR_RULES[rule.rule]} / rule {rule.id}: {rule.rule}")


ScorerOption = Annotated[
    str, typer.Option("--scorer", help="评分 scorer: auto | engine (配对引擎) | lexical (关键词)")
]
TimeLimit = Annotated[float, typer.Option("--time-limit", min=1.0, help="时间上限（秒）seconds")]


def plan_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    time_limit: TimeLimit = 8.0,
    scorer: ScorerOption = "auto",
    rescore: Annotated[bool, typer.Option("--rescore", help="重新评分 recompute scores")] = False,
) -> None:
    """生成方案 Plan who meets whom, when and where (keeps locked meetings)."""
    from matchmaker.events.service import planning

    chosen = _scorer(scorer)
    with _session() as session:
        _print_outcome(
            planning.generate_plan(
                session, event_id, chosen, time_limit=time_limit, actor="cli", rescore=rescore
            )
        )


def replan_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    time_limit: TimeLimit = 8.0,
    scorer: ScorerOption = "auto",
    rescore: Annotated[bool, typer.Option("--rescore", help="重新评分 recompute scores")] = False,
) -> None:
    """重新排程 Re-plan: locked meetings stay, as few others as possible change."""
    from matchmaker.events.service import planning

    chosen = _scorer(scorer)
    with _session() as session:
        _print_outcome(
            planning.replan(
                session, event_id, chosen, time_limit=time_limit, actor="cli", rescore=rescore
            )
        )


def lock_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    meetings: Annotated[list[int], typer.Argument(help="会谈编号 meeting ids (see `events show`)")],
    unlock: Annotated[bool, typer.Option("--unlock", help="解锁 unlock instead")] = False,
) -> None:
    """锁定会谈 Lock meetings where they are (or unlock them)."""
    from matchmaker.events.service import edits

    with _session() as session:
        for meeting_id in meetings:
            edits.set_locked(session, event_id, meeting_id, not unlock)
        ok(
            f"已{'解锁' if unlock else '锁定'} {len(meetings)} 场会谈 / {len(meetings)} meeting(s) "
            f"{'unlocked' if unlock else 'locked'}"
        )


def move_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    meeting_id: Annotated[int, typer.Argument(help="会谈编号 meeting id")],
    slot: Annotated[str, typer.Option("--slot", help="时段 slot: number from 1 or start time")],
    table: Annotated[str, typer.Option("--table", help="桌号 table label")],
    lock: Annotated[
        bool, typer.Option("--lock/--no-lock", help="移动后锁定 lock after moving")
    ] = True,
) -> None:
    """移动会谈 Move a meeting (checked against every rule)."""
    from matchmaker.events.service import edits, events, grid, views

    with _session() as session:
        event = events.get_event(session, event_id)
        moved = edits.move_meeting(
            session,
            event_id,
            meeting_id,
            grid.slot_by_ref(event, slot),
            grid.table_by_ref(event, table),
            lock=lock,
        )
        view = views.meeting_of(session, event, moved)
        ok(f"会谈 {moved.id} 已移到 {view['time']} {view['table_label']} 号桌 / moved")


def cancel_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    participant: Annotated[str, typer.Argument(help="参会方 participant (id, 编号 or name)")],
    time_limit: TimeLimit = 8.0,
    scorer: ScorerOption = "auto",
) -> None:
    """取消参会 Cancel a participant; its places are refilled by a re-plan."""
    from matchmaker.events.service import events, participants, planning

    with _session() as session:
        event = events.get_event(session, event_id)
        row = participants.find_participant(session, event, participant)
        outcome = planning.cancel_participant(
            session, event_id, row.id, _scorer(scorer), time_limit=time_limit, actor="cli"
        )
        ok(f"已取消 {row.organisation.name} / cancelled")
        if outcome is not None:
            _print_outcome(outcome)


def show_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    participant: Annotated[
        str | None, typer.Option("--participant", help="只看一方 one participant's agenda")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """查看活动与方案 Show the event, its participants and the current plan."""
    from matchmaker.events.service import events, participants, views

    with _session() as session:
        event = events.get_event(session, event_id)
        plan = events.current_plan(session, event)
        only = (
            participants.find_participant(session, event, participant).id if participant else None
        )
        document = views.plan_document(session, event, plan, only=only) if plan else None
        if as_json:
            typer.echo(json.dumps(document, ensure_ascii=False, default=str))
            return
        typer.echo(
            f"{event.name}（{event.date}）{len(event.slots)} 个时段 × {len(event.tables)} 张桌"
        )
        for row in event.participants:
            if only is None or row.id == only:
                state = "" if row.status == "active" else "  [已取消 cancelled]"
                typer.echo(
                    f"  参会方 {row.id:>4}  {participants.display_name(row.organisation, row)}{state}"
                )
        if document is None:
            typer.echo("尚无方案 No plan yet: run `matchmaker events plan`.")
            return
        typer.echo(
            f"方案第 {document['version']} 版 plan v{document['version']}（{document['scorer']}）"
        )
        for agenda in document["participants"]:
            if not agenda["meetings"]:
                continue
            typer.echo(f"\n{agenda['name']}")
            for m in agenda["meetings"]:
                lock = "  [锁定 locked]" if m["locked"] else ""
                typer.echo(
                    f"  [{m['meeting_id']}] {m['time']}  {m['table_label']} 号桌  {m['partner']}{lock}"
                )
        for issue in document["issues"]:
            typer.secho(f"问题 issue: {issue}", fg="red")


def export_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录 output folder")],
    participant: Annotated[
        str | None, typer.Option("--participant", help="只导出一方日程 one participant's agenda")
    ] = None,
) -> None:
    """导出 Export meetings.csv, meetings.xlsx and the printable agenda.html."""
    from matchmaker.events.service import downloads, events, participants

    out.mkdir(parents=True, exist_ok=True)
    with _session() as session:
        event = events.get_event(session, event_id)
        only = (
            participants.find_participant(session, event, participant).id if participant else None
        )
        files = downloads.export_set(session, event_id, only)
        for file in files:
            (out / file.filename).write_bytes(file.content)
        ok(f"已导出到 {out} / exported: " + "、".join(f.filename for f in files))
