"""Search by need, recommendations and feedback over HTTP, as an enterprise and an organiser use them."""

from __future__ import annotations

import html
import re
import time

from tests.api.conftest import Api

EXTRA = [
    {
        "external_id": "A-bat",
        "title": "动力电池极片涂布缺陷在线检测",
        "summary": "线扫相机配合分割网络检测极片漏涂、划痕和气泡，检出率99.2%，误报率低于1%。",
        "trl": 7,
        "industries": ["新能源"],
    },
    {
        "external_id": "A-tea",
        "title": "六堡茶渥堆发酵过程智能控制",
        "summary": "温湿度与微生物传感联动控制渥堆发酵，批次一致性提高40%，发酵周期缩短5天。",
        "trl": 6,
        "industries": ["特色农产品加工"],
    },
    {
        "external_id": "A-early",
        "title": "面板缺陷检测新原理研究",
        "summary": "基于偏振成像的Mura缺陷检测原理验证，实验室阶段。",
        "trl": 3,
        "industries": ["电子信息"],
    },
]


def add_extra(api: Api) -> dict[str, int]:
    ids = {}
    for body in EXTRA:
        r = api.client.post(
            "/api/v1/achievements",
            json={**body, "owner_id": api.ids["uni"]},
            headers=api.as_("organiser"),
        )
        assert r.status_code == 201, r.text
        ids[body["external_id"]] = r.json()["id"]
    return ids


def titles(response: dict) -> list[str]:
    return [item["title"] for item in response["items"]]


