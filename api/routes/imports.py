"""File-upload imports: the CLI's rules over HTTP (all or nothing, every problem by row and field)."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field

from api import problems
from api.deps import LoadedIndexDep, OrganiserDep, SessionDep
from api.problems import Problem
from api.security.body import MAX_UPLOAD_BYTES
from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.readers import ReadError
from matchmaker.catalog.importer.service import import_upload
from matchmaker.catalog.importer.validate import Problem as RowProblem

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


def _rows(found: list[RowProblem]) -> list[dict[str, Any]]:
    """Row problems as the API lists them."""
    return [{"row": p.row, "field": p.field, "message": p.reason} for p in found]


@router.post(
    "/imports/{kind}",
    response_model=ImportResult,
    summary="上传导入 Import a CSV / XLSX / JSONL file",
    description="与命令行相同的规则：任何一行无效则不导入任何数据（422，逐行列出问题），除非 skip_invalid=true。",
)
async def upload_import(
    kind: Annotated[str, "organisations | parks | achievements | needs | scenarios"],
    session: SessionDep,
    caller: OrganiserDep,
    index: LoadedIndexDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8/BOM/GBK), XLSX 或 JSONL 文件")],
    skip_invalid: Annotated[bool, Query(description="导入有效行并报告其余行")] = False,
) -> dict[str, Any]:
    """Import an uploaded file for one kind."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Problem(413, "文件超过 20 MB 上限 / file exceeds 20 MB")
    try:
        report = import_upload(
            session,
            kind,
            file.filename or "upload.csv",
            data,
            skip_invalid=skip_invalid,
            index=index,
        )
    except ReadError as exc:
        raise Problem(
            422, str(exc), [{"field": "file", "in": "body", "message": str(exc)}]
        ) from exc
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
