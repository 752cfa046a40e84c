"""The `matchmaker` command line: one typer app; each area registers its commands from its own module."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from matchmaker.cli.common import UserError, fail

app = typer.Typer(
    name="matchmaker",
    help="园校企对接推荐引擎 matchmaker — 导入数据、建立索引、检索、推荐、活动排程、推送。\n\n"
    "Park–campus–enterprise matchmaking engine: import, index, search, recommend, schedule, digest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
DEBUG_ENV = "MATCHMAKER_DEBUG"


@app.callback()
def _options(
    debug: bool = typer.Option(
        False,
        "--debug",
        help="出错时显示完整的 Python 回溯 show the full Python traceback on errors",
    ),
) -> None:
    """园校企对接推荐引擎 matchmaker."""
    if debug:
        os.environ[DEBUG_ENV] = "1"


bench_app = typer.Typer(help="性能基准 Benchmarks (figures for the docs).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

# Each module defines `register(app, bench_app)`. Add a line here for a new area.
COMMAND_MODULES = (
    "matchmaker.cli.data_cmd",
    "matchmaker.cli.serve_cmd",
    "matchmaker.cli.key_cmd",
    "matchmaker.cli.user_cmd",
    "matchmaker.cli.event_cmd",
    "matchmaker.cli.event_admin_cmd",
    "matchmaker.cli.digest_cmd",
    "matchmaker.cli.index_cmd",
    "matchmaker.cli.maps_cmd",
    "matchmaker.cli.rank_cmd",
    "matchmaker.cli.eval_cmd",
    "matchmaker.cli.worker_cmd",
    "matchmaker.cli.pgvector_cmd",
    "matchmaker.cli.calibrate_cmd",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app, bench_app)


_register_all()


def main() -> None:
    """Console entry point: runs the app and turns user mistakes and start-up problems (database,
    data directory, model) into one or two lines and a distinct exit code, not a traceback
    (`--debug` or MATCHMAKER_DEBUG=1 shows it)."""
    try:
        app(standalone_mode=True)
    except UserError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        from matchmaker.core.startup import explain

        problem = explain(exc)
        if problem is None or os.environ.get(DEBUG_ENV) == "1":
            raise
        fail(problem.lines(), problem.code)
