"""Events over HTTP: set-up, plan with the pairing engine, lock/move/re-plan, cancel, exports, roles.

One app and seeded world serve the whole module (starting an app embeds the seed items, which
costs seconds); every test creates its own event in it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import Api, seed_world


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A running app over the seed world, one API key per role, shared by this module's tests."""
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MATCHMAKER_DATA_DIR", str(tmp_path_factory.mktemp("events-api") / "data"))
        patch.delenv("DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            from api.main import create_app

            keys, ids = seed_world()
            with TestClient(create_app()) as client:
                yield Api(client, keys, ids)
        finally:
            get_engine.cache_clear()
            get_settings.cache_clear()


EVENT = {
    "name": "2026 南宁园校企对接会",
    "date": "2026-12-01",
    "tracks": ["tech-transfer", "east-to-guangxi"],
    "industries": ["电子信息"],
    "sessions": [
        {"name": "上午场", "start": "09:00", "end": "10:00", "slot_minutes": 20},
        {
            "name": "下午场",
            "start": "14:00",
            "end": "14:40",
            "slot_minutes": 20,
            "interpreters": ["英语"],
        },
    ],
    "table_labels": ["A1", "A2"],
}
PLAN = {"time_limit": 2}


def _event_with_plan(api: Api) -> dict[str, Any]:
    """The seed world's two enterprises and the Shanghai university at one planned event."""
    headers = api.as_("organiser")
    event = api.client.post("/api/v1/events", json=EVENT, headers=headers)
    assert event.status_code == 201, event.text
    event_id = event.json()["id"]
    ids = {}
    for key in ("ent", "other", "uni"):
        added = api.client.post(
            f"/api/v1/events/{event_id}/participants",
            json={"organisation_id": api.ids[key], "max_meetings": 3},
            headers=headers,
        )
        assert added.status_code == 201, added.text
        ids[key] = added.json()["id"]
    planned = api.client.post(f"/api/v1/events/{event_id}/plan", json=PLAN, headers=headers)
    assert planned.status_code == 201, planned.text
    return {"event": event_id, "participants": ids, "summary": planned.json()}


def test_organiser_sets_up_and_plans_an_event_scored_by_the_pairing_engine(api: Api) -> None:
    world = _event_with_plan(api)
    event_id, people = world["event"], world["participants"]
    summary = world["summary"]
    assert summary["scorer"] == "engine"
    assert summary["meetings"] == 2  # the university meets both enterprises
    assert summary["changes"] == {"kept": 0, "moved": 0, "added": 2, "removed": 0}

    event = api.client.get(f"/api/v1/events/{event_id}", headers=api.as_("organiser")).json()
    assert [s["start"] for s in event["slots"]] == ["09:00", "09:20", "09:40", "14:00", "14:20"]
    assert event["slots"][3]["interpreters"] == ["英语"]
    assert event["participants"] == 3 and event["plan_version"] == 1

    plan = api.client.get(f"/api/v1/events/{event_id}/plan", headers=api.as_("organiser")).json()
    assert plan["issues"] == []
    assert len(plan["grid"]) == 5 and all(len(row["cells"]) == 2 for row in plan["grid"])
    cells = [c for row in plan["grid"] for c in row["cells"] if c is not None]
    assert len(cells) == 2
    assert {c["table_label"] for c in cells} <= {"A1", "A2"}
    agenda = {p["name"]: p for p in plan["participants"]}
    partners = {m["partner"] for m in agenda["沪上测试大学"]["meetings"]}
    assert partners == {"南宁测试电子有限公司", "北海测试显示科技有限公司"}
    assert people["uni"] in {c["a"] for c in cells} | {c["b"] for c in cells}


def test_locked_and_moved_meetings_survive_re_planning_over_http(api: Api) -> None:
    world = _event_with_plan(api)
    event_id = world["event"]
    headers = api.as_("organiser")
    plan = api.client.get(f"/api/v1/events/{event_id}/plan", headers=headers).json()
    first, second = plan["meetings"]
    locked = api.client.post(
        f"/api/v1/events/{event_id}/meetings/{first['id']}/lock", headers=headers
    )
    assert locked.status_code == 200 and locked.json()["locked"] is True
    # The university is busy in `first`'s slot, so `second` cannot go there …
    clash = api.client.patch(
        f"/api/v1/events/{event_id}/meetings/{second['id']}",
        json={"slot": first["slot"], "table": 1 - first["table"]},
        headers=headers,
    )
    assert clash.status_code == 409
    assert "double-booked" in clash.json()["detail"]
    # … but it can go to the last afternoon slot.
    moved = api.client.patch(
        f"/api/v1/events/{event_id}/meetings/{second['id']}",
        json={"slot": 4, "table": 1},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["time"] == "14:20–14:40" and moved.json()["table_label"] == "A2"

    replanned = api.client.post(f"/api/v1/events/{event_id}/replan", json=PLAN, headers=headers)
    assert replanned.status_code == 201, replanned.text
    assert replanned.json()["changes"] == {"kept": 2, "moved": 0, "added": 0, "removed": 0}
    now = api.client.get(f"/api/v1/events/{event_id}/plan", headers=headers).json()
    assert now["version"] == 2 and now["issues"] == []
    where = {(m["a"], m["b"]): (m["slot"], m["table"], m["locked"]) for m in now["meetings"]}
    assert where[(first["a"], first["b"])] == (first["slot"], first["table"], True)
    assert where[(second["a"], second["b"])] == (4, 1, True)


def test_cancelling_a_participant_removes_its_meetings(api: Api) -> None:
    world = _event_with_plan(api)
    event_id, people = world["event"], world["participants"]
    headers = api.as_("organiser")
    cancelled = api.client.post(
        f"/api/v1/events/{event_id}/participants/{people['other']}/cancel",
        json=PLAN,
        headers=headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["changes"]["removed"] == 1 and cancelled.json()["kind"] == "cancel"
    plan = api.client.get(f"/api/v1/events/{event_id}/plan", headers=headers).json()
    assert all(people["other"] not in (m["a"], m["b"]) for m in plan["meetings"])
    again = api.client.post(
        f"/api/v1/events/{event_id}/participants/{people['other']}/cancel", headers=headers
    )
    assert again.status_code == 409
    removed = api.client.delete(
        f"/api/v1/events/{event_id}/participants/{people['other']}", headers=headers
    )
    assert removed.status_code == 409  # it is in a plan: cancelled, not erased


def test_exports_download_with_chinese_names(api: Api) -> None:
    world = _event_with_plan(api)
    event_id, people = world["event"], world["participants"]
    headers = api.as_("organiser")
    got = api.client.get(f"/api/v1/events/{event_id}/export/csv", headers=headers)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][0] == "时段 Slot" and len(rows) == 3
    assert {r[3] for r in rows[1:]} | {r[4] for r in rows[1:]} == {
        "沪上测试大学",
        "南宁测试电子有限公司",
        "北海测试显示科技有限公司",
    }
    xlsx = api.client.get(f"/api/v1/events/{event_id}/export/xlsx", headers=headers)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    values = {str(c.value) for row in book["会谈总表"].iter_rows() for c in row}
    assert "沪上测试大学" in values
    html = api.client.get(f"/api/v1/events/{event_id}/export/html", headers=headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "南宁测试电子有限公司 的会谈日程" in html.text and "桌位安排总表" in html.text
    agenda = api.client.get(
        f"/api/v1/events/{event_id}/participants/{people['ent']}/agenda", headers=headers
    )
    assert agenda.status_code == 200
    assert "南宁测试电子有限公司 的会谈日程" in agenda.text and "沪上测试大学" in agenda.text
    assert "北海测试显示科技有限公司" not in agenda.text


def test_before_the_first_plan_there_is_nothing_to_show(api: Api) -> None:
    headers = api.as_("organiser")
    event_id = api.client.post("/api/v1/events", json=EVENT, headers=headers).json()["id"]
    assert api.client.get(f"/api/v1/events/{event_id}/plan", headers=headers).status_code == 404
    export = api.client.get(f"/api/v1/events/{event_id}/export/csv", headers=headers)
    assert export.status_code == 409
    replan = api.client.post(f"/api/v1/events/{event_id}/replan", json=PLAN, headers=headers)
    assert replan.status_code == 409


def test_bad_set_up_is_refused_with_the_field_named(api: Api) -> None:
    headers = api.as_("organiser")
    both = {**EVENT, "slots": [{"start": "09:00", "end": "09:20"}]}
    assert api.client.post("/api/v1/events", json=both, headers=headers).status_code == 422
    backwards = {**EVENT, "sessions": [{"start": "10:00", "end": "09:00"}]}
    got = api.client.post("/api/v1/events", json=backwards, headers=headers)
    assert got.status_code == 422 and "09:00" in got.json()["detail"]
    event_id = api.client.post("/api/v1/events", json=EVENT, headers=headers).json()["id"]
    late = api.client.post(
        f"/api/v1/events/{event_id}/participants",
        json={"organisation_id": api.ids["ent"], "unavailable_slots": [7]},
        headers=headers,
    )
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "unavailable_slots"
    foreign = api.client.post(
        f"/api/v1/events/{event_id}/participants",
        json={"organisation_id": api.ids["ent"], "achievement_ids": [api.ids["ach"]]},
        headers=headers,
    )
    assert foreign.status_code == 422  # the achievement belongs to the university
    assert (
        api.client.post(
            f"/api/v1/events/{event_id}/participants",
            json={"organisation_id": 999999},
            headers=headers,
        ).status_code
        == 422
    )


@pytest.mark.parametrize("role", ["admin", "organiser", "reader", "enterprise"])
def test_each_role_may_do_only_its_own_event_actions(api: Api, role: str) -> None:
    """The organiser (its team) and admins do everything; the enterprise attends and sees its
    own part; the reader sees nothing of the event (404) and may change nothing (403)."""
    world = _event_with_plan(api)
    event_id, people = world["event"], world["participants"]
    headers = api.as_(role)
    base = f"/api/v1/events/{event_id}"
    writer = role in ("admin", "organiser")
    attends = role == "enterprise"
    sees = writer or attends
    hidden = 200 if sees else 404

    def status(method: str, path: str, **kw: Any) -> int:
        return api.client.request(method, path, headers=headers, **kw).status_code

    listed = api.client.get("/api/v1/events", headers=headers).json()
    assert (event_id in [e["id"] for e in listed["items"]]) is sees
    assert status("GET", base) == hidden
    assert status("GET", f"{base}/participants") == hidden
    plan = api.client.get(f"{base}/plan", headers=headers)
    assert plan.status_code == hidden
    mine = {people["ent"]}
    if attends:
        assert {p["participant_id"] for p in plan.json()["participants"]} == mine
        assert all(mine & {m["a"], m["b"]} for m in plan.json()["meetings"])
        assert all(m["score"] is None for m in plan.json()["meetings"])
    elif writer:
        assert len(plan.json()["meetings"]) == 2
    # An attending enterprise downloads its own agenda (its meetings, no scores), not the plan.
    assert status("GET", f"{base}/export/csv") == hidden
    if attends:
        own = api.client.get(f"{base}/export/csv", headers=headers).content.decode("utf-8-sig")
        assert "得分" not in own and len(own.splitlines()) == 1 + len(plan.json()["meetings"])
        ics = api.client.get(f"{base}/export/ics", headers=headers)
        assert ics.headers["content-type"].startswith("text/calendar")
        assert ics.text.count("BEGIN:VEVENT") == len(plan.json()["meetings"])
    assert status("GET", f"{base}/participants/{people['ent']}/agenda") == hidden
    assert status("GET", f"{base}/participants/{people['other']}/agenda") == (
        200 if writer else 403 if attends else 404
    )
    assert status("GET", f"{base}/pairs") == (200 if writer else 403)
    # Writes: the organiser team and admins only.
    expected = 201 if writer else 403
    meeting = 1 if not writer else plan.json()["meetings"][0]["id"]
    assert status("POST", f"{base}/meetings/{meeting}/lock") == (200 if writer else 403)
    assert status("POST", f"{base}/replan", json=PLAN) == expected
    assert status("POST", "/api/v1/events", json=EVENT) == expected
    rule = {"a": people["ent"], "b": people["other"], "rule": "never"}
    assert status("POST", f"{base}/pairs", json=rule) == expected
    assert status("PATCH", base, json={"venue": "南宁国际会展中心"}) == (200 if writer else 403)
    assert status("POST", f"{base}/participants/{people['other']}/cancel", json=PLAN) == (
        200 if writer else 403
    )
    assert status("DELETE", base) == (204 if writer else 403)


def test_an_enterprise_outside_the_event_sees_nothing_of_it(api: Api) -> None:
    headers = api.as_("organiser")
    event_id = api.client.post("/api/v1/events", json=EVENT, headers=headers).json()["id"]
    api.client.post(
        f"/api/v1/events/{event_id}/participants",
        json={"organisation_id": api.ids["uni"]},
        headers=headers,
    )
    got = api.client.get(f"/api/v1/events/{event_id}/plan", headers=api.as_("enterprise"))
    assert got.status_code == 404
    assert api.client.get(f"/api/v1/events/{event_id}").status_code == 401
