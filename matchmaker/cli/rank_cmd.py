"""CLI for ranking: `recommend`, `feedback record|list|train`, `eval-pairs`, `bench recommend`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from matchmaker.cli.common import UserError, benchmarks_on_path, ok

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matchmaker.ranking.results import Recommendation
    from matchmaker.ranking.service import Recommender

TrackOption = Annotated[
    str,
    typer.Option("--track", "-t", help="赛道 track: tech-transfer | scenario | east-to-guangxi"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the ranking commands to the app and `recommend` to `bench`."""
    app.command("recommend")(recommend_command)
    feedback_app = typer.Typer(
        help="反馈 Feedback on recommended pairs: record, list, train the re-ranker.",
        no_args_is_help=True,
    )
    app.add_typer(feedback_app, name="feedback")
    feedback_app.command("record")(feedback_record)
    feedback_app.command("list")(feedback_list)
    feedback_app.command("train")(feedback_train)
    app.command("eval-pairs")(eval_pairs_command)
    bench_app.command("recommend")(bench_recommend_command)


@contextmanager
def _ranking_session() -> Iterator[tuple[Session, Recommender]]:
    """A committed-on-success session and the shared recommender, with user errors translated."""
    from matchmaker.ranking.context import UnknownSource
    from matchmaker.ranking.feedback import BadFeedback
    from matchmaker.ranking.service import get_recommender
    from matchmaker.ranking.tracks import UnknownTrack, WrongRoute
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            yield session, get_recommender()
    except (UnknownTrack, WrongRoute, UnknownSource, BadFeedback) as exc:
        raise UserError(str(exc)) from exc


def _one_source(**given: str | None) -> tuple[str, str]:
    chosen = [(kind, ref) for kind, ref in given.items() if ref]
    if len(chosen) != 1:
        raise UserError(
            "请且只请给出一个推荐对象：--need、--achievement、--scenario 或 --park / "
            "give exactly one of --need, --achievement, --scenario, --park"
        )
    return chosen[0][0], str(chosen[0][1])


def _parse_ref(text: str, what: str) -> tuple[str, str]:
    from matchmaker.core.kinds import TARGET_KINDS as kinds  # every kind a pair can name

    kind, sep, ref = text.partition(":")
    if not sep or kind not in kinds or not ref:
        raise UserError(
            f"{what} 的格式应为 类型:编号，如 need:N-ICV-004；类型可为 {', '.join(kinds)} / "
            f"{what} must look like kind:id, e.g. need:N-ICV-004"
        )
    return kind, ref


def _print_list(kind: str, recs: list[Recommendation]) -> None:
    from matchmaker.core.messages import label

    typer.secho(f"\n== {label('target', kind)} ({kind}) ==", bold=True)
    if not recs:
        typer.echo("（没有可推荐的对象 nothing to recommend）")
    for rec in recs:
        who = f" — {rec.organisation.name}" if rec.organisation and kind != "organisation" else ""
        typer.secho(
            f"{rec.rank:>2}. [{rec.target_external_id}] {rec.title}{who}  得分 score {rec.score:.3f}",
            fg=typer.colors.CYAN,
        )
        for reason in rec.reasons:
            share = f"（{reason.contribution:+.3f}）" if reason.contribution else ""
            typer.echo(f"      · {reason.text}{share}")


