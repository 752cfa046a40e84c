"""`matchmaker calibrate …`: refit the calibrated relevance of recommendations and of search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli.common import UserError


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the `calibrate` group."""
    calibrate_app = typer.Typer(
        help="拟合相关度校准 Fit calibrated relevance (高/中/低 and no good match).",
        no_args_is_help=True,
    )
    app.add_typer(calibrate_app, name="calibrate")
    calibrate_app.command("recommendations")(calibrate_recommendations)
    calibrate_app.command("search")(calibrate_search)
    calibrate_app.command("export-feedback")(export_feedback)


def export_feedback(
    out: Annotated[Path, typer.Option(help="输出文件 JSONL file to write")],
) -> None:
    """导出检索反馈为分级判断 Export users' standing search verdicts as graded judgements
    (有用 2, 不相关 0, disagreement 1) for `eval --feedback` and `calibrate search --feedback`."""
    from matchmaker.retrieval.search_feedback import judgements
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        rows = judgements(session)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    typer.echo(f"已导出 exported {len(rows)} judgements to {out}")


def calibrate_recommendations(
    out: Annotated[
        Path | None,
        typer.Option(help="模型文件 model file (default: models/recommendation-calibration.json)"),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="用口语化评测集的查询作为需求检验“没有合适配对” / write the colloquial set's "
            "queries as needs (rolled back) and measure how often no good match is said",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """在演示数据的标注配对上拟合推荐相关度 Fit the recommendation-pair calibrator on the demo's
    labelled pairs (the database must hold the demo data)."""
    from matchmaker.demo.loader import labelled_pairs
    from matchmaker.ranking.calibration import MODEL_FILE
    from matchmaker.ranking.fit_calibration import colloquial_check, fit_recommendation_calibrator
    from matchmaker.ranking.service import get_recommender
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        try:
            model, report = fit_recommendation_calibrator(
                get_recommender(), session, labelled_pairs()
            )
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        session.rollback()  # fitting only reads; nothing shown is logged
    target = out or MODEL_FILE
    model.save(target)
    checked: dict[str, object] = {}
    if check:
        recommender = get_recommender()
        recommender.set_calibrator(model)
        with session_scope() as session:
            checked = colloquial_check(recommender, session)
    payload = {
        "file": str(target),
        "thresholds": {"high": model.high, "medium": model.medium},
        "rows": model.fitted["rows"],
        "positives": model.fitted["positives"],
        **report,
        "check": checked,
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    typer.echo(f"已保存 saved {target}: {payload['rows']} pairs, {payload['positives']} good")
    typer.echo(
        f"held out: Brier {report['brier']} (constant {report['brier_constant']}), "
        f"AUC {report['auc']}, sources with a good target told none "
        f"{report['answerable_said_none']}"
    )
    if checked:
        typer.echo(f"colloquial queries as needs: {checked}")
    for row in report["reliability"]:
        typer.echo(
            f"  P {row['bin']}: {row['pairs']} pairs, predicted {row['predicted']}, "
            f"observed {row['observed']}"
        )


def calibrate_search(
    out: Annotated[
        Path | None,
        typer.Option(help="模型文件 model file (default: models/relevance-calibration.json)"),
    ] = None,
    feedback: Annotated[
        Path | None,
        typer.Option(
            help="用户反馈判断（matchmaker feedback export-search 的输出）/ user feedback "
            "judgements to add as labelled pairs (JSONL from `matchmaker feedback export-search`)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """在口语化评测集（可加用户反馈）上拟合检索相关度 Refit the search calibrator on the colloquial
    set's judged pairs, plus users' search feedback when given."""
    from matchmaker.retrieval.calibration import MODEL_FILE
    from matchmaker.retrieval.colloquial import EvalSetError, evaluate_colloquial

    try:
        result = evaluate_colloquial(fit=out or MODEL_FILE, feedback=feedback)
    except EvalSetError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"已保存 saved {out or MODEL_FILE}")
    for key, value in result.items():
        typer.echo(f"  {key}: {value}")
