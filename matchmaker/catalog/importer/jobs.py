"""Import jobs: a large upload is written and embedded by a worker thread while the server goes on
answering; its progress is a small JSON file under the data directory, so any server process
sharing that directory can report it.

One in-process worker per server process runs jobs one at a time (a shared queue for several
machines is a separate piece of work). A job whose process died is reported as `interrupted`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from matchmaker.catalog.importer.apply import ImportFailed, ImportReport
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.indexing import ItemIndex
from matchmaker.catalog.kinds import PLURAL_KINDS
from matchmaker.core.kinds import ITEM_KINDS

log = logging.getLogger("matchmaker.catalog.jobs")
EMBED_BATCH = 64  # items per index update: progress moves and searches interleave between batches
KEEP_JOBS = 200  # job files kept; older ones are removed when a new job starts
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FINISHED = ("done", "failed", "interrupted")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class ImportJob:
    """What one import job has done so far (the progress document the API returns)."""

    id: str
    kind: str
    filename: str
    rows: int
    skip_invalid: bool = False
    status: str = "queued"  # queued | writing | indexing | done | failed | interrupted
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    to_embed: int = 0
    embedded: int = 0
    message: str = ""
    submitted_at: str = field(default_factory=_now)
    finished_at: str | None = None
    pid: int = field(default_factory=os.getpid)

    def public(self) -> dict[str, Any]:
        """The job as the API shows it (without the worker's process id)."""
        body = asdict(self)
        body.pop("pid")
        return body


class ImportJobs:
    """Runs import jobs on one worker thread and keeps their progress files in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-job")
        self._lock = threading.Lock()

    def submit(
        self,
        kind: str,
        filename: str,
        rows: list[RawRow],
        *,
        skip_invalid: bool,
        index: ItemIndex | None,
    ) -> tuple[ImportJob, Future[None]]:
        """Queue an import of parsed rows; returns the job (already saved as queued) at once."""
        job = ImportJob(uuid.uuid4().hex, kind, filename, len(rows), skip_invalid)
        self._tidy()
        self._save(job)
        future = self._executor.submit(self._run, job, rows, index)
        return job, future

    def get(self, job_id: str) -> ImportJob | None:
        """A job by id (None when unknown); a job left running by a dead process is `interrupted`."""
        if not JOB_ID.match(job_id):
            return None
        try:
            data = json.loads((self.directory / f"{job_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        job = ImportJob(**data)
        if job.status not in FINISHED and not _alive(job.pid):
            job.status = "interrupted"
            job.message = (
                "服务进程在任务完成前退出；已写入的数据保留，检索索引会在启动时补齐 / the server "
                "stopped before the job finished; rows written stay, the index catches up at start"
            )
        return job

    def shutdown(self) -> None:
        """Stop taking jobs; the running one finishes in the background thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ---- the worker ---------------------------------------------------------------------------
    def _run(self, job: ImportJob, rows: list[RawRow], index: ItemIndex | None) -> None:
        from matchmaker.catalog.importer.service import import_rows
        from matchmaker.store.db import session_scope

        try:
            job.status = "writing"
            self._save(job)
            try:
                with session_scope() as session:
                    report = import_rows(session, job.kind, rows, skip_invalid=job.skip_invalid)
            except ImportFailed as failed:
                self._fill(job, failed.report)
                job.status = "failed"
                job.message = (
                    f"文件有 {len(job.problems)} 处问题，未导入任何数据 / "
                    f"{len(job.problems)} problem(s): nothing was imported"
                )
                return
            self._fill(job, report)
            item_kind = PLURAL_KINDS.get(job.kind, "")
            if index is not None and item_kind in ITEM_KINDS and report.changed_ids:
                job.status = "indexing"
                job.to_embed = len(report.changed_ids)
                self._save(job)
                self._index(job, index, item_kind, report.changed_ids)
            job.status = "done"
        except Exception as exc:  # the job reports it; the server goes on
            log.exception("import job %s failed", job.id)
            job.status = "failed"
            job.message = f"导入任务出错 / the import job failed: {type(exc).__name__}: {exc}"
        finally:
            job.finished_at = _now()
            self._save(job)

    def _index(self, job: ImportJob, index: ItemIndex, kind: str, ids: Sequence[int]) -> None:
        """Embed the written items batch by batch, saving progress after each batch."""
        from matchmaker.store.db import session_scope

        for start in range(0, len(ids), EMBED_BATCH):
            batch = list(ids[start : start + EMBED_BATCH])
            with session_scope() as session:
                index.upsert_items(session, kind, batch)
            job.embedded = min(len(ids), start + len(batch))
            self._save(job)

    @staticmethod
    def _fill(job: ImportJob, report: ImportReport) -> None:
        job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
        job.skipped_rows = list(report.skipped_rows)
        job.unknown_columns = list(report.unknown_columns)
        job.problems = [
            {"row": p.row, "field": p.field, "message": p.reason} for p in report.problems
        ]

    # ---- files ---------------------------------------------------------------------------------
    def _save(self, job: ImportJob) -> None:
        """Write the job's progress atomically (readers never see half a file)."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".{job.id}.{uuid.uuid4().hex[:6]}.tmp"
            temporary.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.directory / f"{job.id}.json")

    def _tidy(self) -> None:
        """Keep the newest KEEP_JOBS job files."""
        try:
            files = sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return
        for stale in files[:-KEEP_JOBS]:
            stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
