"""A real SMTP server (aiosmtpd) for the participant e-mails and a mailer aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from matchmaker.core.config import Settings
from matchmaker.digest.transport import SmtpTransport
from matchmaker.events.service.mail import Mailer
from tests.digest.conftest import SmtpServer
from tests.digest.conftest import smtp as smtp  # the same real SMTP sink fixture

PUBLIC_URL = "https://mm.example.cn"
SECRET = "events-test-secret-key-that-is-long-enough"


def mail_settings(port: int) -> Settings:
    """Settings that send to the test server, with a known public URL and secret."""
    return Settings.model_validate(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SENDER": "活动组 <events@mm.example.cn>",
            "MATCHMAKER_PUBLIC_URL": PUBLIC_URL,
            "MATCHMAKER_SECRET_KEY": SECRET,
            "MATCHMAKER_DIGEST_RETRY_BASE_SECONDS": 0.01,
        }
    )


@pytest.fixture
def mailer(smtp: SmtpServer) -> Iterator[Mailer]:
    """A mailer on the test SMTP server."""
    settings = mail_settings(smtp.port)
    transport = SmtpTransport(settings, sleep=lambda _: None)
    yield Mailer(settings, transport)
    transport.close()
