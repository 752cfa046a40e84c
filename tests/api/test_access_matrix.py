"""The authorisation policy as a table: every API operation of the OpenAPI schema and every page,
asked by every kind of caller — a visitor, a reader, park staff of the park the enterprise and
its need are in and of another park, a member and the admin of that enterprise signed in with a
password, an enterprise key attending the confidential event and one not attending, the
organiser of that event and of another one, and an admin — answers the status the policy says,
and confidential strings (the event's name, its internal note, a participant's note, a
never-meet rule's note, another organisation's contact phone) never appear in the answer of a
caller who may not see them. A new route without a row here fails the test."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from matchmaker.store.auth import create_key
from matchmaker.store.db import session_scope
from matchmaker.store.models import Need, Organisation, Park
from tests.api.conftest import seed_world

ROLES = (
    "anonymous",
    "reader",
    "staff_own",
    "staff_other",
    "member",
    "org_admin",
    "ent_in",
    "ent_out",
    "org_this",
    "org_other",
    "admin",
)
PARK_STAFF = frozenset({"staff_own", "staff_other"})
# People signed in with e-mail and password: a member and the admin of the park's enterprise
# (the organisation of `ent_in`'s key). The API takes their session for reads only.
PEOPLE = frozenset({"member", "org_admin"})
PEOPLE_PASSWORD = "矩阵测试-成员密码-2026"
TEAM = frozenset({"org_this", "admin"})
SEES_EVENT = TEAM | {"ent_in", "member", "org_admin"}
KEYED = frozenset(ROLES) - {"anonymous"}
NAME = "机密活动"
SECRETS = ("内部备注：预算不足", "该机构报价偏高", "保密：不要安排与32见面")
# The achievement's contact phone: only organisers, admins and enterprise keys see contacts; a
# person, park staff, a reader and a visitor never do (they see them after an introduction).
CONTACT_PHONE = "021-00000000"
SEES_CONTACTS = frozenset({"ent_in", "ent_out", "org_this", "org_other", "admin"})
OK = "ok"  # any answer that is no refusal: 2xx, or 409/422/503 for a request the policy allowed
HTML = {"Accept": "text/html"}


@dataclass
class World:
    """The app, one client per role, the ids the requests use and fresh-resource makers."""

    clients: dict[str, TestClient]
    pages: dict[str, TestClient]
    keys: dict[str, str]
    key_ids: dict[str, int]
    ids: dict[str, int]
    csrf: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # people's session cookies

    def admin(self, method: str, path: str, **kw: Any) -> Any:
        got = self.clients["admin"].request(method, path, headers=self.headers("admin"), **kw)
        assert got.status_code < 300, got.text
        return got.json() if got.content else None

    def headers(self, role: str) -> dict[str, str]:
        if role in PEOPLE:
            return {"Cookie": f"mm_session={self.sessions[role]}"}
        return {} if role == "anonymous" else {"X-API-Key": self.keys[role]}

    def new_org(self) -> int:
        with session_scope() as s:
            org = Organisation(
                external_id=f"X-{uuid.uuid4().hex[:8]}", name="临时机构", kind="university"
            )
            org.province = "广西"
            s.add(org)
            s.flush()
            return org.id

    def new_participant(self) -> int:
        event = self.ids["event"]
        body = {"organisation_id": self.new_org()}
        return int(self.admin("POST", f"/api/v1/events/{event}/participants", json=body)["id"])

    def new_event(self) -> int:
        body = {**EVENT, "name": "可删除的活动", "internal_note": ""}
        got = self.clients["org_this"].post(
            "/api/v1/events", json=body, headers=self.headers("org_this")
        )
        return int(got.json()["id"])

    def meeting(self) -> int:
        plan = self.admin("GET", f"/api/v1/events/{self.ids['event']}/plan")
        return int(plan["meetings"][0]["id"])

    def new_organiser_key(self) -> int:
        with session_scope() as s:
            create_key(s, name="协办", role="organiser")
            from sqlalchemy import func, select

            from matchmaker.store.auth import ApiKey

            return int(s.scalar(select(func.max(ApiKey.id))) or 0)


EVENT = {
    "name": NAME,
    "date": "2027-05-20",
    "sessions": [{"name": "上午场", "start": "09:00", "end": "10:40", "slot_minutes": 20}],
    "tables": 2,
    "internal_note": SECRETS[0],
}


def build(api_client: TestClient) -> World:
    """Keys for every role, the confidential event (notes, a never-meet rule, a plan) and an
    event of another organiser."""
    keys, ids = seed_world_once
    with session_scope() as s:
        outsider = Organisation(external_id="E3", name="不参会企业", kind="enterprise")
        outsider.province = "广西"
        s.add(outsider)
        s.flush()
        other_park = Park(external_id="P-BH", name="北海测试园区", level="regional", city="北海")
        s.add(other_park)
        s.flush()
        more = {
            "ent_out": create_key(s, name="t-out", role="enterprise", organisation_id=outsider.id),
            "org_other": create_key(s, name="t-org2", role="organiser"),
            # park staff of the park the enterprise, its need and the organisation requests are
            # in, and of another park
            "staff_own": create_key(s, name="t-staff", role="park_staff", park_id=ids["park"]),
            "staff_other": create_key(s, name="t-staff2", role="park_staff", park_id=other_park.id),
        }
    keys = {
        "reader": keys["reader"],
        "ent_in": keys["enterprise"],
        "org_this": keys["organiser"],
        "admin": keys["admin"],
        **more,
    }
    app = api_client.app
    clients = {role: TestClient(app) for role in ROLES}
    pages = {role: TestClient(app) for role in ROLES}
    from matchmaker.store.auth import find_key

    with session_scope() as s:
        key_ids = {role: find_key(s, key).id for role, key in keys.items()}  # type: ignore[union-attr]
    world = World(clients, pages, keys, key_ids, dict(ids))
    for role in PEOPLE:
        make_person(role, ids["ent"])
        browser = TestClient(app)
        done = browser.post(
            "/login",
            data={"email": person_email(role), "password": PEOPLE_PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text[:500]
        world.sessions[role] = str(browser.cookies.get("mm_session"))
    org = clients["org_this"]
    h = world.headers("org_this")
    event = org.post("/api/v1/events", json=EVENT, headers=h).json()["id"]
    base = f"/api/v1/events/{event}"
    people = {}
    for who, note in (("ent", SECRETS[1]), ("other", ""), ("uni", "")):
        body = {"organisation_id": ids[who], "note": note}
        people[who] = org.post(f"{base}/participants", json=body, headers=h).json()["id"]
    rule = {"a": people["ent"], "b": people["other"], "rule": "never", "note": SECRETS[2]}
    world.ids["rule"] = org.post(f"{base}/pairs", json=rule, headers=h).json()["id"]
    assert org.post(f"{base}/plan", json={"time_limit": 2}, headers=h).status_code == 201
    other = {**EVENT, "name": "另一活动", "internal_note": ""}
    hh = world.headers("org_other")
    world.ids["other_event"] = (
        clients["org_other"].post("/api/v1/events", json=other, headers=hh).json()["id"]
    )
    world.ids |= {"event": event, "p_ent": people["ent"], "p_other": people["other"]}
    world.ids["p_uni"] = people["uni"]
    with session_scope() as s:
        from matchmaker.digest.subscriptions import SubscriptionData, upsert_subscription

        sub = upsert_subscription(s, SubscriptionData(email="m@example.cn", keywords=["稀土"]))
        world.ids["sub"] = sub.subscription.id
    return world


seed_world_once: Any = None


def person_email(role: str) -> str:
    """The address of the person playing a role."""
    return f"{role}@matrix-people.example.cn"


def make_person(role: str, organisation_id: int) -> None:
    """A verified person in the organisation, as its member or its admin."""
    from matchmaker.accounts.service import sign_up
    from matchmaker.store.models import utcnow

    with session_scope() as s:
        user = sign_up(s, person_email(role), role, PEOPLE_PASSWORD)
        user.email_verified_at = utcnow()
        user.organisation_id, user.membership = organisation_id, "active"
        user.org_role = "admin" if role == "org_admin" else "member"


@dataclass
class Case:
    """One request and the status each role gets (OK: allowed, whatever the outcome)."""

    method: str
    route: str  # the route's path template, as the app declares it
    expect: dict[str, int | str]
    params: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World, str], Any] | None = None
    query: str = ""
    files: bool = False


def everyone(code: int | str = 200) -> dict[str, int | str]:
    """Any key gets `code`, a visitor 401."""
    return {r: code for r in KEYED} | {"anonymous": 401}


def public(code: int | str = 200) -> dict[str, int | str]:
    """Everyone, visitors included."""
    return dict.fromkeys(ROLES, code)


def roles(allowed: set[str], code: int | str = OK, denied: int = 403) -> dict[str, int | str]:
    """Role-level rule: these roles get `code`, other keys 403, visitors 401."""
    return {r: (code if r in allowed else denied) for r in KEYED} | {"anonymous": 401}


ORGANISERS = {"org_this", "org_other", "admin"}
WRITERS = ORGANISERS | {"ent_in", "ent_out"}
STAFF = ORGANISERS | {"reader"}
OWN_PARK = STAFF | {"staff_own"}  # park-scoped reads: park staff only of their own park


def event_rule(
    team: int | str = OK, participant: int = 404, *, role_level: bool = False
) -> dict[str, int | str]:
    """An event-scoped rule: the team gets `team`; the attending enterprise `participant`;
    readers and outsiders 404 (or 403 when the route is for organisers only); the organiser of
    another event 404; visitors 401."""
    others = 403 if role_level else 404
    return {
        "anonymous": 401,
        "reader": others,
        "staff_own": others,
        "staff_other": others,
        "member": participant,  # people of the attending enterprise see what its key sees
        "org_admin": participant,
        "ent_in": participant,
        "ent_out": others,
        "org_this": team,
        "org_other": 404,
        "admin": team,
    }


def _e(w: World) -> dict[str, Any]:
    return {"event_id": w.ids["event"]}


def _unique() -> str:
    return uuid.uuid4().hex[:10]


def _item_body(kind: str) -> Callable[[World, str], Any]:
    def make(w: World, role: str) -> Any:
        code = f"M-{_unique()}"
        if kind == "park":
            return {
                "external_id": code,
                "name": f"矩阵园区{code}",
                "level": "regional",
                "city": "南宁",
            }
        if kind == "organisation":
            return {
                "external_id": code,
                "name": "矩阵机构",
                "kind": "enterprise",
                "province": "广西",
            }
        if kind == "achievement":
            return {
                "external_id": code,
                "title": "矩阵成果",
                "summary": "一项用于测试的成果",
                "trl": 5,
                "owner_id": w.ids["uni"],
            }
        if kind == "scenario":
            return {"external_id": code, "title": "矩阵场景", "description": "测试场景"}
        body = {"external_id": code, "title": "矩阵需求", "description": "测试需求"}
        if role in ORGANISERS:
            body["enterprise_id"] = w.ids["ent"]
        return body

    return make


def _fresh_item(kind: str) -> Callable[[World], dict[str, Any]]:
    plural = f"{kind}s"
    name = {"park": "park_id", "organisation": "org_id"}.get(kind, "item_id")

    def make(w: World) -> dict[str, Any]:
        created = w.admin("POST", f"/api/v1/{plural}", json=_item_body(kind)(w, "admin"))
        return {name: created["id"]}

    return make


def _existing(name: str, label: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {name: w.ids[label]}


def _someone_elses_search_feedback(w: World) -> dict[str, Any]:
    """A search verdict given by a key none of the roles holds, for no organisation."""
    from matchmaker.store.search_feedback import SearchFeedback

    with session_scope() as s:
        row = SearchFeedback(
            query="芒果保鲜",
            kind="achievement",
            item_id=w.ids["ach"],
            verdict="not_relevant",
            actor="key:999999",
        )
        s.add(row)
        s.flush()
        return {"feedback_id": row.id}


def _own_need(w: World) -> dict[str, Any]:
    with session_scope() as s:
        need = Need(
            external_id=f"N-{_unique()}",
            title="可删需求",
            description="测试",
            enterprise_id=w.ids["ent"],
        )
        need.refresh_hash()
        s.add(need)
        s.flush()
        return {"item_id": need.id}


def _fresh_rule(w: World) -> dict[str, Any]:
    a, b = w.new_participant(), w.new_participant()
    rule = w.admin(
        "POST", f"/api/v1/events/{w.ids['event']}/pairs", json={"a": a, "b": b, "rule": "must"}
    )
    return {**_e(w), "rule_id": rule["id"]}


def _fresh_member(w: World) -> dict[str, Any]:
    key_id = w.new_organiser_key()
    w.admin("POST", f"/api/v1/events/{w.ids['event']}/organisers", json={"key_id": key_id})
    return {**_e(w), "key_id": key_id}


def _fresh_sub(w: World) -> dict[str, Any]:
    created = w.admin(
        "POST",
        "/api/v1/subscriptions",
        json={"email": f"{_unique()}@example.cn", "keywords": ["稀土"]},
    )
    return {"sub_id": created["id"]}


def _request_to_ent(w: World) -> dict[str, Any]:
    """A fresh pending meeting request from the university to the attending enterprise."""
    from matchmaker.events.participation_models import EventRequest

    with session_scope() as s:
        row = EventRequest(
            event_id=w.ids["event"],
            from_id=w.new_participant(),
            to_id=w.ids["p_ent"],
            kind="request",
            status="pending",
            message="",
        )
        s.add(row)
        s.flush()
        return {**_e(w), "request_id": row.id}


def _mark_by_ent(w: World) -> dict[str, Any]:
    """A fresh "not interested" mark of the attending enterprise, to withdraw."""
    from matchmaker.events.participation_models import EventRequest

    other = w.new_participant()
    with session_scope() as s:
        s.add(
            EventRequest(
                event_id=w.ids["event"],
                from_id=w.ids["p_ent"],
                to_id=other,
                kind="not_interested",
                status="noted",
                message="",
            )
        )
    return {**_e(w), "to_id": other}


def api_cases() -> list[Case]:
    """One row (or more) per API operation."""
    cases: list[Case] = []
    for kind, plural, pid in (
        ("park", "parks", "park_id"),
        ("organisation", "organisations", "org_id"),
        ("achievement", "achievements", "item_id"),
        ("need", "needs", "item_id"),
        ("scenario", "scenarios", "item_id"),
    ):
        one = f"/api/v1/{plural}/{{{pid}}}"
        key = {"park": "park", "organisation": "uni", "achievement": "ach", "need": "own_need"}
        existing = _existing(pid, key.get(kind, "ach"))
        writers = WRITERS if kind == "need" else ORGANISERS
        cases += [
            Case("GET", f"/api/v1/{plural}", everyone()),
            Case("POST", f"/api/v1/{plural}", roles(writers, 201), body=_item_body(kind)),
        ]
        if kind == "scenario":
            cases.append(Case("GET", one, everyone(), params=_fresh_item("scenario")))
            patch_params: Callable[[World], dict[str, Any]] = _fresh_item("scenario")
        else:
            cases.append(Case("GET", one, everyone(), params=existing))
            patch_params = existing
        patch = {"description": "改"} if kind != "achievement" else {"summary": "改"}
        patch_roles = roles(ORGANISERS | ({"ent_in"} if kind == "need" else set()), 200)
        cases.append(
            Case("PATCH", one, patch_roles, params=patch_params, body=lambda w, r, p=patch: p)
        )
        fresh = _own_need if kind == "need" else _fresh_item(kind)
        delete_roles = roles(ORGANISERS | ({"ent_in"} if kind == "need" else set()), 204)
        cases.append(Case("DELETE", one, delete_roles, params=fresh))
    cases += [
        Case(
            "POST",
            "/api/v1/imports/{kind}",
            roles(ORGANISERS),
            params=lambda w: {"kind": "needs"},
            files=True,
        ),
        Case(
            "GET",
            "/api/v1/imports/jobs/{job_id}",
            roles(ORGANISERS, 404),  # organisers may ask; this job id does not exist
            params=lambda w: {"job_id": "0" * 32},
        ),
        Case("GET", "/api/v1/search", everyone(), query="q=检测"),
        Case("GET", "/api/v1/finance-products", everyone()),
        Case(
            "GET",
            "/api/v1/finance-products/matches/{kind}/{item_id}",
            everyone(),
            params=lambda w: {"kind": "achievement", "item_id": w.ids["ach"]},
        ),
        Case(
            "GET",
            "/api/v1/recommendations/{track}/{source_kind}/{source_id}",
            everyone(OK),
            params=lambda w: {
                "track": "tech-transfer",
                "source_kind": "need",
                "source_id": w.ids["own_need"],
            },
        ),
        Case(
            "POST",
            "/api/v1/feedback",
            roles(ORGANISERS | {"ent_in"}),
            body=lambda w, r: {
                "track": "tech-transfer",
                "source_kind": "need",
                "source_id": w.ids["own_need"],
                "target_kind": "achievement",
                "target_id": w.ids["ach"],
                "action": "contacted",
            },
        ),
        Case("GET", "/api/v1/feedback", roles(ORGANISERS, 200)),
        Case(
            "POST",
            "/api/v1/search/feedback",
            roles(WRITERS),
            body=lambda w, r: {"q": "芒果保鲜", "item_id": w.ids["ach"], "verdict": "not_relevant"},
        ),
        Case(
            "DELETE",
            "/api/v1/search/feedback/{feedback_id}",
            {**roles(WRITERS - {"admin"}, 404), "admin": 200},
            params=_someone_elses_search_feedback,
        ),
    ]
    park = lambda w: {"park_id": w.ids["park"]}  # noqa: E731
    for suffix in ("map", "map.svg", "map.png", "map.xlsx"):
        cases.append(Case("GET", f"/api/v1/parks/{{park_id}}/{suffix}", everyone(OK), params=park))
    cases += [
        Case("GET", "/api/v1/chains", everyone()),
        Case(
            "GET",
            "/api/v1/chains/{industry}",
            everyone(OK),
            params=lambda w: {"industry": "electronic-info"},
        ),
        Case("GET", "/api/v1/stats/parks/{park_id}", roles(OWN_PARK, 200), params=park),
        Case("GET", "/api/v1/stats/parks/{park_id}/report.xlsx", roles(OWN_PARK, 200), params=park),
        Case("GET", "/api/v1/digest/unsubscribe", public(400), query="token=garbage"),
        Case("POST", "/api/v1/digest/unsubscribe", public(400), query="token=garbage"),
        Case("GET", "/api/v1/digest/not-relevant", public(400), query="token=garbage"),
        Case("GET", "/api/v1/digest/confirm", public(400), query="token=garbage"),
        Case(
            "POST",
            "/api/v1/digest/subscribe",
            public(202),
            body=lambda w, r: {"email": f"{_unique()}@example.cn", "keywords": ["稀土"]},
        ),
        Case(
            "POST",
            "/api/v1/subscriptions",
            roles(ORGANISERS, 201),
            body=lambda w, r: {"email": f"{_unique()}@example.cn", "keywords": ["稀土"]},
        ),
        Case("GET", "/api/v1/subscriptions", roles(ORGANISERS, 200)),
        Case(
            "GET",
            "/api/v1/subscriptions/{sub_id}",
            roles(ORGANISERS, 200),
            params=lambda w: {"sub_id": w.ids["sub"]},
        ),
        Case(
            "PATCH",
            "/api/v1/subscriptions/{sub_id}",
            roles(ORGANISERS, 200),
            params=lambda w: {"sub_id": w.ids["sub"]},
            body=lambda w, r: {"frequency": "weekly"},
        ),
        Case("DELETE", "/api/v1/subscriptions/{sub_id}", roles(ORGANISERS, 204), params=_fresh_sub),
        # ---- events
        Case("GET", "/api/v1/events", everyone()),
        Case(
            "POST",
            "/api/v1/events",
            roles(ORGANISERS, 201),
            body=lambda w, r: {**EVENT, "name": "新活动", "internal_note": ""},
        ),
        Case("GET", "/api/v1/events/{event_id}", event_rule(200, 200), params=_e),
        Case(
            "PATCH",
            "/api/v1/events/{event_id}",
            event_rule(200, 403, role_level=True),
            params=_e,
            body=lambda w, r: {"venue": "南宁"},
        ),
        Case(
            "DELETE",
            "/api/v1/events/{event_id}",
            event_rule(204, 403, role_level=True),
            params=lambda w: {"event_id": w.new_event()},
        ),
        Case("GET", "/api/v1/events/{event_id}/participants", event_rule(200, 200), params=_e),
        Case(
            "POST",
            "/api/v1/events/{event_id}/participants",
            event_rule(201, 403, role_level=True),
            params=_e,
            body=lambda w, r: {"organisation_id": w.new_org()},
        ),
        Case(
            "PATCH",
            "/api/v1/events/{event_id}/participants/{participant_id}",
            event_rule(200, 403, role_level=True),
            params=lambda w: {**_e(w), "participant_id": w.ids["p_uni"]},
            body=lambda w, r: {"max_meetings": 3},
        ),
        Case(
            "DELETE",
            "/api/v1/events/{event_id}/participants/{participant_id}",
            event_rule(204, 403, role_level=True),
            params=lambda w: {**_e(w), "participant_id": w.new_participant()},
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/participants/{participant_id}/cancel",
            event_rule(200, 403, role_level=True),
            params=lambda w: {**_e(w), "participant_id": w.new_participant()},
            body=lambda w, r: {"time_limit": 1},
        ),
        Case(
            "GET",
            "/api/v1/events/{event_id}/participants/{participant_id}/agenda",
            event_rule(200, 200),
            params=lambda w: {**_e(w), "participant_id": w.ids["p_ent"]},
        ),
        Case(
            "GET",
            "/api/v1/events/{event_id}/participants/{participant_id}/agenda",
            event_rule(200, 403),
            params=lambda w: {**_e(w), "participant_id": w.ids["p_other"]},
        ),
        Case(
            "GET",
            "/api/v1/events/{event_id}/pairs",
            event_rule(200, 403, role_level=True),
            params=_e,
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/pairs",
            event_rule(201, 403, role_level=True),
            params=_e,
            body=lambda w, r: {"a": w.new_participant(), "b": w.new_participant(), "rule": "must"},
        ),
        Case(
            "DELETE",
            "/api/v1/events/{event_id}/pairs/{rule_id}",
            event_rule(204, 403, role_level=True),
            params=_fresh_rule,
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/plan",
            event_rule(201, 403, role_level=True),
            params=_e,
            body=lambda w, r: {"time_limit": 1},
        ),
        Case("GET", "/api/v1/events/{event_id}/plan", event_rule(200, 200), params=_e),
        Case(
            "POST",
            "/api/v1/events/{event_id}/replan",
            event_rule(201, 403, role_level=True),
            params=_e,
            body=lambda w, r: {"time_limit": 1},
        ),
    ]
    for action in ("lock", "unlock"):
        cases.append(
            Case(
                "POST",
                f"/api/v1/events/{{event_id}}/meetings/{{meeting_id}}/{action}",
                event_rule(200, 403, role_level=True),
                params=lambda w: {**_e(w), "meeting_id": w.meeting()},
            )
        )
    cases += [
        Case(
            "PATCH",
            "/api/v1/events/{event_id}/meetings/{meeting_id}",
            event_rule(OK, 403, role_level=True),
            params=lambda w: {**_e(w), "meeting_id": w.meeting()},
            body=lambda w, r: {"slot": 4, "table": 1, "lock": False},
        ),
        Case(
            "GET",
            "/api/v1/events/{event_id}/export/{fmt}",
            event_rule(200, 200),  # a participant: its own agenda
            params=lambda w: {**_e(w), "fmt": "csv"},
        ),
        # ---- the participant side: invitations and answers
        Case("GET", "/api/v1/events/{event_id}/candidates", event_rule(200, 403), params=_e),
        Case("GET", "/api/v1/events/{event_id}/invitations", event_rule(200, 403), params=_e),
        Case(
            "POST",
            "/api/v1/events/{event_id}/invitations",
            event_rule(201, 403),
            params=_e,
            body=lambda w, r: {
                "invitations": [{"organisation_id": w.new_org(), "email": "x@example.cn"}],
                "send": False,
            },
        ),
        Case("POST", "/api/v1/events/{event_id}/invitations/send", event_rule(200, 403), params=_e),
        # ---- meeting requests (participants only: the team sets pair rules instead) and agendas
        Case("GET", "/api/v1/events/{event_id}/partners", event_rule(403, 200), params=_e),
        Case(
            "POST",
            "/api/v1/events/{event_id}/requests",
            event_rule(403, 201),
            params=_e,
            body=lambda w, r: {"to": w.ids["p_uni"], "kind": "wish"},
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/outcomes",
            event_rule(403, 409),  # the participant may; the event is not over yet
            params=_e,
            body=lambda w, r: {"partner": w.ids["p_uni"], "outcome": "met"},
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/requests/{request_id}/answer",
            event_rule(403, 200),
            params=_request_to_ent,
            body=lambda w, r: {"accept": False},
        ),
        Case(
            "DELETE",
            "/api/v1/events/{event_id}/requests/{to_id}",
            event_rule(403, 204),
            params=_mark_by_ent,
        ),
        Case("GET", "/api/v1/events/{event_id}/requests", event_rule(200, 403), params=_e),
        Case("POST", "/api/v1/events/{event_id}/agendas/send", event_rule(200, 403), params=_e),
        Case(
            "PUT",
            "/api/v1/events/{event_id}/schedule-rules",
            event_rule(200, 403),
            params=_e,
            body=lambda w, r: {"placement": "compact"},
        ),
        Case("POST", "/api/v1/events/{event_id}/plan/preview", event_rule(200, 403), params=_e),
        Case(
            "POST",
            "/api/v1/events/{event_id}/participants/{participant_id}/no-show",
            event_rule(OK, 403),
            params=lambda w: {**_e(w), "participant_id": w.new_participant()},
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/participants/{participant_id}/check-in",
            event_rule(200, 403),
            params=lambda w: {**_e(w), "participant_id": w.ids["p_uni"]},
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/rsvp",
            # the attending enterprise was added, not invited: no invitation to answer (404)
            {**event_rule(403, 404), "admin": 403},
            params=_e,
            body=lambda w, r: {"accept": True},
        ),
        Case(
            "GET",
            "/api/v1/events/{event_id}/organisers",
            event_rule(200, 403, role_level=True),
            params=_e,
        ),
        Case(
            "POST",
            "/api/v1/events/{event_id}/organisers",
            event_rule(201, 403, role_level=True),
            params=_e,
            body=lambda w, r: {"key_id": w.new_organiser_key()},
        ),
        Case(
            "DELETE",
            "/api/v1/events/{event_id}/organisers/{key_id}",
            event_rule(204, 403, role_level=True),
            params=_fresh_member,
        ),
        Case("GET", "/health", public()),
        Case("GET", "/ready", public()),
        Case("GET", "/api/v1/stats", public()),
    ]
    return cases


def page_cases() -> list[Case]:
    """One row per page route: logged in by role (a visitor is sent to the login page: 303)."""
    e = _e
    login_first = {"anonymous": 303}
    team_pages = {**event_rule(200, 200), **login_first}
    team_posts = {**event_rule(303, 403, role_level=True), **login_first}
    return [
        Case("GET", "/", public()),
        Case("GET", "/login", public()),
        Case("POST", "/login", public(401), body=lambda w, r: {"api_key": "mm_wrong"}),
        Case("POST", "/logout", {**dict.fromkeys(KEYED, 303), "anonymous": 400}),
        Case(
            "POST",
            "/feedback",
            {**roles(ORGANISERS | {"ent_in"} | PEOPLE, 303), "anonymous": 303},
            body=lambda w, r: {
                "track": "tech-transfer",
                "source_kind": "need",
                "source_id": w.ids["own_need"],
                "target_kind": "achievement",
                "target_id": w.ids["ach"],
                "reason": "other",
                "next": "/",
            },
        ),
        *account_page_cases(),
        Case(
            "POST",
            "/search-feedback",
            {**roles(WRITERS | PEOPLE, 303), "anonymous": 303},
            body=lambda w, r: {
                "q": "芒果保鲜",
                "kind": "achievement",
                "item_id": w.ids["ach"],
                "next": "/",
            },
        ),
        Case(
            "POST",
            "/search-feedback/{feedback_id}/undo",
            {**roles((WRITERS | PEOPLE) - {"admin"}, 404), "admin": 303, "anonymous": 303},
            params=_someone_elses_search_feedback,
            body=lambda w, r: {"next": "/"},
        ),
        Case(
            "GET",
            "/items/{kind}/{item_id}",
            public(),
            params=lambda w: {"kind": "need", "item_id": w.ids["own_need"]},
        ),
        Case("GET", "/parks", public()),
        Case("GET", "/parks/{park_id}", public(), params=lambda w: {"park_id": w.ids["park"]}),
        Case(
            "GET",
            "/parks/{park_id}/map.svg",
            public(OK),
            params=lambda w: {"park_id": w.ids["park"]},
        ),
        Case(
            "GET",
            "/parks/{park_id}/links/{industry}/{code}",
            public(OK),
            params=lambda w: {
                "park_id": w.ids["park"],
                "industry": "electronic-info",
                "code": "materials-components",
            },
        ),
        Case(
            "POST",
            "/parks/{park_id}/introductions",
            {**roles(ORGANISERS | {"staff_own"}, 303), **login_first},
            params=lambda w: {"park_id": w.ids["park"]},
            body=lambda w, r: {
                "target_kind": "achievement",
                "target_id": w.ids["ach"],
                "link": "电子材料与基础元器件",
                "next": "/",
            },
        ),
        Case(
            "POST",
            "/parks/{park_id}/invitations",
            {**roles(ORGANISERS, 303), "org_other": 404, **login_first},
            params=lambda w: {"park_id": w.ids["park"]},
            body=lambda w, r: {
                "event_id": w.ids["event"],
                "organisation_id": w.ids["uni"],
                "next": "/",
            },
        ),
        Case(
            "GET",
            "/parks/{park_id}/rd-zero",
            {**roles(OWN_PARK, 200), **login_first},
            params=lambda w: {"park_id": w.ids["park"]},
        ),
        # park staff are sent on to their own park's page
        Case(
            "GET", "/stats", {**roles(STAFF, 200), **dict.fromkeys(PARK_STAFF, 303), **login_first}
        ),
        Case(
            "GET",
            "/stats/parks/{park_id}",
            {**roles(OWN_PARK, 200), **login_first},
            params=lambda w: {"park_id": w.ids["park"]},
        ),
        Case(
            "GET",
            "/stats/parks/{park_id}/report.xlsx",
            {**roles(OWN_PARK, 200), **login_first},
            params=lambda w: {"park_id": w.ids["park"]},
        ),
        Case("GET", "/events", {**everyone(), **login_first}),
        Case("GET", "/events/new", {**roles(ORGANISERS, 200), **login_first}),
        Case(
            "POST",
            "/events",
            {**roles(ORGANISERS, 303), **login_first},
            body=lambda w, r: {
                "name": "页面新活动",
                "date": "2027-06-01",
                "am_start": "09:00",
                "am_end": "10:00",
                "slot_minutes": "20",
                "tables": "2",
                "default_max_meetings": "3",
                "min_meetings": "1",
                "small_min_meetings": "2",
            },
        ),
        Case("GET", "/events/{event_id}", team_pages, params=e),
        Case(
            "POST",
            "/events/{event_id}/participants",
            team_posts,
            params=e,
            body=lambda w, r: {"organisation_id": str(w.new_org())},
        ),
        Case(
            "POST",
            "/events/{event_id}/invitations",
            team_posts,
            params=e,
            body=lambda w, r: {"organisation_id": str(w.new_org()), "email": "p@example.cn"},
        ),
        Case(
            "POST",
            "/events/{event_id}/participants/{participant_id}/{action}",
            team_posts,
            params=lambda w: {**_e(w), "participant_id": w.new_participant(), "action": "remove"},
        ),
        Case(
            "POST",
            "/events/{event_id}/rules",
            team_posts,
            params=e,
            body=lambda w, r: {
                "a": str(w.new_participant()),
                "b": str(w.new_participant()),
                "rule": "must",
            },
        ),
        Case("POST", "/events/{event_id}/rules/{rule_id}/delete", team_posts, params=_fresh_rule),
        Case(
            "POST",
            "/events/{event_id}/plan",
            team_posts,
            params=e,
            body=lambda w, r: {"mode": "replan"},
        ),
        Case("GET", "/events/{event_id}/schedule", team_pages, params=e),
        Case(
            "POST",
            "/events/{event_id}/meetings/{meeting_id}/{action}",
            team_posts,
            params=lambda w: {**_e(w), "meeting_id": w.meeting(), "action": "lock"},
        ),
        Case(
            "GET",
            "/events/{event_id}/export/{fmt}",
            {**event_rule(200, 200), **login_first},  # a participant: its own agenda
            params=lambda w: {**_e(w), "fmt": "csv"},
        ),
        # The invitee's page: the signed link is the credential (a forged one: 400 for anyone).
        Case("GET", "/events/rsvp/{token}", public(400), params=_forged),
        Case("POST", "/events/rsvp/{token}", public(400), params=_forged),
        Case("POST", "/events/rsvp/{token}/requests", public(400), params=_forged),
        Case("POST", "/events/rsvp/{token}/check-in", public(400), params=_forged),
        Case("GET", "/events/rsvp/{token}/agenda.{fmt}", public(400), params=_forged_ics),
        Case("GET", "/events/checkin/{token}", public(400), params=_forged),
        Case("POST", "/events/rsvp/{token}/outcome", public(400), params=_forged),
        Case("POST", "/events/checkin/{token}", public(400), params=_forged),
    ]


def account_page_cases() -> list[Case]:
    """Account pages asked with API-key sessions (people's roles: tests/pages/test_pages_roles.py):
    anonymous forms are open; a key session has no account; only an admin key reviews."""
    no_account = {**dict.fromkeys(KEYED, 404), "anonymous": 303}
    members_only = {**dict.fromkeys(KEYED, 403), "anonymous": 303}  # people publish, keys do not

    def account(member: int | str, org_admin: int | str | None = None) -> dict[str, int | str]:
        """A key session has no account (404); the people get these."""
        both = member if org_admin is None else org_admin
        return {**no_account, "member": member, "org_admin": both}

    def publish(code: int | str) -> dict[str, int | str]:
        """Only people of an organisation publish: both get `code`, keys 403."""
        return {**members_only, **dict.fromkeys(PEOPLE, code)}

    def item(w: World) -> dict[str, Any]:
        return {"kind": "need", "item_id": w.ids["own_need"]}

    def person(w: World, r: str) -> dict[str, str]:
        return {"email": f"{r}@matrix.example.cn", "name": r, "password": "矩阵测试-密码-2026"}

    return [
        Case("GET", "/signup", {**dict.fromkeys(KEYED, 303), "anonymous": 200}),
        Case(
            "POST",
            "/signup",
            public(201),
            body=lambda w, r: {**person(w, r), "password2": person(w, r)["password"]},
        ),
        Case("GET", "/account/verify", public(400)),
        Case("POST", "/account/verify/resend", public(200), body=person),
        Case("GET", "/account/forgot", public(200)),
        Case("POST", "/account/forgot", public(200), body=person),
        Case("GET", "/account/reset", public(400)),
        Case("POST", "/account/reset", public(400), body=lambda w, r: {"token": "x"}),
        Case("GET", "/account", account(200)),
        Case(  # already in an organisation: refused by name (409)
            "POST", "/account/organisation", account(409), body=lambda w, r: {"name": "某机构"}
        ),
        Case("POST", "/account/join", account(409), body=lambda w, r: {"organisation_id": "1"}),
        Case(
            "POST",
            "/account/members/{user_id}",
            account(403, 303),  # only the organisation's admin lets a person in
            params=_joiner,
            body=lambda w, r: {"decision": "approve"},
        ),
        Case("POST", "/account/signout-everywhere", account(303)),
        Case("GET", "/account/data", account(200)),
        Case("GET", "/account/invite", account(400)),  # no token: a clear page
        Case("POST", "/account/invite", account(403, 303), body=lambda w, r: {"email": "a@b.cn"}),
        Case(  # the wrong password: refused, nothing deleted
            "POST", "/account/delete", account(403), body=lambda w, r: {"password": "x"}
        ),
        Case("GET", "/review", {**roles({"admin"} | PARK_STAFF, 200), "anonymous": 303}),
        Case("GET", "/admin/keys", {**roles({"admin"}, 200), "anonymous": 303}),
        Case(
            "POST",
            "/admin/keys",
            {**roles({"admin"}, 201), "anonymous": 303},
            body=lambda w, r: {"role": "reader", "name": "matrix"},
        ),
        Case(
            "POST",
            "/admin/keys/{key_id}/revoke",
            {**roles({"admin"}, 303), "anonymous": 303},
            params=lambda w: {"key_id": w.new_organiser_key()},
        ),
        *[
            Case(
                method,
                route,
                publish(code),
                params=item,
                body=lambda w, r: {"title": "x", "kind": "need"},
            )
            for method, route, code in (
                ("GET", "/my/items", 200),
                ("GET", "/my/matches", 200),
                ("GET", "/my/introductions", 200),
                ("POST", "/my/items/imports", 303),  # no file: back with the reason
                ("POST", "/introductions", 303),  # no such target: back with the reason
                ("GET", "/my/items/new/{kind}", 200),
                ("POST", "/my/items/new/{kind}", 422),  # required fields named
                ("GET", "/my/items/{kind}/{item_id}/edit", 200),  # the organisation's own need
                ("POST", "/my/items/{kind}/{item_id}/edit", 422),
                ("POST", "/my/items/{kind}/{item_id}/submit", 303),  # published: back, reason
            )
        ],
        Case(  # a request waiting for the enterprise of the park: its staff nudge
            "POST",
            "/review/introductions/{intro_id}/nudge",
            {**roles({"admin", "staff_own"}, 303), "anonymous": 303},
            params=_waiting_introduction,
        ),
        Case(
            "POST",
            "/introductions/{intro_id}/{action}",
            publish(303),  # a request to the people's organisation: they accept it
            params=lambda w: {**_waiting_introduction(w), "action": "accept"},
        ),
        Case(  # a need of the park waiting for review: its staff (or an admin) publish it
            "POST",
            "/review/items/{kind}/{item_id}",
            {**roles({"admin", "staff_own"}, 303), "anonymous": 303},
            params=_pending_need,
            body=lambda w, r: {"decision": "publish"},
        ),
        Case(  # a new organisation asked for in the park: its staff (or an admin) approve it
            "POST",
            "/review/organisations/{request_id}",
            {**roles({"admin", "staff_own"}, 303), "anonymous": 303},
            params=_organisation_request,
            body=lambda w, r: {"decision": "approve"},
        ),
    ]


def _joiner(w: World) -> dict[str, Any]:
    """A fresh person waiting to join the park's enterprise (the people's organisation)."""
    from matchmaker.accounts.models import User

    with session_scope() as s:
        user = s.get(User, _person(s))
        assert user is not None
        user.organisation_id, user.org_role, user.membership = w.ids["ent"], "member", "pending"
        return {"user_id": user.id}


def _pending_need(w: World) -> dict[str, Any]:
    """A fresh need of the park's enterprise, submitted and waiting for review."""
    with session_scope() as s:
        need = Need(
            external_id=f"N-{_unique()}",
            title="待审需求",
            description="测试",
            enterprise_id=w.ids["ent"],
            park_id=w.ids["park"],
            status="pending",
        )
        need.refresh_hash()
        s.add(need)
        s.flush()
        return {"kind": "need", "item_id": need.id}


