"""Imports on the queue: the upload is stored with its job and answered at once; a worker writes
it in one transaction (all or nothing) and splits the written items into embedding chunks, each
its own task; progress lives in the database, so every API process reports the same."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select, update

from matchmaker.catalog.importer.apply import ImportFailed, ImportReport
from matchmaker.catalog.importer.jobs import JOB_ID, ImportJob, _now
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.kinds import PLURAL_KINDS
from matchmaker.core.config import Settings, get_settings
from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.jobs.models import BackgroundJob, JobChunk
from matchmaker.jobs.payload import dump_rows, load_rows
from matchmaker.store.db import get_engine, session_scope
from matchmaker.store.models import utcnow

log = logging.getLogger("matchmaker.jobs.imports")
WRITE_TASK = "matchmaker.import_write"
EMBED_TASK = "matchmaker.embed_chunk"
CHUNKS = cast(Table, JobChunk.__table__)
SOURCE = "source"  # "file": the payload is the uploaded file itself, read by the worker
Sender = Callable[..., None]  # (settings, task name, *arguments): put a task on the queue


def _job_from(row: BackgroundJob) -> ImportJob:
    """The progress document of a stored import job."""
    fields = {f.name for f in dataclasses.fields(ImportJob)}
    data = {k: v for k, v in (row.progress or {}).items() if k in fields}
    job = ImportJob(**data)
    job.status = row.status
    job.message = row.message or job.message
    return job


class QueuedImportJobs:
    """Import jobs run by queue workers; same `submit` / `get` / `shutdown` as ImportJobs."""

    def __init__(self, settings: Settings | None = None, engine: Engine | None = None) -> None:
        self.settings = settings or get_settings()
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The catalogue's database (where jobs and their progress are kept)."""
        return self._engine or get_engine(self.settings.resolved_database_url)

    def submit(
        self,
        kind: str,
        filename: str,
        rows: list[RawRow],
        *,
        skip_invalid: bool,
        index: object = None,
    ) -> tuple[ImportJob, None]:
        """Store the rows with a new job and queue it; returns the job (queued) at once."""
        from matchmaker.jobs.app import send

        job = ImportJob(uuid.uuid4().hex, kind, filename, len(rows), skip_invalid, pid=0)
        with session_scope(self.engine) as session:
            session.add(
                BackgroundJob(
                    id=job.id,
                    kind="import",
                    status="queued",
                    payload=dump_rows(rows),
                    progress=dataclasses.asdict(job),
                    message="",
                )
            )
        send(WRITE_TASK, job.id, settings=self.settings)
        return job, None

    def submit_file(
        self, kind: str, filename: str, data: bytes, *, skip_invalid: bool
    ) -> ImportJob:
        """Store an unread file with a new job and queue it (the worker reads, checks and writes
        it: a file it cannot read fails the job, changing nothing); returns the job at once."""
        from matchmaker.jobs.app import send

        job = ImportJob(uuid.uuid4().hex, kind, filename, 0, skip_invalid, pid=0)
        progress = {**dataclasses.asdict(job), SOURCE: "file"}
        with session_scope(self.engine) as session:
            session.add(
                BackgroundJob(
                    id=job.id,
                    kind="import",
                    status="queued",
                    payload=data,
                    progress=progress,
                    message="",
                )
            )
        send(WRITE_TASK, job.id, settings=self.settings)
        return job

    def get(self, job_id: str) -> ImportJob | None:
        """A job by id (None when unknown), as far as the workers have taken it."""
        if not JOB_ID.match(job_id):
            return None
        with session_scope(self.engine) as session:
            row = session.get(BackgroundJob, job_id)
            if row is None or row.kind != "import":
                return None
            return _job_from(row)

    def shutdown(self) -> None:
        """Nothing runs in this process: workers go on with queued jobs."""


# ---- what the worker runs ---------------------------------------------------------------------
def _fill(job: ImportJob, report: ImportReport) -> None:
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.skipped_rows = list(report.skipped_rows)
    job.unknown_columns = list(report.unknown_columns)
    job.problems = [{"row": p.row, "field": p.field, "message": p.reason} for p in report.problems]


def write_import(
    job_id: str, settings: Settings, engine: Engine, send: Sender | None = None
) -> None:
    """Write a queued import in one transaction, then queue its embedding chunks. Run twice (a
    redelivered task) it writes nothing again and only re-queues the chunks still pending."""
    with session_scope(engine) as session:
        row = session.get(BackgroundJob, job_id, with_for_update=True)
        if row is None:
            return
        if row.status == "queued":
            row.status = "writing"
            row.updated_at = utcnow()
            row.progress = {**row.progress, "status": "writing"}
        status = row.status
    if status == "writing":
        _write(job_id, settings, engine)
    queue_pending_chunks(job_id, settings, engine, send)


