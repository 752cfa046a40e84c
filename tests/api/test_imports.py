"""Uploads follow the CLI's rules: all or nothing, per-row errors, re-import without duplicates."""

from __future__ import annotations

from tests.api.conftest import Api

GOOD = "成果编号,成果名称,成果简介,成熟度,成果单位\nA-up1,光伏组件热斑检测,红外成像识别热斑，准确率97%。,6,U1\n"
BAD = GOOD + "A-up2,,缺少名称,12,不存在单位\n"


def test_upload_imports_and_reimport_creates_no_duplicates(api: Api) -> None:
    h = api.as_("organiser")
    files = {"file": ("成果.csv", GOOD.encode("gbk"), "text/csv")}
    r = api.client.post("/api/v1/imports/achievements", files=files, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    again = api.client.post("/api/v1/imports/achievements", files=files, headers=h).json()
    assert again["created"] == 0 and again["unchanged"] == 1
    assert api.client.get("/api/v1/achievements", headers=h).json()["total"] == 2


def test_bad_upload_changes_nothing_and_lists_rows(api: Api) -> None:
    h = api.as_("admin")
    r = api.client.post(
        "/api/v1/imports/achievements",
        files={"file": ("a.csv", BAD.encode(), "text/csv")},
        headers=h,
    )
    assert r.status_code == 422
    rows = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert {(3, "成果名称"), (3, "成熟度"), (3, "成果单位")} <= rows
    assert api.client.get("/api/v1/achievements", headers=h).json()["total"] == 1
    partial = api.client.post(
        "/api/v1/imports/achievements?skip_invalid=true",
        files={"file": ("a.csv", BAD.encode(), "text/csv")},
        headers=h,
    )
    assert partial.json()["created"] == 1 and partial.json()["skipped_rows"] == [3]


def test_uploads_need_an_organiser_and_a_known_format(api: Api) -> None:
    files = {"file": ("a.csv", GOOD.encode(), "text/csv")}
    assert (
        api.client.post(
            "/api/v1/imports/achievements", files=files, headers=api.as_("enterprise")
        ).status_code
        == 403
    )
    assert (
        api.client.post(
            "/api/v1/imports/achievements", files=files, headers=api.as_("reader")
        ).status_code
        == 403
    )
    r = api.client.post(
        "/api/v1/imports/achievements",
        files={"file": ("a.pdf", b"%PDF", "application/pdf")},
        headers=api.as_("admin"),
    )
    assert r.status_code == 422 and "不支持" in r.json()["detail"]
    assert (
        api.client.post(
            "/api/v1/imports/widgets", files=files, headers=api.as_("admin")
        ).status_code
        == 404
    )
