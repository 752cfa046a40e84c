"""QR check-in: a signed link per participant that checks it in when opened at the venue.

The link (and the QR code of it on the agenda page and in the agenda e-mail) names the
participant and the event, signed with the server's secret. It works from the moment it is made
until the end of the day after the event (Beijing time); a tampered link, a link to a cancelled
participant or one used after that is refused with a plain page. Opening the link shows who is
checking in and one button: a GET never changes anything (mail scanners open links too).
"""

from __future__ import annotations

import datetime as dt
import io

import segno
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from matchmaker.core.config import CHINA
from matchmaker.events.models import EventParticipant
from matchmaker.events.service.rsvp import LinkError
from matchmaker.store.models import utcnow

SALT = "event-check-in"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def checkin_token(secret: str, participant: EventParticipant) -> str:
    """The signed token naming a participant and its event."""
    return str(_serializer(secret).dumps([participant.id, participant.event_id]))


def checkin_url(public_url: str, secret: str, participant: EventParticipant) -> str:
    """The check-in link the QR code holds."""
    return f"{public_url.rstrip('/')}/events/checkin/{checkin_token(secret, participant)}"


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (dark modules on white, scales with the page)."""
    code = segno.make(url, error="m")
    return str(code.svg_inline(scale=4, dark="#111", light="#fff", title="签到二维码 check-in QR"))


def qr_png(url: str) -> bytes:
    """The same QR code as a PNG image (for e-mail clients that do not show SVG)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def participant_by_token(
    session: Session, secret: str, token: str, now: dt.datetime | None = None
) -> EventParticipant:
    """The participant a check-in link names, if the signature holds and the event is not over."""
    try:
        value = _serializer(secret).loads(token.strip())
    except BadSignature as exc:
        raise LinkError("签到链接无效或已损坏 / the check-in link is malformed or altered") from exc
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    ):
        raise LinkError("签到链接无效或已损坏 / the check-in link is malformed or altered")
    row = session.get(EventParticipant, value[0])
    if row is None or row.event_id != value[1]:
        raise LinkError("签到链接无效或已损坏 / the check-in link is malformed or altered")
    today = (now or utcnow()).astimezone(CHINA).date()
    if today > row.event.date + dt.timedelta(days=1):
        raise LinkError(
            "活动已结束，签到链接已过期 / the event is over: the check-in link expired", 410
        )
    if row.status != "active":
        raise LinkError("该参会方已取消参会，不能签到 / this participation was cancelled", 410)
    return row