def recommend_command(
    track: TrackOption,
    need: Annotated[
        str | None, typer.Option("--need", help="需求编号 need id or external id")
    ] = None,
    achievement: Annotated[
        str | None, typer.Option("--achievement", help="成果编号 achievement id")
    ] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="场景编号 scenario id")] = None,
    park: Annotated[str | None, typer.Option("--park", help="园区编号 park id, e.g. P-NN")] = None,
    k: Annotated[
        int, typer.Option("-k", "--k", help="每类推荐条数 results per list", min=1, max=100)
    ] = 10,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="只列一类对象 only this target kind: achievement | need | organisation | park",
        ),
    ] = None,
    as_json: JsonOption = False,
    no_log: Annotated[
        bool, typer.Option("--no-log", help="不记录展示结果 do not store what was shown")
    ] = False,
) -> None:
    """为一个需求、成果、场景或园区推荐配对对象，并给出理由 Recommend pairs for one item, with reasons."""
    from matchmaker.ranking.tracks import get_track

    source_kind, ref = _one_source(need=need, achievement=achievement, scenario=scenario, park=park)
    with _ranking_session() as (session, recommender):
        chosen = get_track(track)
        source_id = recommender.resolve(session, source_kind, ref)
        lists = recommender.recommend_all(
            session, chosen.name, source_kind, source_id, k, target_kind=target, log=not no_log
        )
        closed = not recommender.is_open(session, source_kind, source_id)
    if as_json:
        payload = {kind: [r.as_dict() for r in recs] for kind, recs in lists.items()}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if closed:
        typer.secho(
            f"{ref} 已关闭或已过截止日期，不再推荐 / {ref} is closed or past its deadline: "
            "no recommendations",
            fg=typer.colors.YELLOW,
        )
        return
    typer.secho(f"{chosen.zh}（{chosen.name}）· {source_kind} {ref}", bold=True)
    for kind, recs in lists.items():
        _print_list(kind, recs)


def feedback_record(
    track: TrackOption,
    source: Annotated[
        str, typer.Option("--source", help="推荐对象（反馈方）source, the party: need:N-ICV-004")
    ],
    target: Annotated[
        str, typer.Option("--target", help="被推荐对象 target: achievement:A-ICV-049")
    ],
    action: Annotated[
        str,
        typer.Option(
            "--action",
            help="accept 接受 | reject 拒绝 | contacted 已联系 | met 已洽谈 | signed 已签约",
        ),
    ],
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="拒绝原因 reject reason: too_early | unclear_benefit | wrong_field | too_vague | other",
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="备注 note")] = "",
    actor: Annotated[str | None, typer.Option("--by", help="记录人 who recorded it")] = None,
) -> None:
    """记录对一组配对的反馈 Record a party's feedback on a pair (rejected pairs are never shown again)."""
    from matchmaker.ranking.feedback import BadFeedback, check_action

    source_kind, source_ref = _parse_ref(source, "--source")
    target_kind, target_ref = _parse_ref(target, "--target")
    try:
        check_action(action, reason)  # before anything is loaded: a typo fails at once
    except BadFeedback as exc:
        raise UserError(str(exc)) from exc
    with _ranking_session() as (session, recommender):
        source_id = recommender.resolve(session, source_kind, source_ref)
        target_id = recommender.resolve(session, target_kind, target_ref)
        row = recommender.record_feedback(
            session,
            track,
            source_kind,
            source_id,
            target_kind,
            target_id,
            action,
            reason=reason,
            note=note,
            actor=actor,
        )
        saved = (row.action, row.reason)
    from matchmaker.store.feedback import FEEDBACK_ACTIONS, REJECT_REASONS

    why = f"（{REJECT_REASONS[saved[1]]}）" if saved[1] else ""
    ok(f"已记录 Recorded: {source_ref} → {target_ref}：{FEEDBACK_ACTIONS[saved[0]]}{why}")


def feedback_list(
    track: Annotated[str | None, typer.Option("--track", "-t", help="赛道 track")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="反馈方 party: need:N-ICV-004")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="条数 rows", min=1)] = 20,
    as_json: JsonOption = False,
) -> None:
    """列出最近的反馈 List recent feedback, newest first."""
    from matchmaker.store.feedback import FEEDBACK_ACTIONS, REJECT_REASONS

    party = _parse_ref(source, "--source") if source else None
    with _ranking_session() as (session, recommender):
        rows = recommender.feedback_history(session, track=track, party=party, limit=limit)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("暂无反馈 No feedback yet.")
    for row in rows:
        why = f"（{REJECT_REASONS[row.reason]}）" if row.reason else ""
        by = f" · {row.by}" if row.by else ""
        typer.echo(
            f"{row.at}  {row.track}  {row.source} → {row.target}  "
            f"{FEEDBACK_ACTIONS[row.action]}{why}{by}"
        )