def _person(s: Any) -> int:
    """A fresh verified account (no organisation)."""
    from matchmaker.accounts.service import sign_up
    from matchmaker.store.models import utcnow

    user = sign_up(s, f"{_unique()}@matrix.example.cn", "矩阵", "矩阵测试-密码-2026")
    user.email_verified_at = utcnow()
    s.flush()
    return user.id


def _organisation_request(w: World) -> dict[str, Any]:
    """A fresh request for a new organisation in the park, waiting for its staff."""
    from matchmaker.accounts.models import OrganisationRequest

    with session_scope() as s:
        row = OrganisationRequest(
            user_id=_person(s),
            name=f"矩阵新机构{_unique()}",
            kind="enterprise",
            province="广西",
            park_id=w.ids["park"],
        )
        s.add(row)
        s.flush()
        return {"request_id": row.id}


def _waiting_introduction(w: World) -> dict[str, Any]:
    """A fresh introduction request to the park's enterprise about its need, not yet answered."""
    from matchmaker.accounts.models import Introduction

    with session_scope() as s:
        row = Introduction(
            requester_id=_person(s),
            from_org_id=w.ids["uni"],
            to_org_id=w.ids["ent"],
            target_kind="need",
            target_id=w.ids["own_need"],
            message="希望对接",
            status="requested",
        )
        s.add(row)
        s.flush()
        return {"intro_id": row.id}


