"""File-upload imports: the CLI's rules over HTTP (all or nothing, every problem by row and field).

Nothing here runs on the event loop but the upload itself: the file is parsed in a worker thread;
a small file (up to MATCHMAKER_IMPORT_JOB_ROWS rows) is then written and indexed in a worker
thread too and answered with its result, a larger one becomes an import job answered at once with
202 and a progress address (`GET /api/v1/imports/jobs/{id}`).
"""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import problems
from api.deps import LoadedIndexDep, OrganiserDep, SessionDep
from api.problems import Problem
from api.security.body import MAX_UPLOAD_BYTES
from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.jobs import ImportJobs
from matchmaker.catalog.importer.readers import ReadError
from matchmaker.catalog.importer.service import import_upload_rows, read_upload
from matchmaker.catalog.importer.validate import Problem as RowProblem
from matchmaker.catalog.kinds import PLURAL_KINDS
from matchmaker.jobs.imports import QueuedImportJobs

router = APIRouter(prefix="/api/v1", tags=["导入 Imports"], responses=problems.COMMON_RESPONSES)


class ImportResult(BaseModel):
    kind: str
    created: int
    updated: int
    unchanged: int
    skipped_rows: list[int]
    problems: list[dict[str, Any]]
    unknown_columns: list[str]
    flagged: list[dict[str, Any]] = Field(
        default_factory=list,
        description="导入但行业标签无法识别、留待映射的行（skip_invalid）rows imported with an "
        "unknown industry label kept for staff to map",
    )


class ImportJobAccepted(BaseModel):
    job: str
    status: str
    rows: int
    progress: str


class ImportJobStatus(BaseModel):
    id: str
    kind: str
    filename: str
    rows: int
    skip_invalid: bool
    status: str
    created: int
    updated: int
    unchanged: int
    skipped_rows: list[int]
    problems: list[dict[str, Any]]
    unknown_columns: list[str]
    to_embed: int
    embedded: int
    message: str
    submitted_at: str
    finished_at: str | None


def _rows(found: list[RowProblem]) -> list[dict[str, Any]]:
    """Row problems as the API lists them."""
    return [{"row": p.row, "field": p.field, "message": p.reason} for p in found]


def import_jobs(request: Request) -> ImportJobs | QueuedImportJobs:
    """The application's import-job runner (in this process, or queue workers' when a broker is
    configured)."""
    jobs: ImportJobs | QueuedImportJobs = request.app.state.import_jobs
    return jobs


@router.post(
    "/imports/{kind}",
    response_model=ImportResult,
    summary="上传导入 Import a CSV / XLSX / JSONL file",
    description="与命令行相同的规则：任何一行无效则不导入任何数据（422，逐行列出问题），除非 skip_invalid=true。"
    "超过 MATCHMAKER_IMPORT_JOB_ROWS 行（默认 100）的文件立即返回 202 与任务进度地址。"
    " / Files over MATCHMAKER_IMPORT_JOB_ROWS rows (default 100) answer 202 at once with a job and "
    "its progress address.",
    responses={
        202: {"model": ImportJobAccepted, "description": "已排队的导入任务 import job queued"}
    },
)
async def upload_import(
    kind: Annotated[str, "organisations | parks | achievements | needs | scenarios"],
    request: Request,
    session: SessionDep,
    caller: OrganiserDep,
    index: LoadedIndexDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8/BOM/GBK), XLSX 或 JSONL 文件")],
    skip_invalid: Annotated[bool, Query(description="导入有效行并报告其余行")] = False,
) -> Any:
    """Import an uploaded file for one kind (parsed, written and embedded off the event loop)."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Problem(413, "文件超过 20 MB 上限 / file exceeds 20 MB")
    settings = request.app.state.container.settings
    jobs = import_jobs(request)
    if isinstance(jobs, QueuedImportJobs) and len(data) >= settings.queue_raw_upload_bytes:
        if kind not in PLURAL_KINDS:
            raise Problem(404, f"未知的数据类型“{kind}” / unknown kind")
        name = file.filename or "upload.csv"
        queued = await run_in_threadpool(
            partial(jobs.submit_file, kind, name, data, skip_invalid=skip_invalid)
        )
        return _accepted(queued.id, queued.status, queued.rows)
    try:
        rows = await run_in_threadpool(read_upload, kind, file.filename or "upload.csv", data)
    except ReadError as exc:
        raise Problem(
            422, str(exc), [{"field": "file", "in": "body", "message": str(exc)}]
        ) from exc
    del data
    threshold = request.app.state.container.settings.import_job_rows
    if len(rows) > threshold:
        job, _ = await run_in_threadpool(
            lambda: jobs.submit(
                kind, file.filename or "upload", rows, skip_invalid=skip_invalid, index=index
            )
        )
        return _accepted(job.id, job.status, job.rows)
    try:
        report = await run_in_threadpool(
            lambda: import_upload_rows(session, kind, rows, skip_invalid=skip_invalid, index=index)
        )
    except ImportFailed as failed:
        errors = _rows(failed.report.problems)
        raise Problem(
            422,
            f"文件有 {len(errors)} 处问题，未导入任何数据 / {len(errors)} problem(s): nothing was imported",
            errors,
        ) from failed
    return {
        "kind": kind,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped_rows": report.skipped_rows,
        "problems": _rows(report.problems),
        "unknown_columns": report.unknown_columns,
        "flagged": [{"row": row, "label": label} for row, label in report.flagged],
    }


def _accepted(job_id: str, status: str, rows: int) -> JSONResponse:
    """202 with the job and its progress address."""
    progress = f"/api/v1/imports/jobs/{job_id}"
    return JSONResponse(
        {"job": job_id, "status": status, "rows": rows, "progress": progress},
        status_code=202,
        headers={"Location": progress},
    )


@router.get(
    "/imports/jobs/{job_id}",
    response_model=ImportJobStatus,
    summary="导入任务进度 Import job progress",
    description="status: queued | writing | indexing | done | failed | interrupted；"
    "embedded / to_embed 为已嵌入的条目数。 / embedded of to_embed items are searchable by meaning.",
)
def import_job(job_id: str, request: Request, caller: OrganiserDep) -> dict[str, Any]:
    """Where one import job stands."""
    job = import_jobs(request).get(job_id)
    if job is None:
        raise Problem(404, "没有这个导入任务 / no such import job")
    return job.public()
