"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, settings that send
through it, and helpers that pull a link out of a received e-mail."""

from __future__ import annotations

import email
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from matchmaker.core.config import Settings, get_settings
from tests.digest.conftest import free_port

PUBLIC_URL = "https://mm.example.cn"
SECRET = "accounts-test-secret-" + "x" * 24


@dataclass
class Mailbox:
    """Every message the server accepted, by recipient."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages for one address, oldest first, parsed."""
        with self.lock:
            raws = [raw for rcpts, raw in self.received if address in rcpts]
        out = []
        for raw in raws:
            parsed = email.message_from_bytes(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            out.append(parsed)
        return out

    def wait(self, address: str, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        """The messages for an address once there are at least `count` (a live server sends
        after answering the request, so a test may look before the mail is there)."""
        deadline = time.monotonic() + timeout
        while len(found := self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def link(self, address: str, path: str) -> str:
        """The last link to `path` sent to an address (from the plain-text part)."""
        messages = self.wait(address)
        assert messages, f"no e-mail to {address}"
        body = messages[-1].get_body(("plain",))
        assert body is not None
        found = re.findall(rf"https?://\S+{re.escape(path)}\?token=\S+", body.get_content())
        assert found, f"no {path} link in the e-mail to {address}"
        return str(found[-1])


@dataclass
class SmtpServer:
    """The running server's port and mailbox."""

    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free port of 127.0.0.1."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield SmtpServer(port, box)
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(smtp: SmtpServer) -> Settings:
    """Settings that send through the test server, with a public https address and a secret."""
    return get_settings().model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_tls": "none",
            "smtp_user": None,
            "smtp_sender": "园校企对接 <noreply@mm.example.cn>",
            "public_url": PUBLIC_URL,
            "secret_key": SECRET,
            "smtp_timeout": 10.0,
        }
    )