def feedback_train(
    track: Annotated[
        str | None, typer.Option("--track", "-t", help="只训练一个赛道 one track only")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """用反馈训练重排序模型，仅当留出评估优于人工权重时启用 Train the re-ranker from feedback; used only if it beats the hand-set weights on held-out feedback."""
    with _ranking_session() as (session, recommender):
        reports = recommender.train_reranker(session, track)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
        return
    for report in reports:
        colour = typer.colors.GREEN if report.active else typer.colors.YELLOW
        typer.secho(f"{report.track}: {report.message}", fg=colour)


def eval_pairs_command(
    k: Annotated[int, typer.Option("-k", "--k", help="列表长度 list length", min=1)] = 10,
    details: Annotated[
        bool, typer.Option("--details", help="列出未完全排对的对象 list imperfect sources")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """用演示数据的标注配对检查排序（nDCG@10、成对准确率）Check ranking against the demo's labelled pairs."""
    from matchmaker.demo.loader import labelled_pairs
    from matchmaker.ranking.evaluate import evaluate_pairs

    pairs = labelled_pairs()
    with _ranking_session() as (session, recommender):
        result = evaluate_pairs(recommender, session, pairs, k)
    if all(t.sources == 0 for t in result.tracks.values()):
        raise UserError(
            "数据库中找不到标注配对涉及的条目，请先运行 `matchmaker demo` / none of the labelled "
            "items are in the database: run `matchmaker demo` first"
        )
    if as_json:
        payload = {
            "tracks": [t.as_dict() for t in result.tracks.values()],
            "skipped": result.skipped,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{'赛道 track':<20}{'对象 sources':>13}{'好/坏 good/bad':>15}{'nDCG@10':>9}"
        f"{'成对准确率 pairwise':>20}{'坏例被排除 bad ruled out':>26}"
    )
    for t in result.tracks.values():
        typer.echo(
            f"{t.track:<20}{t.sources:>13}{f'{t.good_pairs}/{t.bad_pairs}':>15}"
            f"{t.ndcg10:>9.3f}{t.pairwise_accuracy:>20.3f}{t.bad_ruled_out:>26}"
        )
    for line in result.skipped:
        typer.secho(f"已跳过 skipped: {line}", fg=typer.colors.YELLOW)
    if details:
        for s in result.sources:
            if s.correct < s.couples or (s.good and s.ndcg < 0.999):
                typer.echo(
                    f"  {s.track} {s.source} → {s.target_kind}: nDCG {s.ndcg:.2f}, "
                    f"{s.correct}/{s.couples}; good {s.good}, bad {s.bad}; top {s.ranked[:5]}"
                )


def bench_recommend_command(
    per_track: Annotated[
        int, typer.Option("--per-track", help="每赛道抽样对象数 sources sampled per track", min=1)
    ] = 60,
    k: Annotated[int, typer.Option("-k", "--k", help="列表长度 list length", min=1)] = 10,
    as_json: JsonOption = False,
) -> None:
    """测量单个对象推荐的延迟（预热后 p50/p95）Measure warm latency of recommending for one item."""
    benchmarks_on_path()
    from benchmarks.recommend import run_bench

    with _ranking_session() as (session, recommender):
        result = run_bench(recommender, session, per_track=per_track, k=k)
    if result["calls"] == 0:
        raise UserError(
            "数据库中没有可推荐的条目，请先运行 `matchmaker demo` / nothing to rank: run `matchmaker demo` first"
        )
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"机器 machine: {result['machine']}")
    typer.echo(
        f"首次（加载索引与快照）first call (loads index and snapshot): {result['cold_ms']:.0f} ms"
    )
    typer.echo(f"{'赛道 track':<22}{'次数 calls':>12}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, row in result["tracks"].items():
        typer.echo(
            f"{name:<22}{row['calls']:>12}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}{row['max_ms']:>10.1f}"
        )
    all_rows = result["all"]
    typer.echo(
        f"{'all':<22}{all_rows['calls']:>12}{all_rows['p50_ms']:>10.1f}{all_rows['p95_ms']:>10.1f}"
        f"{all_rows['max_ms']:>10.1f}"
    )
