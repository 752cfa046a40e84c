"""Account e-mails (verify your address, reset your password, decisions) and their delivery through
the project's SMTP transport (`digest.transport.SmtpTransport`, SMTP_* settings)."""

from __future__ import annotations

import html
import logging
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from matchmaker.core.config import Settings, get_settings
from matchmaker.core.messages import t
from matchmaker.digest.render import sender_header
from matchmaker.digest.transport import DeliveryError, SmtpTransport
from matchmaker.store.models import utcnow

log = logging.getLogger("matchmaker.accounts")


def link(settings: Settings, path: str, token: str) -> str:
    """An absolute link on the public site carrying a token."""
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


def message(
    settings: Settings, to: str, subject_key: str, lines: list[str], url: str | None = None
) -> EmailMessage:
    """A bilingual-ready plain text + HTML message; the line ending with `url` becomes a link."""
    subject = t(subject_key, "zh")
    msg = EmailMessage()
    msg["From"] = sender_header(settings)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    domain = parseaddr(settings.smtp_sender)[1].rpartition("@")[2] or "matchmaker.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("\n".join(lines) + "\n")
    paragraphs = "".join(
        f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
        if url is not None and line == url
        else f"<p>{html.escape(line)}</p>"
        for line in lines
        if line
    )
    page = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head><body>{paragraphs}</body></html>"
    )
    msg.add_alternative(page, subtype="html")
    return msg


def send(msg: EmailMessage, recipient: str, settings: Settings | None = None) -> bool:
    """Deliver one message with one attempt; a failure is logged, never raised (the person can
    ask again), and False is returned."""
    chosen = (settings or get_settings()).model_copy(update={"digest_smtp_retries": 0})
    transport = SmtpTransport(chosen)
    try:
        transport.send(msg, recipient)
        return True
    except DeliveryError as exc:
        log.warning("account e-mail to %s failed: %s", recipient, exc)
        return False
    finally:
        transport.close()
