"""The policy as a table for people (accounts, not API keys): every account, publishing and
review page, asked by a visitor, a person in no organisation, an organisation's member and
admin, park staff of the organisation's park and of another park, an organiser and a platform
admin, answers what the policy says; contact details show only to the roles that may see them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.accounts.models import OrganisationRequest, User
from matchmaker.store.db import session_scope
from matchmaker.store.models import Need, Organisation, utcnow
from tests.pages.account_site import PASSWORD, Site, csrf, log_in, site

__all__ = ["site"]  # the module's fixture

PEOPLE = (
    "anonymous",
    "person",
    "member",
    "org_admin",
    "staff_own",
    "staff_other",
    "organiser",
    "admin",
)
PHONE = "0772-5550123"
HTML = {"Accept": "text/html"}


@dataclass
class People:
    """A logged-in browser per role and the records the rows act on."""

    site: Site
    clients: dict[str, TestClient]
    org: int
    park: int
    tokens: dict[str, str] = field(default_factory=dict)
    made: int = 0

    def unique(self) -> int:
        self.made += 1
        return self.made

    def account(self, role: str = "member", **values: Any) -> int:
        """A verified account made straight in the database."""
        from matchmaker.accounts.service import sign_up

        with session_scope() as s:
            user = sign_up(s, f"p{self.unique()}-{role}@roles.example.cn", role, PASSWORD)
            user.email_verified_at, user.role = utcnow(), role
            for name, value in values.items():
                setattr(user, name, value)
            s.commit()
            return user.id

    def need(self, status: str) -> int:
        """A need of the organisation in a given status, with a contact phone."""
        with session_scope() as s:
            need = Need(
                external_id=f"N-ROLE-{self.unique()}",
                title="角色矩阵测试需求",
                description="用于角色矩阵的测试需求。",
                enterprise_id=self.org,
                park_id=self.park,
                status=status,
                contact_phone=PHONE,
            )
            need.refresh_hash()
            s.add(need)
            s.flush()
            return need.id

    def org_request(self) -> int:
        """A pending organisation request in the organisation's park."""
        requester = self.account()
        with session_scope() as s:
            row = OrganisationRequest(
                user_id=requester,
                name=f"待批机构{self.unique()}",
                kind="enterprise",
                province="广西",
                park_id=self.park,
            )
            s.add(row)
            s.flush()
            return row.id

    def key(self) -> int:
        """A fresh reader API key's id."""
        from matchmaker.store.auth import ApiKey, create_key

        with session_scope() as s:
            create_key(s, name="待吊销", role="reader")
            s.flush()
            return int(s.scalars(select(ApiKey.id).order_by(ApiKey.id.desc())).first() or 0)

    def joiner(self) -> int:
        """A person waiting to join the organisation."""
        return self.account(organisation_id=self.org, org_role="member", membership="pending")


@pytest.fixture(scope="module")
def people(site: Site) -> Iterator[People]:
    """An approved organisation in 柳州 park with its admin and a member, staff of both parks,
    an organiser, an admin and a person in no organisation, each logged in."""
    with session_scope() as s:
        org = Organisation(
            external_id="ORG-ROLES",
            name="角色测试机构",
            kind="enterprise",
            province="广西",
            park_id=site.parks["lz"],
        )
        s.add(org)
        s.flush()
        org_id = org.id
    world = People(site, {}, org_id, site.parks["lz"])
    accounts = {
        "person": world.account(),
        "member": world.account(organisation_id=org_id, org_role="member", membership="active"),
        "org_admin": world.account(organisation_id=org_id, org_role="admin", membership="active"),
        "staff_own": world.account("park_staff", park_id=site.parks["lz"]),
        "staff_other": world.account("park_staff", park_id=site.parks["bh"]),
        "organiser": world.account("organiser"),
        "admin": world.account("admin"),
    }
    world.clients["anonymous"] = site.client()
    with session_scope() as s:
        emails = {role: s.get(User, uid).email for role, uid in accounts.items()}  # type: ignore[union-attr]
    for role, address in emails.items():
        world.clients[role] = site.client()
        log_in(world.clients[role], address)
        world.tokens[role] = csrf(world.clients[role], "/")
    yield world


NEED_FORM = {"title": "矩阵测试草稿", "description": "角色矩阵里保存的草稿。"}
ANON = {"anonymous": 303}  # sent to the login page


def only(allowed: dict[str, int], others: int = 403) -> dict[str, int]:
    """These roles get their code, every other signed-in role `others`, a visitor the login page."""
    return {r: allowed.get(r, others) for r in PEOPLE if r != "anonymous"} | ANON