def test_colloquial_chinese_english_and_mixed_queries(api: Api) -> None:
    add_extra(api)
    h = api.as_("enterprise")
    r = api.client.get(
        "/api/v1/search",
        params={"q": "我们的屏幕老是有亮度不均匀的斑，想找个自动检测的办法", "kind": "achievement"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 1
    assert set(titles(body)[:2]) == {"面板Mura缺陷视觉检测", "面板缺陷检测新原理研究"}, (
        "both display-defect results lead"
    )
    assert all(set(item) >= {"id", "kind", "title", "score", "reasons"} for item in body["items"])
    assert any(reason.startswith("技术成熟度 TRL") for reason in body["items"][0]["reasons"])
    english = api.client.get(
        "/api/v1/search", params={"q": "battery electrode coating defect inspection"}, headers=h
    ).json()
    assert titles(english)[0] == "动力电池极片涂布缺陷在线检测"
    mixed = api.client.get(
        "/api/v1/search", params={"q": "六堡茶 fermentation 控制"}, headers=h
    ).json()
    assert titles(mixed)[0] == "六堡茶渥堆发酵过程智能控制"
    assert (
        "六堡" in mixed["items"][0]["terms"]
        and "<mark>六堡</mark>" in mixed["items"][0]["title_highlight"]
    )
    reasons = mixed["items"][0]["reasons"]
    assert reasons[0].startswith("共同关键词：") and "六堡" in reasons[0], reasons
    assert len(reasons) <= 3
    assert mixed["items"][0]["level"] in ("高", "中") and not mixed["items"][0]["weak"]
    assert 0.0 < mixed["items"][0]["relevance"] <= 1.0
    assert mixed["no_good_match"] is False and mixed["next_steps"] == []


def test_a_need_nothing_fits_is_told_so_with_next_steps(api: Api) -> None:
    add_extra(api)
    h = api.as_("enterprise")
    body = api.client.get(
        "/api/v1/search", params={"q": "边境口岸货车通关太慢想用AI"}, headers=h
    ).json()
    assert body["no_good_match"] is True
    assert any("发布这项需求" in step for step in body["next_steps"])
    assert any("园区工作人员" in step for step in body["next_steps"])
    assert all(item["weak"] and item["level"] == "低" for item in body["items"])
    research = api.client.get(
        "/api/v1/search", params={"q": "研究分析结果表明面板缺陷"}, headers=h
    ).json()
    for item in body["items"] + research["items"]:  # reasons never rest on research boilerplate
        assert not set(item["terms"]) & {"研究", "分析", "结果", "表明", "结果表明"}, item


def test_filters_still_return_matches_and_errors_name_the_parameter(api: Api) -> None:
    add_extra(api)
    h = api.as_("reader")
    r = api.client.get(
        "/api/v1/search", params={"q": "面板缺陷检测", "trl_min": 6}, headers=h
    ).json()
    assert "面板缺陷检测新原理研究" not in titles(r) and titles(r)[0] == "面板Mura缺陷视觉检测"
    only_early = api.client.get(
        "/api/v1/search", params={"q": "面板缺陷检测", "trl_max": 3}, headers=h
    ).json()
    assert titles(only_early) == ["面板缺陷检测新原理研究"]
    needs = api.client.get(
        "/api/v1/search",
        params={"q": "焊点检测", "kind": "need", "park_id": api.ids["park"]},
        headers=h,
    ).json()
    assert titles(needs) == ["贴片元件虚焊检测"]
    blank = api.client.get("/api/v1/search", params={"q": "   "}, headers=h)
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "q"
    bad = api.client.get(
        "/api/v1/search", params={"q": "检测", "trl_min": 7, "trl_max": 3}, headers=h
    )
    assert bad.status_code == 422


def test_a_write_is_searchable_within_a_second(api: Api) -> None:
    h = api.as_("organiser")
    body = {
        "external_id": "A-new",
        "title": "桑蚕丝脱胶废水资源化回收丝胶蛋白",
        "summary": "膜分离回收丝胶蛋白，回收率85%，COD削减70%。",
        "trl": 6,
        "owner_id": api.ids["uni"],
    }
    start = time.monotonic()
    created = api.client.post("/api/v1/achievements", json=body, headers=h)
    found = api.client.get("/api/v1/search", params={"q": "丝胶蛋白回收"}, headers=h).json()
    assert time.monotonic() - start < 1.0 or titles(found)[0] == body["title"]
    assert titles(found)[0] == body["title"]
    api.client.patch(
        f"/api/v1/achievements/{created.json()['id']}", json={"status": "closed"}, headers=h
    )
    assert body["title"] not in titles(
        api.client.get("/api/v1/search", params={"q": "丝胶蛋白回收"}, headers=h).json()
    )


def test_recommendations_with_reasons_and_rejection_is_remembered(api: Api) -> None:
    ids = add_extra(api)
    url = f"/api/v1/recommendations/tech-transfer/need/{api.ids['own_need']}"
    r = api.client.get(url, headers=api.as_("reader"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items and all(item["reasons"] for item in items)
    first = items[0]["target"]["id"]
    feedback = {
        "track": "tech-transfer",
        "source_kind": "need",
        "source_id": api.ids["own_need"],
        "target_kind": "achievement",
        "target_id": first,
        "action": "reject",
        "reason": "too_early",
    }
    assert (
        api.client.post("/api/v1/feedback", json=feedback, headers=api.as_("reader")).status_code
        == 403
    )
    other = {**feedback, "source_id": api.ids["other_need"]}
    assert (
        api.client.post("/api/v1/feedback", json=other, headers=api.as_("enterprise")).status_code
        == 403
    )
    assert (
        api.client.post(
            "/api/v1/feedback", json=feedback, headers=api.as_("enterprise")
        ).status_code
        == 201
    )
    again = api.client.get(url, headers=api.as_("enterprise")).json()["items"]
    assert first not in [item["target"]["id"] for item in again]
    listed = api.client.get("/api/v1/feedback", headers=api.as_("organiser")).json()
    assert listed["total"] == 1 and listed["items"][0]["reason"] == "too_early"
    assert api.client.get("/api/v1/feedback", headers=api.as_("enterprise")).status_code == 403
    missing = api.client.get(
        "/api/v1/recommendations/tech-transfer/need/999999", headers=api.as_("reader")
    )
    assert missing.status_code == 404
    assert ids


def page_results(api: Api, params: dict[str, object]) -> list[tuple[int, list[str]]]:
    """(item id, reasons) of each result the web page shows, in order, as a person reads them."""
    response = api.client.get("/", params=params, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert '<html lang="zh-CN"' in response.text
    shown = []
    for chunk in response.text.split('<li class="result" id="result-')[1:]:
        item_id = int(chunk[: chunk.index('"')])
        block = re.search(r'<ul class="reasons">(.*?)</ul>', chunk, re.S)
        assert block is not None
        reasons = [html.unescape(r) for r in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]
        shown.append((item_id, reasons))
    return shown


def api_results(api: Api, params: dict[str, object], role: str) -> list[tuple[int, list[str]]]:
    """(item id, reasons) of each result the API returns, in order."""
    response = api.client.get("/api/v1/search", params=params, headers=api.as_(role))
    assert response.status_code == 200, response.text
    return [(item["id"], item["reasons"]) for item in response.json()["items"]]


def test_page_and_api_show_the_same_results_in_the_same_order_with_the_same_reasons(
    api: Api,
) -> None:
    add_extra(api)
    cases = [
        ({"q": "面板缺陷检测"}, {"q": "面板缺陷检测"}),
        (
            {"q": "屏幕亮度不均匀 自动检测", "industry": "electronic-info", "trl": 3},
            {"q": "屏幕亮度不均匀 自动检测", "industry": "electronic-info", "trl_min": 3},
        ),
        ({"q": "检测", "region": "eastern"}, {"q": "检测", "region": "eastern"}),
        (
            {"q": "焊点检测", "kind": "need", "park": api.ids["park"]},
            {"q": "焊点检测", "kind": "need", "park_id": api.ids["park"]},
        ),
    ]
    for page_params, api_params in cases:
        on_page = page_results(api, page_params)
        assert on_page, page_params
        assert on_page == api_results(api, api_params, "reader"), page_params
    assert any(r.startswith("共同关键词：") for _, reasons in on_page for r in reasons)


def test_a_pair_the_enterprise_rejected_leaves_both_the_page_and_the_api(api: Api) -> None:
    add_extra(api)
    query = {"q": "面板缺陷检测"}
    login = api.client.post(
        "/login", data={"api_key": api.keys["enterprise"], "next": "/"}, follow_redirects=False
    )
    assert login.status_code == 303
    before = api_results(api, query, "enterprise")
    assert page_results(api, query) == before
    rejected = before[0][0]
    feedback = {
        "track": "tech-transfer",
        "source_kind": "need",
        "source_id": api.ids["own_need"],
        "target_kind": "achievement",
        "target_id": rejected,
        "action": "reject",
        "reason": "wrong_field",
    }
    posted = api.client.post("/api/v1/feedback", json=feedback, headers=api.as_("enterprise"))
    assert posted.status_code == 201, posted.text
    after = api_results(api, query, "enterprise")
    assert rejected not in [item_id for item_id, _ in after]
    assert after == before[1:]
    assert page_results(api, query) == after
    # other callers still see it: the verdict belongs to the enterprise's need
    assert api_results(api, query, "reader")[0][0] == rejected


def test_search_feedback_is_stored_against_the_query_and_can_be_undone(api: Api) -> None:
    add_extra(api)
    h = api.as_("enterprise")
    query = {"q": "面板亮度不均匀 自动检测"}
    first = api.client.get("/api/v1/search", params=query, headers=h).json()["items"][0]
    marked = api.client.post(
        "/api/v1/search/feedback",
        json={"q": query["q"], "item_id": first["id"], "verdict": "not_relevant"},
        headers=h,
    )
    assert marked.status_code == 201, marked.text
    feedback = marked.json()
    assert feedback["query"] == query["q"] and feedback["need_id"] is None  # no need guessed
    again = api.client.get("/api/v1/search", params=query, headers=h).json()
    assert first["id"] not in [item["id"] for item in again["items"]]
    other = api.client.get("/api/v1/search", params={"q": "面板缺陷检测"}, headers=h).json()
    assert first["id"] in [item["id"] for item in other["items"]], "only that query is affected"
    organiser = api.as_("organiser")  # another caller cannot take it back
    assert (
        api.client.delete(
            f"/api/v1/search/feedback/{feedback['id']}", headers=organiser
        ).status_code
        == 404
    )
    undone = api.client.delete(f"/api/v1/search/feedback/{feedback['id']}", headers=h)
    assert undone.status_code == 200 and undone.json()["undone"] is True
    back = api.client.get("/api/v1/search", params=query, headers=h).json()
    assert back["items"][0]["id"] == first["id"]
    bad = api.client.post(
        "/api/v1/search/feedback",
        json={"q": query["q"], "item_id": first["id"], "verdict": "meh"},
        headers=h,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "verdict"
