"""Items over HTTP: each role's allowed and forbidden actions, filters, paging, and problem-details errors."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

NEED = {
    "external_id": "N-new",
    "title": "SMT产线AOI误报率高",
    "description": "现有AOI误报率约8%，希望降到2%以下。",
    "industries": ["电子信息"],
    "min_trl": 6,
}


def test_missing_or_wrong_key_is_401_with_problem_json(api: Api) -> None:
    r = api.client.get("/api/v1/achievements")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert "API" in r.json()["detail"]
    assert (
        api.client.get("/api/v1/achievements", headers={"X-API-Key": "mm_wrong"}).status_code == 401
    )
    assert (
        api.client.get(
            "/api/v1/achievements", headers={"Authorization": f"Bearer {api.keys['reader']}"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("role", ["admin", "organiser", "enterprise", "reader"])
def test_every_role_reads(api: Api, role: str) -> None:
    r = api.client.get("/api/v1/achievements", headers=api.as_(role))
    assert r.status_code == 200 and r.json()["total"] == 1


def test_contact_details_only_for_allowed_roles(api: Api) -> None:
    url = f"/api/v1/achievements/{api.ids['ach']}"
    assert api.client.get(url, headers=api.as_("reader")).json()["contact"] is None
    assert api.client.get(url, headers=api.as_("enterprise")).json()["contact"]["name"] == "王老师"
    assert (
        api.client.get(url, headers=api.as_("organiser")).json()["contact"]["phone"]
        == "021-00000000"
    )


def test_reader_cannot_write(api: Api) -> None:
    r = api.client.post(
        "/api/v1/needs", json={**NEED, "enterprise_id": api.ids["ent"]}, headers=api.as_("reader")
    )
    assert r.status_code == 403
    assert (
        api.client.delete(
            f"/api/v1/needs/{api.ids['own_need']}", headers=api.as_("reader")
        ).status_code
        == 403
    )


def test_enterprise_edits_only_its_own_needs(api: Api) -> None:
    h = api.as_("enterprise")
    created = api.client.post("/api/v1/needs", json=NEED, headers=h)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (
        body["enterprise_id"] == api.ids["ent"]
        and body["industries"] == ["electronic-info"]
        and body["park_id"] == api.ids["park"]
    )
    assert (
        api.client.patch(
            f"/api/v1/needs/{api.ids['own_need']}", json={"min_trl": 7}, headers=h
        ).json()["min_trl"]
        == 7
    )
    assert (
        api.client.patch(
            f"/api/v1/needs/{api.ids['other_need']}", json={"min_trl": 7}, headers=h
        ).status_code
        == 403
    )
    assert (
        api.client.post(
            "/api/v1/needs",
            json={**NEED, "external_id": "N-x", "enterprise_id": api.ids["other"]},
            headers=h,
        ).status_code
        == 403
    )
    assert api.client.delete(f"/api/v1/needs/{api.ids['other_need']}", headers=h).status_code == 403
    assert api.client.post("/api/v1/achievements", json={}, headers=h).status_code == 403
    assert api.client.delete(f"/api/v1/needs/{api.ids['own_need']}", headers=h).status_code == 204


def test_organiser_manages_items_and_admin_too(api: Api) -> None:
    for role in ("organiser", "admin"):
        body = {
            "external_id": f"A-{role}",
            "title": "锂电池极片缺陷检测",
            "summary": "线扫相机+分割网络，检出率99%。",
            "trl": 6,
            "owner_id": api.ids["uni"],
            "coop_modes": ["许可"],
        }
        r = api.client.post("/api/v1/achievements", json=body, headers=api.as_(role))
        assert r.status_code == 201, r.text
        assert r.json()["coop_modes"] == ["license"]
        item = r.json()["id"]
        assert (
            api.client.patch(
                f"/api/v1/achievements/{item}", json={"trl": 8}, headers=api.as_(role)
            ).json()["trl"]
            == 8
        )
        assert (
            api.client.delete(f"/api/v1/achievements/{item}", headers=api.as_(role)).status_code
            == 204
        )
        assert (
            api.client.get(f"/api/v1/achievements/{item}", headers=api.as_(role)).status_code == 404
        )


def test_validation_errors_name_the_field(api: Api) -> None:
    bad = {
        "external_id": "A-bad",
        "title": "x",
        "summary": "y",
        "trl": 12,
        "owner_id": api.ids["uni"],
        "industries": ["火星采矿"],
    }
    r = api.client.post("/api/v1/achievements", json=bad, headers=api.as_("admin"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"trl", "industries"} <= fields
    missing_owner = {**bad, "trl": 5, "industries": [], "owner_id": 99999}
    r = api.client.post("/api/v1/achievements", json=missing_owner, headers=api.as_("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "owner_id"
    dup = api.client.post(
        "/api/v1/achievements",
        json={**missing_owner, "external_id": "A1", "owner_id": api.ids["uni"]},
        headers=api.as_("admin"),
    )
    assert dup.status_code == 409
    assert (
        api.client.get("/api/v1/achievements?limit=1000", headers=api.as_("reader")).status_code
        == 422
    )
    assert (
        api.client.get(
            "/api/v1/achievements?industry=不存在", headers=api.as_("reader")
        ).status_code
        == 422
    )


def test_service_refusals_are_problems_naming_the_field(api: Api) -> None:
    h = api.as_("admin")
    cleared = api.client.patch(
        f"/api/v1/needs/{api.ids['own_need']}", json={"title": None}, headers=h
    )
    assert cleared.status_code == 422, "clearing a required field is invalid, not a conflict"
    assert cleared.headers["content-type"].startswith("application/problem+json")
    assert cleared.json()["errors"] == [
        {"field": "title", "in": "body", "message": "不能为空 / cannot be null"}
    ]
    upside_down = api.client.patch(
        f"/api/v1/achievements/{api.ids['ach']}",
        json={"price_min": 90, "price_max": 10},
        headers=h,
    )
    assert (
        upside_down.status_code == 422 and "价格下限 90 大于上限 10" in upside_down.json()["detail"]
    )
    assert upside_down.json()["errors"][0]["field"] == "price_min"
    unknown = api.client.get("/api/v1/needs?industry=炼金术", headers=h).json()
    assert unknown["errors"] == [
        {"field": "industry", "in": "query", "message": "unknown industry"}
    ]
    owner = api.client.delete(f"/api/v1/organisations/{api.ids['ent']}", headers=h)
    assert owner.status_code == 409 and "仍有" in owner.json()["detail"]


def test_a_hidden_draft_answers_like_a_missing_need(api: Api) -> None:
    admin, other = api.as_("admin"), api.as_("enterprise")
    draft = api.client.post(
        "/api/v1/needs",
        json={
            **NEED,
            "external_id": "N-draft",
            "status": "草稿",
            "enterprise_id": api.ids["other"],
        },
        headers=admin,
    ).json()
    assert draft["status"] == "draft"
    hidden = api.client.get(f"/api/v1/needs/{draft['id']}", headers=other)
    missing = api.client.get(f"/api/v1/needs/{draft['id'] + 1}", headers=other)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(draft["id"]), "#") == missing.json()[
        "detail"
    ].replace(str(draft["id"] + 1), "#")


def test_filters_and_paging(api: Api) -> None:
    h = api.as_("reader")
    assert api.client.get("/api/v1/achievements?region=eastern", headers=h).json()["total"] == 1
    assert api.client.get("/api/v1/achievements?region=guangxi", headers=h).json()["total"] == 0
    assert api.client.get("/api/v1/achievements?trl_min=8", headers=h).json()["total"] == 0
    assert api.client.get("/api/v1/needs?industry=电子信息", headers=h).json()["total"] == 2
    assert (
        api.client.get(f"/api/v1/needs?park_id={api.ids['park']}", headers=h).json()["total"] == 1
    )
    page = api.client.get("/api/v1/needs?limit=1&offset=1", headers=h).json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_large_bodies_are_refused_with_413(api: Api) -> None:
    r = api.client.post(
        "/api/v1/needs",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**api.as_("admin"), "content-type": "application/json"},
    )
    assert r.status_code == 413


def test_health_and_ready(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    assert api.client.get("/ready").json()["status"] == "ready"


def test_the_policy_wording_of_an_industry_is_accepted_in_bodies_and_filters(api: Api) -> None:
    h = api.as_("enterprise")
    body = {**NEED, "external_id": "N-policy", "industries": ["人工智能及智能硬件", "电子信息产业"]}
    created = api.client.post("/api/v1/needs", json=body, headers=h)
    assert created.status_code == 201, created.text
    assert created.json()["industries"] == ["ai-hardware", "electronic-info"]
    listed = api.client.get("/api/v1/needs?industry=人工智能及智能硬件", headers=h).json()
    assert "N-policy" in {n["external_id"] for n in listed["items"]}
    wrong = api.client.get("/api/v1/needs?industry=人工只能", headers=h)
    assert (
        wrong.status_code == 422
        and "是否指" in wrong.json()["errors"][0]["message"] + wrong.json()["detail"]
    )


def test_an_achievement_without_trl_is_created_and_read_as_unknown(api: Api) -> None:
    body = {
        "external_id": "A-no-trl",
        "title": "未标注成熟度的成果",
        "summary": "高校成果清单常不写成熟度。",
        "owner_id": api.ids["uni"],
    }
    created = api.client.post("/api/v1/achievements", json=body, headers=api.as_("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["trl"] is None
    page = api.client.get(
        f"/items/achievement/{created.json()['id']}", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200 and "未标注" in page.text