MEMBERS = {"member": 200, "org_admin": 200}
REVIEWERS_OWN = {"staff_own": 303, "admin": 303}


@dataclass
class Row:
    method: str
    path: Callable[[People], str]
    expect: dict[str, int]
    body: Callable[[People], dict[str, str]] = lambda w: {}


ROWS: dict[str, Row] = {
    "GET /account": Row("GET", lambda w: "/account", only({}, 200)),
    "GET /my/items": Row("GET", lambda w: "/my/items", only(MEMBERS)),
    "GET /my/matches": Row("GET", lambda w: "/my/matches", only(MEMBERS)),
    "POST /my/items/imports": Row(  # no file: back to the list with a message
        "POST",
        lambda w: "/my/items/imports",
        only({"member": 303, "org_admin": 303}),
        lambda w: {"kind": "need"},
    ),
    "GET /my/introductions": Row("GET", lambda w: "/my/introductions", only(MEMBERS)),
    "POST /introductions": Row(  # about the organisation's own need: refused with a message
        "POST",
        lambda w: "/introductions",
        only({"member": 303, "org_admin": 303}),
        lambda w: {"target_kind": "need", "target_id": str(w.need("active")), "message": "你好"},
    ),
    "POST /review/introductions/{intro_id}/nudge": Row(
        "POST",
        lambda w: "/review/introductions/999999/nudge",
        only({"staff_own": 404, "staff_other": 404, "admin": 404}),
    ),
    "POST /introductions/{intro_id}/{action}": Row(
        "POST",
        lambda w: "/introductions/999999/accept",
        only({"member": 404, "org_admin": 404}),
    ),
    "GET /my/items/new/{kind}": Row("GET", lambda w: "/my/items/new/need", only(MEMBERS)),
    "POST /my/items/new/{kind}": Row(
        "POST",
        lambda w: "/my/items/new/need",
        only({"member": 303, "org_admin": 303}),
        lambda w: NEED_FORM,
    ),
    "GET /my/items/{kind}/{item_id}/edit": Row(
        "GET", lambda w: f"/my/items/need/{w.need('draft')}/edit", only(MEMBERS)
    ),
    "POST /my/items/{kind}/{item_id}/edit": Row(
        "POST",
        lambda w: f"/my/items/need/{w.need('draft')}/edit",
        only({"member": 303, "org_admin": 303}),
        lambda w: NEED_FORM,
    ),
    "POST /my/items/{kind}/{item_id}/submit": Row(
        "POST",
        lambda w: f"/my/items/need/{w.need('draft')}/submit",
        only({"member": 303, "org_admin": 303}),
    ),
    "GET /review": Row(
        "GET", lambda w: "/review", only({"staff_own": 200, "staff_other": 200, "admin": 200})
    ),
    "POST /review/organisations/{request_id}": Row(
        "POST",
        lambda w: f"/review/organisations/{w.org_request()}",
        only(REVIEWERS_OWN),
        lambda w: {"decision": "approve"},
    ),
    "POST /review/items/{kind}/{item_id}": Row(
        "POST",
        lambda w: f"/review/items/need/{w.need('pending')}",
        only(REVIEWERS_OWN),
        lambda w: {"decision": "publish"},
    ),
    "POST /account/members/{user_id}": Row(
        "POST",
        lambda w: f"/account/members/{w.joiner()}",
        only({"org_admin": 303, **REVIEWERS_OWN}),
        lambda w: {"decision": "approve"},
    ),
    "POST /account/invite": Row(
        "POST",
        lambda w: "/account/invite",
        only({"org_admin": 303}),
        lambda w: {"email": f"invited{w.unique()}@roles.example.cn"},
    ),
    "GET /admin/keys": Row("GET", lambda w: "/admin/keys", only({"admin": 200})),
    "POST /admin/keys": Row(
        "POST",
        lambda w: "/admin/keys",
        only({"admin": 201}),
        lambda w: {"role": "reader", "name": "矩阵"},
    ),
    "POST /admin/keys/{key_id}/revoke": Row(
        "POST",
        lambda w: f"/admin/keys/{w.key()}/revoke",
        only({"admin": 303}),
    ),
    "GET /items/{kind}/{item_id} (pending)": Row(
        "GET",
        lambda w: f"/items/need/{w.need('pending')}",
        {
            **dict.fromkeys(PEOPLE, 404),
            "member": 200,
            "org_admin": 200,
            "organiser": 200,
            "admin": 200,
        },
    ),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_each_person_gets_what_the_policy_says(people: People, name: str) -> None:
    row, wrong = ROWS[name], []
    for role in PEOPLE:
        client = people.clients[role]
        data = {**row.body(people), "csrf": people.tokens.get(role, "")}
        kw: dict[str, Any] = {"headers": HTML, "follow_redirects": False}
        if row.method == "POST":
            kw["data"] = data
        got = client.request(row.method, row.path(people), **kw)
        if got.status_code != row.expect[role]:
            wrong.append(
                f"{role}: {got.status_code} (expected {row.expect[role]}) {got.text[:150]}"
            )
        if role == "anonymous" and got.status_code == 303:
            assert got.headers["location"].startswith("/login")
    assert not wrong, "\n".join(wrong)


def test_every_account_and_publishing_page_is_in_the_table() -> None:
    from fastapi.routing import APIRoute

    from api.pages import accounts, introductions, keys, matches, publishing

    pages = {
        f"{m} {r.path}"
        for router in (
            accounts.router,
            publishing.router,
            matches.router,
            introductions.router,
            keys.router,
        )
        for r in router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    anonymous_forms = {  # open to everyone: the sign-up, verification and reset steps
        "GET /signup",
        "POST /signup",
        "GET /account/verify",
        "POST /account/verify/resend",
        "GET /account/forgot",
        "POST /account/forgot",
        "GET /account/reset",
        "POST /account/reset",
        # each person acts on themselves only (tested in test_pages_accounts)
        "POST /account/organisation",
        "POST /account/join",
        "POST /account/signout-everywhere",
        "GET /account/data",
        "POST /account/delete",
        "GET /account/invite",
    }
    assert pages - anonymous_forms == {n for n in ROWS if not n.startswith("GET /items/")}


def test_contact_details_show_only_to_roles_that_may_see_them(people: People) -> None:
    need = people.need("active")
    shown = {
        role: PHONE in people.clients[role].get(f"/items/need/{need}", headers=HTML).text
        for role in PEOPLE
    }
    assert {r for r, seen in shown.items() if seen} == {"organiser", "admin"}


def test_a_published_need_is_public_and_the_reviewers_decision_is_recorded(people: People) -> None:
    need = people.need("pending")
    staff = people.clients["staff_own"]
    staff.post(
        f"/review/items/need/{need}",
        data={"decision": "publish", "csrf": people.tokens["staff_own"]},
    )
    assert people.clients["anonymous"].get(f"/items/need/{need}").status_code == 200
    with session_scope() as s:
        from matchmaker.accounts.models import ItemReview

        steps = s.scalars(select(ItemReview).where(ItemReview.item_id == need)).all()
        assert [(r.action, r.actor.startswith("user:")) for r in steps] == [("published", True)]


def test_an_admin_creates_a_key_on_the_web_that_works_until_revoked(people: People) -> None:
    admin = people.clients["admin"]
    made = admin.post(
        "/admin/keys", data={"role": "reader", "name": "数据大屏", "csrf": people.tokens["admin"]}
    )
    assert made.status_code == 201
    key = re.search(r"<code>(mm_[^<]+)</code>", made.text).group(1)  # type: ignore[union-attr]
    assert key not in admin.get("/admin/keys").text  # shown once
    api = people.site.client()
    assert api.get("/api/v1/parks", headers={"X-API-Key": key}).status_code == 200
    key_id = re.findall(r'<tr id="key-(\d+)">', admin.get("/admin/keys").text)[-1]
    admin.post(f"/admin/keys/{key_id}/revoke", data={"csrf": people.tokens["admin"]})
    assert api.get("/api/v1/parks", headers={"X-API-Key": key}).status_code == 401
    refused = admin.post(
        "/admin/keys", data={"role": "enterprise", "name": "x", "csrf": people.tokens["admin"]}
    )
    assert refused.status_code == 400 and "企业密钥必须绑定机构" in refused.text


def test_people_read_the_api_through_their_session_without_others_contacts(
    people: People,
) -> None:
    """GET requests of the API accept the page session (as for keys): any signed-in person reads
    the catalogue, a visitor gets 401, and contact details follow the role there too."""
    need = people.need("active")
    codes, seen = {}, set()
    for role in PEOPLE:
        got = people.clients[role].get(
            f"/api/v1/needs/{need}", headers={"Accept": "application/json"}
        )
        codes[role] = got.status_code
        if PHONE in got.text:
            seen.add(role)
    assert codes == {**dict.fromkeys(PEOPLE, 200), "anonymous": 401}
    assert seen == {"organiser", "admin"}
