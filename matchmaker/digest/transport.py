"""Ways to deliver a message: SMTP (with bounded retries of transient failures), an outbox folder
of .eml files (dry run), or nowhere (benchmarks). Failures are sorted into three kinds."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import Message
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from matchmaker.core.config import Settings

MAX_BACKOFF_SECONDS = 60.0


class DeliveryError(Exception):
    """A message was not delivered; `code` is the SMTP reply code when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientFailure(DeliveryError):
    """Worth trying again later (4xx reply, connection refused or dropped, timeout)."""


class PermanentFailure(DeliveryError):
    """The recipient's server refused this message for good (5xx to RCPT or DATA): a bounce."""


class SystemFailure(DeliveryError):
    """Our side is wrong (authentication, sender refused, TLS unsupported): stop the whole run."""


class Transport(Protocol):
    """Something that delivers one message to its one recipient, or raises a DeliveryError."""

    def send(self, message: Message, recipient: str) -> None:
        """Deliver the message."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _code_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def classify(exc: BaseException) -> DeliveryError:
    """Sort an smtplib or socket error into transient, permanent (bounce) or system failure."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (550, b"refused"))
        kind = PermanentFailure if code >= 500 else TransientFailure
        return kind(_code_text(code, reply), code)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SystemFailure(
            f"SMTP 认证失败 / authentication failed: {exc.smtp_code}", exc.smtp_code
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if exc.smtp_code < 500:
            return TransientFailure(_code_text(exc.smtp_code, exc.smtp_error), exc.smtp_code)
        return SystemFailure(
            f"发件地址被拒 / sender refused: {_code_text(exc.smtp_code, exc.smtp_error)}",
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SystemFailure(f"SMTP 服务器不支持 / server does not support: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        if 400 <= code < 500 or code < 0:
            return TransientFailure(_code_text(code, exc.smtp_error), code)
        return PermanentFailure(_code_text(code, exc.smtp_error), code)
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError | smtplib.SMTPException):
        return TransientFailure(f"{type(exc).__name__}: {exc}")
    raise exc


class SmtpTransport:
    """SMTP with TLS none/starttls/ssl and optional login; one connection reused across messages;
    transient failures retried with exponential back-off, at most `digest_smtp_retries` times."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self.sender = parseaddr(settings.smtp_sender)[1] or settings.smtp_sender
        self._conn: smtplib.SMTP | None = None
        self.attempts = 0  # attempts made for the last message

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        mode = s.smtp_tls.strip().lower()
        if mode not in ("none", "starttls", "ssl"):
            raise SystemFailure(f"SMTP_TLS 应为 none、starttls 或 ssl / unknown TLS mode {mode!r}")
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if mode == "ssl":
            conn = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context
            )
        else:
            conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            if mode == "starttls":
                conn.starttls(context=context)
        if s.smtp_user:
            conn.login(s.smtp_user, s.smtp_password or "")
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._conn = None

    def _reset(self) -> None:
        """After a refused recipient the session is mid-transaction: RSET before the next one."""
        if self._conn is not None:
            try:
                self._conn.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()

    def send(self, message: Message, recipient: str) -> None:
        """Deliver, retrying transient failures; raises the last failure when retries run out."""
        retries = self.settings.digest_smtp_retries
        self.attempts = 0
        for attempt in range(retries + 1):
            self.attempts = attempt + 1
            try:
                if self._conn is None:
                    self._conn = self._connect()
                self._conn.send_message(message, from_addr=self.sender, to_addrs=[recipient])
                return
            except Exception as exc:  # noqa: BLE001 - every failure is classified, unknown ones re-raised
                failure = classify(exc)
                connection_lost = isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
                    exc, smtplib.SMTPException
                )
                if isinstance(failure, TransientFailure) and (
                    connection_lost or failure.code == 421
                ):
                    self._drop()  # the connection itself failed or the server is closing it
                else:
                    self._reset()
                if not isinstance(failure, TransientFailure) or attempt == retries:
                    raise failure from exc
                delay = min(
                    self.settings.digest_retry_base_seconds * 2**attempt, MAX_BACKOFF_SECONDS
                )
                self.sleep(delay)

    def close(self) -> None:
        """Say QUIT."""
        self._drop()


def safe_filename(text: str) -> str:
    """A file-name-safe form of an address or key."""
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", text)[:120]


class OutboxTransport:
    """Dry run: each message becomes an .eml file under the outbox folder; nothing is sent."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.written: list[Path] = []
        self.attempts = 1

    def send(self, message: Message, recipient: str) -> None:
        """Write the message as it would go on the wire."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = safe_filename(str(message.get("Message-ID") or recipient).strip("<>"))
        path = self.folder / f"{stem}.eml"
        path.write_bytes(message.as_bytes())
        self.written.append(path)

    def close(self) -> None:
        """Nothing to release."""


class NullTransport:
    """Benchmarks: serialise each message as SMTP would, then drop it."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0
        self.attempts = 1

    def send(self, message: Message, recipient: str) -> None:
        """Count the message and its size."""
        self.count += 1
        self.bytes += len(message.as_bytes())

    def close(self) -> None:
        """Nothing to release."""
