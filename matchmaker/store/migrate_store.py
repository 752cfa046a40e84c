"""Move an embedded install (SQLite + saved FAISS index) to PostgreSQL + pgvector, no re-embedding.

`migrate_to_pgvector` migrates the target schema (extension and `item_vectors` included), copies
every table row by row in dependency order keeping the ids (rows already there are skipped, so a
re-run after an interruption finishes the job and a second run changes nothing), moves the
sequences past the copied ids, and writes the vectors of the saved FAISS index with the content
hashes they were made from. A vector whose item changed since the index was saved does not match
its item's hash and is re-embedded by the first server start, like any stale vector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import make_url

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.store.models import Base

BATCH = 1000


class MigrationError(RuntimeError):
    """The store cannot be moved: the message says why and what to do."""


@dataclass
class MigrateReport:
    """Rows copied and skipped per table, and vectors written per kind."""

    copied: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    vectors: dict[str, int] = field(default_factory=dict)
    fingerprint: str | None = None

    def summary(self) -> str:
        """Lines for the CLI."""
        lines = [
            f"{name}: 复制 copied {self.copied[name]}, 已存在 already there {self.skipped[name]}"
            for name in self.copied
            if self.copied[name] or self.skipped[name]
        ]
        if self.fingerprint is None:
            lines.append(
                "没有已保存的 FAISS 索引：向量将在首次启动时计算 / no saved FAISS index: vectors "
                "are embedded at the first start"
            )
        else:
            lines += [f"向量 vectors {kind}: {count}" for kind, count in self.vectors.items()]
        return "\n".join(lines)


def _engine(url: str) -> Engine:
    from matchmaker.store.db import make_engine

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        make_url(url)
    except Exception as exc:
        raise MigrationError(f"数据库地址无法识别 / unusable database URL: {exc}") from exc
    return make_engine(url)


def migrate_to_pgvector(
    source_url: str,
    target_url: str,
    index_dir: Path,
    *,
    log: Callable[[str], None] = print,
) -> MigrateReport:
    """Copy items and saved vectors from the source install into a PostgreSQL/pgvector database."""
    from matchmaker.retrieval.index.pgvector import check_pgvector
    from matchmaker.store.db import upgrade

    source, target = _engine(source_url), _engine(target_url)
    try:
        if target.dialect.name != "postgresql":
            raise MigrationError(
                "--database-url 必须是 PostgreSQL 数据库 / --database-url must be a PostgreSQL "
                f"database, not {target.dialect.name}"
            )
        if source.url == target.url:
            raise MigrationError("源与目标是同一个数据库 / source and target are the same database")
        try:
            with target.connect() as conn:
                conn.execute(text("SELECT 1"))
            upgrade(target)
        except MigrationError:
            raise
        except Exception as exc:
            raise MigrationError(
                f"无法使用目标数据库 / cannot use the target database: {str(exc).splitlines()[0]}"
            ) from exc
        from matchmaker.retrieval.index.pgvector import PgVectorUnavailable

        try:
            check_pgvector(target)
        except PgVectorUnavailable as exc:
            raise MigrationError(str(exc)) from exc
        upgrade(source)  # the source at the same schema version as the code
        report = MigrateReport()
        _copy_tables(source, target, report, log)
        _copy_vectors(index_dir, target, report, log)
        return report
    finally:
        source.dispose()
        target.dispose()


def _copy_tables(
    source: Engine, target: Engine, report: MigrateReport, log: Callable[[str], None]
) -> None:
    for table in Base.metadata.sorted_tables:
        copied = skipped = 0
        key = list(table.primary_key.columns)
        with source.connect() as read, target.begin() as write:
            rows = read.execute(select(table).order_by(*key)).mappings()
            while batch := rows.fetchmany(BATCH):
                values = [dict(r) for r in batch]
                statement = insert(table).values(values).on_conflict_do_nothing()
                result = write.execute(statement.returning(*key))
                done = len(result.all())
                copied += done
                skipped += len(values) - done
            id_column = table.columns.get("id")
            if id_column is not None and id_column.autoincrement and len(key) == 1:
                highest = write.execute(select(func.max(id_column))).scalar()
                if highest is not None:
                    write.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                        {"t": table.name, "v": int(highest)},
                    )
        report.copied[table.name] = copied
        report.skipped[table.name] = skipped
        if copied or skipped:
            log(f"  {table.name}: {copied} copied, {skipped} already there")


def _copy_vectors(
    index_dir: Path, target: Engine, report: MigrateReport, log: Callable[[str], None]
) -> None:
    from matchmaker.retrieval.index.persist import KindIndex
    from matchmaker.retrieval.index.pgvector import PgVectorIndex, ensure_hnsw
    from matchmaker.retrieval.index.vector import GenerationStore

    store = GenerationStore(index_dir)
    with store.reading() as current:
        if current is None:
            log(f"  no saved index in {index_dir}")
            return
        generation, manifest = current
        fingerprint, dim = str(manifest["fingerprint"]), int(manifest["dim"])
        bad = store.mismatched(generation, manifest)
        if bad:
            raise MigrationError(
                f"已保存的索引文件校验和不符（{', '.join(bad[:3])}）/ the saved index is damaged "
                f"({', '.join(bad[:3])}): run `matchmaker index build` first"
            )
        for kind in ITEM_KINDS:
            part = KindIndex.read(generation / kind, manifest["kinds"][kind], dim, 10**9)
            ids, vectors = part.vector.items()
            hashes = [part.hashes.get(int(i), "") for i in ids]
            ensure_hnsw(target, kind, fingerprint, dim)
            pg = PgVectorIndex(target, kind, fingerprint, dim, ann_threshold=10**9)
            for start in range(0, len(ids), BATCH):
                pg.upsert(
                    np.asarray(ids[start : start + BATCH]),
                    vectors[start : start + BATCH],
                    hashes[start : start + BATCH],
                )
            report.vectors[kind] = len(ids)
            log(f"  {kind}: {len(ids)} vectors")
    report.fingerprint = fingerprint
