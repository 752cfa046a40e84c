"""Fast in-process tests of the pages (no browser): sessions, CSRF, roles, languages, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matchmaker.store.auth import ApiKey, create_key
from matchmaker.store.models import Achievement, Need, Organisation, Park, utcnow

HTML = {"Accept": "text/html,application/xhtml+xml"}


@dataclass
class World:
    """A client over a tiny data set and the keys and ids of it."""

    client: TestClient
    keys: dict[str, str]
    ids: dict[str, int]

    def login(self, role: str) -> None:
        """Log the client in with a role's key through the login form."""
        self.client.cookies.clear()
        response = self.client.post(
            "/login", data={"api_key": self.keys[role], "next": "/"}, follow_redirects=False
        )
        assert response.status_code == 303

    def csrf(self, path: str = "/") -> str:
        """The CSRF token the pages put in this session's forms."""
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text)
        assert found is not None
        return found.group(1)


def seed() -> tuple[dict[str, str], dict[str, int]]:
    """One park, two enterprises, a university; an open need, a draft need, an achievement."""
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as s:
        park = Park(
            external_id="P1",
            name="南宁高新区",
            level="national",
            city="南宁",
            industries=["electronic-info"],
        )
        ent = Organisation(
            external_id="E1",
            name="南宁测试电子有限公司",
            kind="enterprise",
            province="广西",
            city="南宁",
            park=park,
        )
        other = Organisation(
            external_id="E2",
            name="北海测试显示有限公司",
            kind="enterprise",
            province="广西",
            city="北海",
        )
        uni = Organisation(
            external_id="U1", name="沪上测试大学", kind="university", province="上海", city="上海"
        )
        s.add_all([park, ent, other, uni])
        s.flush()
        ach = Achievement(
            external_id="A1",
            title="面板Mura缺陷视觉检测",
            summary="基于深度学习的面板Mura缺陷检测，漏检率低于0.5%。",
            trl=7,
            industries=["electronic-info"],
            coop_modes=["license"],
            owner=uni,
            contact_name="王老师",
            contact_phone="021-12345678",
        )
        need = Need(
            external_id="N1",
            title="贴片元件虚焊自动检测",
            description="人工目检效率低，希望用视觉自动检测虚焊。",
            enterprise=ent,
            park=park,
            industries=["electronic-info"],
            min_trl=6,
            contact_name="李经理",
            contact_email="li@example.com",
        )
        draft = Need(
            external_id="N2",
            title="草稿需求：背光亮度不均",
            description="背光亮度均匀性差。",
            enterprise=other,
            industries=["electronic-info"],
            status="draft",
        )
        for item in (ach, need, draft):
            item.refresh_hash()
        s.add_all([ach, need, draft])
        s.flush()
        keys = {
            "organiser": create_key(s, name="组织者", role="organiser"),
            "enterprise": create_key(s, name="企业", role="enterprise", organisation_id=ent.id),
            "other": create_key(s, name="另一企业", role="enterprise", organisation_id=other.id),
            "reader": create_key(s, name="读者", role="reader"),
            "revoked": create_key(s, name="已吊销", role="admin"),
        }
        s.flush()
        revoked = s.query(ApiKey).filter(ApiKey.name == "已吊销").one()
        revoked.revoked_at = utcnow()
        ids = {"park": park.id, "ach": ach.id, "need": need.id, "draft": draft.id, "uni": uni.id}
    return keys, ids


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The app (lifespan included) over a fresh data directory, shared by this module."""
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine

    data_dir: Path = tmp_path_factory.mktemp("pages-client") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
        mp.setenv("MATCHMAKER_SECRET_KEY", "client-test-secret")
        mp.delenv("DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            keys, ids = seed()
            from api.main import create_app

            with TestClient(create_app()) as client:
                yield World(client, keys, ids)
        finally:
            get_engine.cache_clear()
            get_settings.cache_clear()


def test_login_sets_a_signed_httponly_cookie_without_the_key(world: World) -> None:
    world.client.cookies.clear()
    response = world.client.post(
        "/login", data={"api_key": world.keys["reader"], "next": "/parks"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/parks"
    cookie = response.headers["set-cookie"]
    assert "mm_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert world.keys["reader"] not in cookie
    page = world.client.get("/parks", headers=HTML)
    assert "读者" in page.text and "退出" in page.text


def test_bad_revoked_and_forged_sessions_are_refused(world: World) -> None:
    world.client.cookies.clear()
    bad = world.client.post("/login", data={"api_key": "mm_wrong", "next": "/"})
    assert bad.status_code == 401 and "密钥无效或已吊销" in bad.text
    revoked = world.client.post("/login", data={"api_key": world.keys["revoked"], "next": "/"})
    assert revoked.status_code == 401
    world.client.cookies.set("mm_session", "forged.value.here")
    assert world.client.get("/events", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(world: World) -> None:
    world.client.cookies.clear()
    response = world.client.post(
        "/login",
        data={"api_key": world.keys["reader"], "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused(world: World) -> None:
    world.login("reader")
    response = world.client.post("/logout", data={"csrf": "nope"}, headers=HTML)
    assert response.status_code == 400
    assert "表单已过期" in response.text
    ok = world.client.post("/logout", data={"csrf": world.csrf()}, follow_redirects=False)
    assert ok.status_code == 303 and 'mm_session=""' in ok.headers["set-cookie"]


def test_contact_details_follow_the_role(world: World) -> None:
    path = f"/items/achievement/{world.ids['ach']}"
    world.client.cookies.clear()
    anonymous = world.client.get(path, headers=HTML).text
    assert "021-12345678" not in anonymous and "登录后查看联系方式" in anonymous
    world.login("reader")
    reader = world.client.get(path, headers=HTML).text
    assert "021-12345678" not in reader and "无权查看联系方式" in reader
    world.login("enterprise")
    assert "021-12345678" in world.client.get(path, headers=HTML).text


def test_drafts_are_hidden_from_others(world: World) -> None:
    path = f"/items/need/{world.ids['draft']}"
    world.client.cookies.clear()
    assert world.client.get(path, headers=HTML).status_code == 404
    world.login("other")
    assert world.client.get(path, headers=HTML).status_code == 200


def test_feedback_only_for_own_items(world: World) -> None:
    world.login("other")
    form = {
        "csrf": world.csrf(),
        "track": "tech-transfer",
        "source_kind": "need",
        "source_id": str(world.ids["need"]),
        "target_kind": "achievement",
        "target_id": str(world.ids["ach"]),
        "reason": "too_early",
        "next": "/",
    }
    denied = world.client.post("/feedback", data=form, headers=HTML)
    assert denied.status_code == 403
    world.login("enterprise")
    form["csrf"] = world.csrf()
    done = world.client.post("/feedback", data=form, headers={"Accept": "application/json"})
    assert done.status_code == 200 and done.json()["ok"] is True


def test_anonymous_feedback_asks_to_log_in(world: World) -> None:
    world.client.cookies.clear()
    response = world.client.post("/feedback", data={"next": "/?q=x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    login_page = world.client.get(response.headers["location"])
    assert "登录后即可标记" in login_page.text


def test_language_switch_by_query_and_cookie(world: World) -> None:
    world.client.cookies.clear()
    english = world.client.get("/?lang=en", headers=HTML)
    assert '<html lang="en">' in english.text and "Search by need" in english.text
    assert "mm_lang=en" in english.headers["set-cookie"]
    again = world.client.get("/parks", headers=HTML)
    assert '<html lang="en">' in again.text
    chinese = world.client.get("/?lang=zh", headers=HTML)
    assert '<html lang="zh-CN">' in chinese.text and "按需求找技术" in chinese.text


def test_unknown_paths_are_html_for_people_and_json_for_clients(world: World) -> None:
    page = world.client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404 and "页面不存在" in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = world.client.get("/api/v1/nothing-here", headers=HTML)
    assert api.headers["content-type"].startswith("application/problem+json")
    plain = world.client.get("/no/such/page")
    assert plain.headers["content-type"].startswith("application/problem+json")


def test_search_ignores_bad_filters_and_reports_them(world: World) -> None:
    response = world.client.get("/?q=虚焊检测&kind=need&trl=99&industry=nope", headers=HTML)
    assert response.status_code == 200
    assert "已忽略无效的筛选值" in response.text
    assert "贴片元件" in response.text


def test_organiser_pages_need_the_organiser_role(world: World) -> None:
    world.client.cookies.clear()
    redirect = world.client.get("/events/new", follow_redirects=False)
    assert redirect.status_code == 303 and "/login" in redirect.headers["location"]
    world.login("reader")
    assert world.client.get("/events/new", headers=HTML).status_code == 403
    world.login("organiser")
    assert world.client.get("/events/new", headers=HTML).status_code == 200


def test_event_form_errors_keep_the_values(world: World) -> None:
    world.login("organiser")
    csrf = world.csrf("/events/new")
    response = world.client.post(
        "/events",
        data={
            "csrf": csrf,
            "name": "测试对接会",
            "date": "2027-03-01",
            "am_start": "11:00",
            "am_end": "09:00",
            "slot_minutes": "20",
            "tables": "3",
            "default_max_meetings": "6",
            "min_meetings": "1",
            "small_min_meetings": "2",
        },
        headers=HTML,
    )
    assert response.status_code == 422
    assert 'value="测试对接会"' in response.text
    assert 'role="alert"' in response.text


def test_event_page_offers_themed_invitations_and_shows_rules_to_organisers_only(
    world: World,
) -> None:
    world.login("organiser")
    created = world.client.post(
        "/events",
        data={
            "csrf": world.csrf("/events/new"),
            "name": "规则可见性测试会",
            "date": "2027-03-02",
            "am_start": "09:00",
            "am_end": "10:00",
            "slot_minutes": "20",
            "tables": "2",
            "default_max_meetings": "3",
            "min_meetings": "1",
            "small_min_meetings": "2",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"].split("?")[0]
    page = world.client.get(path, headers=HTML).text
    invite = page[page.index('id="invite-form"') :]
    boxes = set(re.findall(r'name="organisation_id" value="(\d+)"> ([^<]+?) <span', invite))
    # E2 brings only a draft need: it can still be added by hand, but is not suggested.
    assert {name for _, name in boxes} == {"南宁测试电子有限公司", "沪上测试大学"}
    assert "北海测试显示有限公司" in page[: page.index('id="invite-form"')]
    added = world.client.post(
        f"{path}/participants",
        data={"csrf": world.csrf(path), "organisation_id": [i for i, _ in boxes]},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = world.client.get(path, headers=HTML).text
    choices = re.findall(r'<option value="(\d+)">', page[page.index('id="rule-a"') :])
    ruled = world.client.post(
        f"{path}/rules",
        data={"csrf": world.csrf(path), "a": choices[0], "b": choices[1], "rule": "never"},
        follow_redirects=False,
    )
    assert ruled.status_code == 303
    assert 'id="rules-h"' in world.client.get(path, headers=HTML).text

    world.login("enterprise")  # its organisation attends this event
    seen = world.client.get(path, headers=HTML)
    assert seen.status_code == 200
    assert 'id="rules-h"' not in seen.text, "never-meet rules are confidential"
    assert 'id="invite-form"' not in seen.text
    assert "沪上测试大学" not in seen.text, "a participant sees its own entry only"
    for outsider in ("reader", "other"):  # not on the team, not attending: no such event
        world.login(outsider)
        assert world.client.get(path, headers=HTML).status_code == 404


def test_an_open_achievement_page_lists_fitting_finance_products(world: World) -> None:
    from matchmaker.finance.models import FinanceProduct
    from matchmaker.store.db import session_scope

    with session_scope() as s:
        s.add_all(
            [
                FinanceProduct(
                    external_id="FP-1",
                    name="电子信息知识产权质押贷",
                    product_type="ip_pledge",
                    provider="南宁测试银行",
                    industries=["electronic-info"],
                    trl_min=5,
                    trl_max=9,
                ),
                FinanceProduct(
                    external_id="FP-2",
                    name="农业引导基金",
                    product_type="guidance_fund",
                    provider="测试引导基金",
                    industries=["agri-processing"],
                ),
            ]
        )
    world.client.cookies.clear()
    page = world.client.get(f"/items/achievement/{world.ids['ach']}", headers=HTML).text
    section = page.split('id="finance"', 1)[1]
    assert "电子信息知识产权质押贷" in section and "知识产权质押融资" in section
    assert "适用阶段 TRL5–9，覆盖成熟度 TRL7" in section
    assert "农业引导基金" not in page, "a product for another industry is not offered"