def _write(job_id: str, settings: Settings, engine: Engine) -> None:
    from matchmaker.catalog.importer.readers import ReadError
    from matchmaker.catalog.importer.service import import_rows, read_upload

    try:
        with session_scope(engine) as session:
            row = session.get(BackgroundJob, job_id, with_for_update=True)
            if row is None or row.status != "writing" or row.payload is None:
                return  # another delivery wrote it meanwhile
            job = _job_from(row)
            if row.progress.get(SOURCE) == "file":
                rows = read_upload(job.kind, job.filename, row.payload)
                job.rows = len(rows)
            else:
                rows = load_rows(row.payload)
            report = import_rows(session, job.kind, rows, skip_invalid=job.skip_invalid)
            _fill(job, report)
            item_kind = PLURAL_KINDS.get(job.kind, "")
            ids = list(report.changed_ids) if item_kind in ITEM_KINDS else []
            size = settings.queue_embed_chunk
            for seq, start in enumerate(range(0, len(ids), size)):
                session.add(
                    JobChunk(
                        job_id=job_id,
                        seq=seq,
                        item_kind=item_kind,
                        ids=ids[start : start + size],
                        status="pending",
                        result={},
                    )
                )
            job.to_embed = len(ids)
            job.status = "indexing" if ids else "done"
            if not ids:
                job.finished_at = _now()
            row.status = job.status
            row.chunks = -(-len(ids) // size)
            row.payload = None
            row.progress = dataclasses.asdict(job)
            row.updated_at = utcnow()
            row.finished_at = None if ids else utcnow()
    except ImportFailed as failed:
        _fail(job_id, engine, failed.report, None)
    except ReadError as exc:
        _fail(job_id, engine, None, str(exc))
    except Exception as exc:  # the transaction rolled back: nothing was written
        log.exception("import job %s failed", job_id)
        _fail(job_id, engine, None, f"{type(exc).__name__}: {exc}")


def _fail(job_id: str, engine: Engine, report: ImportReport | None, error: str | None) -> None:
    with session_scope(engine) as session:
        row = session.get(BackgroundJob, job_id, with_for_update=True)
        if row is None:
            return
        job = _job_from(row)
        if report is not None:
            _fill(job, report)
            job.message = (
                f"文件有 {len(job.problems)} 处问题，未导入任何数据 / "
                f"{len(job.problems)} problem(s): nothing was imported"
            )
        else:
            job.message = f"导入任务出错，未导入任何数据 / the import job failed, nothing was imported: {error}"
        job.status, job.finished_at = "failed", _now()
        row.status, row.message, row.payload = "failed", job.message, None
        row.progress = dataclasses.asdict(job)
        row.updated_at = row.finished_at = utcnow()


def queue_pending_chunks(
    job_id: str, settings: Settings, engine: Engine, send: Sender | None = None
) -> int:
    """Queue every chunk of a job not yet embedded (through `send`, default the broker);
    returns how many."""
    from matchmaker.jobs.app import send_task

    put = send or send_task

    with engine.connect() as conn:
        pending = conn.execute(
            select(CHUNKS.c.seq)
            .where(CHUNKS.c.job_id == job_id)
            .where(CHUNKS.c.status == "pending")
            .order_by(CHUNKS.c.seq)
        ).scalars()
        seqs = list(pending)
    for seq in seqs:
        put(settings, EMBED_TASK, job_id, seq)
    return len(seqs)


def embed_chunk(job_id: str, seq: int, embed: Any, engine: Engine) -> bool:
    """Embed one chunk's items into the shared cache and count it done; True when it was new.
    `embed(texts)` computes and stores the vectors (texts already cached are not recomputed)."""
    from matchmaker.retrieval.index.records import read_texts

    with session_scope(engine) as session:
        chunk = session.get(JobChunk, (job_id, seq))
        if chunk is None:
            return False
        kind, ids, status = chunk.item_kind, list(chunk.ids), chunk.status
        texts = read_texts(session, kind, ids) if status == "pending" else {}
    if status == "pending":
        present = [i for i in ids if i in texts]  # an item deleted meanwhile is skipped
        if present:
            embed([texts[i] for i in present])
    with session_scope(engine) as session:
        newly = _rows_changed(
            session.execute(
                update(CHUNKS)
                .where(CHUNKS.c.job_id == job_id)
                .where(CHUNKS.c.seq == seq)
                .where(CHUNKS.c.status == "pending")
                .values(status="done", done_at=utcnow(), result={"items": len(ids)})
            )
        )
        row = session.get(BackgroundJob, job_id, with_for_update=True)
        if row is None:
            return bool(newly)
        job = _job_from(row)
        if newly:
            job.embedded = min(job.to_embed, job.embedded + len(ids))
        left = session.scalar(
            select(func.count())
            .select_from(CHUNKS)
            .where(CHUNKS.c.job_id == job_id)
            .where(CHUNKS.c.status == "pending")
        )
        if not left and row.status == "indexing":
            job.status, job.finished_at, job.embedded = "done", _now(), job.to_embed
            row.status, row.finished_at = "done", utcnow()
        row.progress = dataclasses.asdict(job)
        row.updated_at = utcnow()
    return bool(newly)


def pending_ids(job_id: str, engine: Engine) -> Sequence[int]:
    """Ids of a job's items whose chunk is not embedded yet (for reports and tests)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(CHUNKS.c.ids).where(CHUNKS.c.job_id == job_id).where(CHUNKS.c.status != "done")
        ).scalars()
        return [i for ids in rows for i in ids]


def _rows_changed(result: object) -> int:
    """How many rows an UPDATE changed."""
    return int(getattr(result, "rowcount", 0) or 0)
