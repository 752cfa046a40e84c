"""Request size limits and structured (JSON) access logs."""

from __future__ import annotations

import json
import logging
import time
import uuid

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_JSON_BYTES = 1 * 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
access_log = logging.getLogger("matchmaker.access")


class SizeLimitMiddleware(BaseHTTPMiddleware):
    """Refuse bodies over the limit (by Content-Length) with a 413 problem document."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        limit = (
            MAX_UPLOAD_BYTES
            if request.url.path.endswith("/imports") or "/imports/" in request.url.path
            else MAX_JSON_BYTES
        )
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0 or size > limit:
                return JSONResponse(
                    {
                        "type": "about:blank",
                        "title": "请求过大 Payload too large",
                        "status": 413,
                        "detail": f"请求体超过 {limit // 1024 // 1024} MB 上限 / body exceeds the {limit // 1024 // 1024} MB limit",
                        "instance": request.url.path,
                    },
                    status_code=413,
                    media_type="application/problem+json",
                )
        return await call_next(request)


class AccessLogMiddleware(BaseHTTPMiddleware):
    """One JSON line per request: method, path, status, duration, request id."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        start = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        access_log.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - start) * 1000, 2),
                    "client": request.client.host if request.client else None,
                }
            )
        )
        return response
