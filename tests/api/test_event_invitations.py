"""Invitations over the API with a real SMTP server: ranked candidates, one e-mail per invitee,
an enterprise key answering for its organisation, and the RSVP status the organiser sees."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matchmaker.core.config import get_settings
from tests.api.conftest import Api, seed_world
from tests.digest.conftest import SmtpServer
from tests.events.conftest import PUBLIC_URL, smtp  # noqa: F401 - the fixture

EVENT = {
    "name": "面板检测对接会",
    "date": "2027-03-18",
    "description": "面板Mura缺陷与贴片虚焊的视觉检测。",
    "industries": ["electronic-info"],
    "sessions": [{"name": "上午场", "start": "09:00", "end": "10:00", "slot_minutes": 20}],
    "tables": 2,
}


@pytest.fixture
def mail_api(app_env: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:  # noqa: F811
    """The app with its mail aimed at the test SMTP server."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SMTP_SENDER", "events@mm.example.cn")
    monkeypatch.setenv("MATCHMAKER_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    from api.main import create_app

    keys, ids = seed_world()
    with TestClient(create_app()) as client:
        yield Api(client, keys, ids)


def test_organiser_invites_by_fit_and_sees_who_answered(mail_api: Api, smtp: SmtpServer) -> None:  # noqa: F811
    api = mail_api
    org = api.as_("organiser")
    event = api.client.post("/api/v1/events", json=EVENT, headers=org).json()["id"]
    base = f"/api/v1/events/{event}"
    ranked = api.client.get(f"{base}/candidates", headers=org).json()
    order = [c["organisation_id"] for c in ranked["items"]]
    assert ranked["total"] == 3 and all(c["reasons"] for c in ranked["items"])
    assert ranked["items"][0]["fit"] >= ranked["items"][-1]["fit"]
    assert set(order) == {api.ids["ent"], api.ids["other"], api.ids["uni"]}
    # The enterprise cannot see who else could be invited.
    assert api.client.get(f"{base}/candidates", headers=api.as_("enterprise")).status_code == 404

    bad = api.client.post(
        f"{base}/invitations",
        json={"invitations": [{"organisation_id": api.ids["ent"], "email": "nope"}]},
        headers=org,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "invitations[0].email"
    body = {
        "invitations": [
            {"organisation_id": api.ids["ent"], "email": "li@ent.example.cn", "contact_name": "李"},
            {"organisation_id": api.ids["uni"], "email": "wang@uni.example.cn"},
        ],
        "rsvp_deadline": "2027-03-10T18:00:00+08:00",
    }
    made = api.client.post(f"{base}/invitations", json=body, headers=org)
    assert made.status_code == 201, made.text
    assert made.json()["mailing"]["sent"] == 2
    assert made.json()["summary"] == {"pending": 2, "accepted": 0, "declined": 0, "total": 2}
    assert len(smtp.handler.received) == 2
    again = api.client.post(f"{base}/invitations/send", headers=org).json()
    assert again["mailing"]["sent"] == 0 and len(smtp.handler.received) == 2

    # The invited enterprise now sees the event and answers with its key.
    ent = api.as_("enterprise")
    assert api.client.get(base, headers=ent).status_code == 200
    answer = {"accept": True, "available_slots": [1, 2], "max_meetings": 2, "languages": ["英语"]}
    got = api.client.post(f"{base}/rsvp", json=answer, headers=ent)
    assert got.status_code == 200, got.text
    assert got.json()["status"] == "accepted" and got.json()["participant_id"]
    wrong = api.client.post(
        f"{base}/rsvp", json={"accept": True, "available_slots": [7]}, headers=ent
    )
    assert wrong.status_code == 422 and "8" in wrong.json()["errors"][0]["message"]
    listing = api.client.get(f"{base}/invitations", headers=org).json()
    assert listing["summary"]["accepted"] == 1 and listing["summary"]["pending"] == 1
    mine = next(i for i in listing["items"] if i["organisation_id"] == api.ids["ent"])
    assert mine["available_slots"] == [1, 2] and mine["emails_sent"] == {"invitation": 1}
    people = api.client.get(f"{base}/participants", headers=org).json()
    entry = next(p for p in people if p["organisation_id"] == api.ids["ent"])
    assert entry["unavailable_slots"] == [0] and entry["language"] == "英语"
    # On the day: the organiser checks the enterprise in (and can undo a mistake).
    pid = entry["id"]
    done = api.client.post(f"{base}/participants/{pid}/check-in", headers=org)
    assert done.status_code == 200 and done.json()["checked_in_at"]
    first = done.json()["checked_in_at"]
    again = api.client.post(f"{base}/participants/{pid}/check-in", headers=org).json()
    assert again["checked_in_at"] == first, "the first arrival time is kept"
    assert api.client.post(f"{base}/participants/{pid}/check-in", headers=ent).status_code == 403
    undone = api.client.post(f"{base}/participants/{pid}/check-in?undo=true", headers=org)
    assert undone.json()["checked_in_at"] is None