def _forged(w: World) -> dict[str, Any]:
    return {"token": "WzEsImFiYyJd.forged.signature"}


def _forged_ics(w: World) -> dict[str, Any]:
    return {**_forged(w), "fmt": "ics"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app over a seeded database with the confidential event (shared by this module)."""
    global seed_world_once
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine

    data_dir = tmp_path_factory.mktemp("matrix") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
        mp.setenv("MATCHMAKER_LIMIT_SUBSCRIBE", "1000")
        mp.setenv("MATCHMAKER_LIMIT_SEARCH", "1000")
        mp.setenv("MATCHMAKER_LIMIT_SIGNUPS", "1000")
        mp.setenv("MATCHMAKER_LIMIT_LOGIN_FAILURES", "1000")
        mp.setenv("MATCHMAKER_LIMIT_ACCOUNT_MAILS", "1000")

        mp.setenv("MATCHMAKER_DIGEST_SMTP_RETRIES", "0")  # no SMTP server: fail fast, no retries
        mp.delenv("DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            seed_world_once = seed_world()
            from api.main import create_app

            with TestClient(create_app()) as client:
                world = build(client)
                yield world
        finally:
            get_engine.cache_clear()
            get_settings.cache_clear()


def _declared(route: str, params: dict[str, Any]) -> str:
    return route.format(**params)


def page_client(world: World, role: str) -> TestClient:
    """The role's browser, logged in (again, after a logout) with its form token known."""
    client = world.pages[role]
    if role != "anonymous" and not client.cookies.get("mm_session"):
        if role in PEOPLE:
            form = {"email": person_email(role), "password": PEOPLE_PASSWORD, "next": "/"}
        else:
            form = {"api_key": world.keys[role]}
        done = client.post("/login", data=form, follow_redirects=False)
        assert done.status_code == 303
        page = client.get("/events", headers=HTML).text
        world.csrf[role] = re.findall(r'name="csrf" value="([0-9a-f]+)"', page)[0]
    return client


def _check_secrets(role: str, text: str, where: str) -> None:
    if role not in SEES_CONTACTS:
        assert CONTACT_PHONE not in text, f"{role} saw another organisation's phone at {where}"
    if role not in TEAM:
        for secret in SECRETS:
            assert secret not in text, f"{role} saw {secret!r} at {where}"
    if role not in SEES_EVENT:
        assert NAME not in text, f"{role} saw the event's name at {where}"


def test_every_api_operation_is_in_the_table() -> None:
    from api.main import create_app

    schema = create_app().openapi()
    declared = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    covered = {(c.method, c.route) for c in api_cases()}
    assert declared == covered, f"missing: {declared - covered}, stale: {covered - declared}"


def test_every_page_is_in_the_table() -> None:
    from api.pages import ROUTERS

    pages = {
        (m, r.path)
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
        if m != "HEAD"
    }
    assert len(pages) > 15
    covered = {(c.method, c.route) for c in page_cases()}
    assert pages == covered, f"missing: {pages - covered}, stale: {covered - pages}"


@pytest.mark.parametrize("case", api_cases(), ids=lambda c: f"{c.method} {c.route}")
def test_api_operations_answer_each_role_as_the_policy_says(world: World, case: Case) -> None:
    wrong = []
    for role in ROLES:
        client = world.clients[role]
        path = _declared(case.route, case.params(world)) + (f"?{case.query}" if case.query else "")
        kw: dict[str, Any] = {"headers": world.headers(role)}
        if case.body is not None:
            kw["json"] = case.body(world, role)
        if case.files:
            kw["files"] = {"file": ("needs.jsonl", b"", "application/octet-stream")}
        client.cookies.clear()
        got = client.request(case.method, path, **kw)
        expected = case.expect[role]
        if role in PEOPLE and case.method not in ("GET", "HEAD"):
            expected = case.expect["anonymous"]  # a session never writes through the API
        ok = got.status_code not in (401, 403, 404, 429) and got.status_code < 500
        if (expected == OK and not ok) or (expected != OK and got.status_code != expected):
            wrong.append(f"{role}: {got.status_code} (expected {expected}) {got.text[:200]}")
        _check_secrets(role, got.text, f"{case.method} {path}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("case", page_cases(), ids=lambda c: f"{c.method} {c.route}")
def test_pages_answer_each_role_as_the_policy_says(world: World, case: Case) -> None:
    wrong = []
    for role in ROLES:
        client = page_client(world, role)
        path = _declared(case.route, case.params(world))
        kw: dict[str, Any] = {"headers": HTML, "follow_redirects": False}
        if case.method == "POST":
            data = case.body(world, role) if case.body is not None else {}
            if case.route != "/login":
                data["csrf"] = world.csrf.get(role, "")
            kw["data"] = data
        got = client.request(case.method, path, **kw)
        expected = case.expect[role]
        ok = got.status_code not in (401, 403, 404, 429) and got.status_code < 500
        if (expected == OK and not ok) or (expected != OK and got.status_code != expected):
            wrong.append(f"{role}: {got.status_code} (expected {expected}) {got.text[:200]}")
        _check_secrets(role, got.text, f"{case.method} {path}")
        if got.status_code == 303 and role != "anonymous" and case.method == "POST":
            flash = client.get(got.headers["location"], headers=HTML)
            _check_secrets(role, flash.text, f"after {case.method} {path}")
    assert not wrong, "\n".join(wrong)


def test_the_team_sees_the_confidential_parts_the_others_do_not(world: World) -> None:
    """The secrets checked above are really in the team's answers (the check is not vacuous)."""
    base = f"/api/v1/events/{world.ids['event']}"
    for role in TEAM:
        h = world.headers(role)
        c = world.clients[role]
        assert SECRETS[0] in c.get(base, headers=h).text
        assert SECRETS[1] in c.get(f"{base}/participants", headers=h).text
        assert SECRETS[2] in c.get(f"{base}/pairs", headers=h).text
    whole = world.admin("GET", f"{base}/plan")
    assert whole["objective"] is not None and all(m["score"] is not None for m in whole["meetings"])
    ach = f"/api/v1/achievements/{world.ids['ach']}"
    for role in ROLES:
        seen = CONTACT_PHONE in world.clients[role].get(ach, headers=world.headers(role)).text
        assert seen == (role in SEES_CONTACTS), role
    plan = world.clients["ent_in"].get(f"{base}/plan", headers=world.headers("ent_in")).json()
    assert plan["objective"] is None and all(m["score"] is None for m in plan["meetings"])
