"""RFC 9457 problem details for every error, so clients always get JSON naming the field and the problem."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from matchmaker.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "请求有误 Bad request",
    401: "未认证 Unauthorized",
    403: "无权限 Forbidden",
    404: "未找到 Not found",
    405: "方法不允许 Method not allowed",
    409: "冲突 Conflict",
    413: "请求过大 Payload too large",
    415: "不支持的媒体类型 Unsupported media type",
    422: "参数无效 Unprocessable content",
    429: "请求过多 Too many requests",
    500: "服务器错误 Internal server error",
    503: "服务不可用 Service unavailable",
}


class Problem(Exception):
    """An error a route raises to answer with a problem document (status, detail, optional field errors)."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers


SERVICE_STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Invalid, 422),
    (Conflict, 409),
)


def from_service(exc: ServiceError, where: str = "body") -> Problem:
    """The problem a library refusal answers with; field errors say where the field was sent."""
    status = next((code for cls, code in SERVICE_STATUS if isinstance(exc, cls)), 400)
    errors = [{"field": f.field, "in": where, "message": f.message} for f in exc.fields]
    return Problem(status, exc.message, errors)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "错误 Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        where = loc[0] if loc else ""
        field = ".".join(loc[1:]) if len(loc) > 1 else where
        out.append(
            {
                "field": field,
                "in": where,
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return out


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> JSONResponse:
        found = from_service(exc, "query" if request.method in ("GET", "HEAD") else "body")
        return problem_response(request, found.status, found.detail, found.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        names = "、".join(e["field"] for e in errors if e["field"]) or "请求"
        return problem_response(
            request, 422, f"参数无效：{names} / invalid parameters: {names}", errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "错误")
        return problem_response(
            request, exc.status_code, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        import logging

        logging.getLogger("matchmaker.api").exception("unhandled error on %s", request.url.path)
        return problem_response(request, 500, "服务器内部错误，已记录 / internal error, logged")


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    }


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route may give."""
    return {
        code: {
            "description": TITLES.get(code, "错误"),
            "content": {"application/problem+json": {"schema": _problem_schema()}},
        }
        for code in codes
    }


COMMON_RESPONSES = documented(401, 403, 404, 409, 413, 422)
