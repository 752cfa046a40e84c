"""`matchmaker import` with a broker: queue the file as a job, print its id, optionally wait."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from matchmaker.cli.common import UserError, ok
from matchmaker.core.config import Settings

POLL_SECONDS = 1.0


def queue_import(
    settings: Settings, canonical: str, file: Path, *, skip_invalid: bool, wait: bool
) -> None:
    """Store the file's rows as an import job for the workers; with `wait`, show its progress
    until it ends (a failed job exits 1, having changed nothing)."""
    from matchmaker.catalog.importer.readers import SUPPORTED_SUFFIXES
    from matchmaker.jobs.imports import QueuedImportJobs

    if file.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UserError(
            f"不支持的文件类型 {file.suffix or '(无后缀)'}，请使用 .csv、.xlsx 或 .jsonl / "
            "unsupported file type, use .csv, .xlsx or .jsonl"
        )
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取文件 / cannot read {file}: {exc}") from exc
    jobs = QueuedImportJobs(settings)
    job = jobs.submit_file(canonical, file.name, data, skip_invalid=skip_invalid)
    ok(
        f"已排队导入任务 {job.id}（{len(data)} 字节，由后台任务读取检查）/ import job {job.id} "
        f"queued ({len(data)} bytes, read and checked by a worker); "
        f"进度 progress: GET /api/v1/imports/jobs/{job.id}"
    )
    if not wait:
        return
    wait_for_import(jobs, job.id)


def wait_for_import(jobs: object, job_id: str) -> None:
    """Print the job's progress until it is done or failed."""
    from matchmaker.cli.progress import embedding_progress
    from matchmaker.jobs.imports import QueuedImportJobs

    assert isinstance(jobs, QueuedImportJobs)
    last = ""
    with embedding_progress("嵌入 embedding", transient=True) as progress:
        while True:
            job = jobs.get(job_id)
            if job is None:
                raise UserError(f"没有这个导入任务 / no such import job: {job_id}")
            if job.status != last and job.status in ("writing", "indexing"):
                typer.echo(f"{job.status}: 新增 created {job.created}, 更新 updated {job.updated}")
                last = job.status
            if job.to_embed:
                progress(job.kind, job.embedded, job.to_embed)
            if job.status in ("done", "failed"):
                break
            time.sleep(POLL_SECONDS)
    if job.status == "failed":
        for problem in job.problems[:50]:
            typer.secho(
                f"第 {problem['row']} 行 row, {problem['field']}: {problem['message']}",
                fg=typer.colors.RED,
                err=True,
            )
        raise UserError(job.message)
    ok(
        f"导入完成 done: 新增 {job.created}，更新 {job.updated}，未变 {job.unchanged}，"
        f"已嵌入 {job.embedded}/{job.to_embed} (created {job.created}, updated {job.updated}, "
        f"unchanged {job.unchanged}, embedded {job.embedded}/{job.to_embed})"
    )
