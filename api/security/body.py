"""Request body limits enforced while the body streams in (chunked bodies included): a pure ASGI
middleware counts the bytes the app receives and refuses the request with 413 the moment the count
passes the limit, so an oversized body is never buffered, whatever reads it (JSON, forms, uploads).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 1 * 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
log = logging.getLogger("matchmaker.security")


class BodyTooLarge(Exception):
    """Raised into the app by `receive` once the body passed its limit (the app stops reading)."""


def body_limit(path: str) -> int:
    """The largest body a path accepts: imports take files, everything else JSON or forms."""
    if path.endswith("/imports") or "/imports/" in path:
        return MAX_UPLOAD_BYTES
    return MAX_JSON_BYTES


def too_large_body(path: str, limit: int) -> bytes:
    """The RFC 9457 problem document of a refused body (Chinese first)."""
    mib = limit // 1024 // 1024
    return json.dumps(
        {
            "type": "about:blank",
            "title": "请求过大 Payload too large",
            "status": 413,
            "detail": f"请求体超过 {mib} MB 上限 / body exceeds the {mib} MB limit",
            "instance": path,
        },
        ensure_ascii=False,
    ).encode("utf-8")


class BodyLimitMiddleware:
    """Refuse bodies over the limit: at once by Content-Length, else while counting received bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = body_limit(path)
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            log.warning("refused body of %s bytes on %s (limit %s)", declared, path, limit)
            await _refuse(send, path, limit)
            return
        state: dict[str, Any] = {"received": 0, "exceeded": False, "started": False}

        async def counting_receive() -> Message:
            if state["exceeded"]:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["exceeded"] = True
                    log.warning("refused streamed body over %s bytes on %s", limit, path)
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            if state["exceeded"]:  # whatever the app answers after a refusal is replaced
                if not state["started"]:
                    state["started"] = True
                    await _refuse(send, path, limit)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not state["exceeded"]:
                raise
        if state["exceeded"] and not state["started"]:
            state["started"] = True
            await _refuse(send, path, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


async def _refuse(send: Send, path: str, limit: int) -> None:
    body = too_large_body(path, limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
