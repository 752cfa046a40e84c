"""Self-service publishing on the pages (in process, real index): a member of an approved
organisation drafts a need (bad values come back named, values kept), submits it; it is not
public until staff of its park publish it; then anonymous search finds it."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.accounts.models import User
from tests.pages.account_site import Site, csrf, grant, log_in, sign_up, site

__all__ = ["site"]  # the module's fixture

NEED = {
    "title": "甘蔗渣纤维模塑餐盒防水涂层",
    "description": "甘蔗渣模塑餐盒遇热汤渗漏，需要不含氟的可降解防水防油涂层工艺。",
    "keywords": "甘蔗渣、模塑、防水涂层",
    "industries": "",
    "coop_modes": "合作开发",
    "budget_min": "20",
    "budget_max": "60",
}


def member_of_new_org(site: Site, founder: TestClient, staff: TestClient) -> None:
    """The founder requests an organisation in 柳州 park and its staff approve it."""
    form = {
        "csrf": csrf(founder, "/account"),
        "name": "柳州测试环保包装有限公司",
        "kind": "enterprise",
        "province": "广西",
        "city": "柳州",
        "park_id": str(site.parks["lz"]),
    }
    assert (
        founder.post("/account/organisation", data=form, follow_redirects=False).status_code == 303
    )
    queue = staff.get("/review").text
    request_id = re.search(r'id="org-request-(\d+)"', queue).group(1)  # type: ignore[union-attr]
    staff.post(
        f"/review/organisations/{request_id}",
        data={"csrf": csrf(staff, "/review"), "decision": "approve"},
    )


def test_a_member_publishes_a_need_through_review_and_it_becomes_searchable(site: Site) -> None:
    founder, staff, other_staff, visitor = (site.client() for _ in range(4))
    sign_up(site, founder, "boss@lzpack.cn", "陈总")
    sign_up(site, staff, "review@lz.gov.cn", "柳州审核")
    sign_up(site, other_staff, "review@bh.gov.cn", "北海审核")
    grant("review@lz.gov.cn", "park_staff", site.parks["lz"])
    grant("review@bh.gov.cn", "park_staff", site.parks["bh"])
    for client, address in (
        (founder, "boss@lzpack.cn"),
        (staff, "review@lz.gov.cn"),
        (other_staff, "review@bh.gov.cn"),
    ):
        log_in(client, address)
    assert founder.get("/my/items").status_code == 403  # not in an organisation yet
    member_of_new_org(site, founder, staff)
    assert "本机构条目" in founder.get("/my/items").text

    token = csrf(founder, "/my/items/new/need")
    bad = founder.post(
        "/my/items/new/need",
        data={**NEED, "title": "", "min_trl": "12", "budget_min": "90", "csrf": token},
    )
    assert bad.status_code == 422
    assert "需求名称：必填字段为空" in bad.text and "最低成熟度" in bad.text
    assert "预算下限 90 大于上限 60" in bad.text
    assert NEED["description"] in bad.text  # what was typed is kept
    assert (
        "/items/need/" not in founder.get("/my/items").text
        and "待审核" not in founder.get("/my/items").text
    )

    saved = founder.post(
        "/my/items/new/need",
        data={**NEED, "csrf": token, "then": "submit"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    mine = founder.get("/my/items").text
    assert NEED["title"] in mine and "待审核" in mine
    need_id = int(re.search(r'id="mine-need-(\d+)"', mine).group(1))  # type: ignore[union-attr]

    search = "/?q=" + quote("甘蔗渣餐盒防水涂层") + "&kind=need"
    assert f"/items/need/{need_id}" not in visitor.get(search).text
    assert visitor.get(f"/items/need/{need_id}").status_code == 404
    assert NEED["title"] not in other_staff.get("/review").text
    assert NEED["title"] in staff.get("/review").text
    refused = other_staff.post(
        f"/review/items/need/{need_id}",
        data={"csrf": csrf(other_staff, "/review"), "decision": "publish"},
    )
    assert refused.status_code == 403

    back = staff.post(
        f"/review/items/need/{need_id}",
        data={"csrf": csrf(staff, "/review"), "decision": "return", "comment": "请写明耐温要求"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    form = founder.get(f"/my/items/need/{need_id}/edit").text
    assert "请写明耐温要求" in form and NEED["description"] in form
    founder.post(
        f"/my/items/need/{need_id}/edit",
        data={
            **NEED,
            "description": NEED["description"] + "需耐受100℃热汤。",
            "csrf": token,
            "then": "submit",
        },
    )
    published = staff.post(
        f"/review/items/need/{need_id}",
        data={"csrf": csrf(staff, "/review"), "decision": "publish"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert f'href="/items/need/{need_id}"' in visitor.get(search).text
    page = visitor.get(f"/items/need/{need_id}")
    assert page.status_code == 200 and "耐受100℃" in page.text


def test_my_matches_lists_recommendations_and_marks_what_is_new(site: Site) -> None:
    from matchmaker.store.db import session_scope
    from matchmaker.store.models import Achievement, Need, Organisation

    member = site.client()
    sign_up(site, member, "li@lzsugar.cn", "李工")
    with session_scope() as s:
        ours = Organisation(
            external_id="ORG-SUGAR",
            name="柳州测试制糖有限公司",
            kind="enterprise",
            province="广西",
            park_id=site.parks["lz"],
        )
        lab = Organisation(
            external_id="U-SH", name="沪上测试大学", kind="university", province="上海"
        )
        s.add_all([ours, lab])
        s.flush()
        user = s.scalars(select(User).where(User.email == "li@lzsugar.cn")).one()
        user.organisation_id, user.org_role, user.membership = ours.id, "member", "active"
        need = Need(
            external_id="N-SUGAR",
            title="蔗糖结晶过程在线粒度检测",
            description="蔗糖煮糖结晶时靠人工取样看晶粒，希望在线测量晶体粒度分布。",
            enterprise_id=ours.id,
            park_id=site.parks["lz"],
            industries=["agri-processing"],
        )
        need.refresh_hash()
        s.add(need)
        s.flush()
        need_id, lab_id = need.id, lab.id
    index = site.app.state.container.index()  # type: ignore[attr-defined]
    with session_scope() as s:
        index.upsert_items(s, "need", [need_id])
    log_in(member, "li@lzsugar.cn")

    first = member.get("/my/matches")
    assert first.status_code == 200 and "蔗糖结晶过程在线粒度检测" in first.text
    assert "技术转移" in first.text and 'class="badge new"' not in first.text

    with session_scope() as s:
        ach = Achievement(
            external_id="A-CRYSTAL",
            title="结晶过程粒度在线图像测量",
            summary="基于显微图像的结晶过程晶体粒度分布在线测量，适用于煮糖、制药结晶。",
            trl=7,
            owner_id=lab_id,
            industries=["agri-processing"],
        )
        ach.refresh_hash()
        s.add(ach)
        s.flush()
        ach_id = ach.id
        index.upsert_items(s, "achievement", [ach_id])
    again = member.get("/my/matches").text
    anchor = f'id="match-{need_id}-tech-transfer-achievement-{ach_id}"'
    assert anchor in again, "the new achievement is recommended for the need"
    card = again.split(anchor, 1)[1].split('<li class="result"', 1)[0]
    assert 'class="badge new"' in card and 'action="/feedback"' in card
    assert 'class="badge new"' not in member.get("/my/matches").text  # seen now


def test_an_uploaded_spreadsheet_shows_every_problem_or_makes_drafts(site: Site) -> None:
    from matchmaker.store.db import session_scope
    from matchmaker.store.models import Organisation

    member = site.client()
    sign_up(site, member, "up@lzsteel.cn", "上传者")
    with session_scope() as s:
        org = Organisation(
            external_id="ORG-STEEL",
            name="柳州测试钢构有限公司",
            kind="enterprise",
            province="广西",
            park_id=site.parks["lz"],
        )
        s.add(org)
        s.flush()
        user = s.scalars(select(User).where(User.email == "up@lzsteel.cn")).one()
        user.organisation_id, user.org_role, user.membership = org.id, "member", "active"
    log_in(member, "up@lzsteel.cn")
    token = csrf(member, "/my/items")
    bad = (
        "需求编号,需求名称,需求描述,最低成熟度\nN-ST-1,钢结构焊缝识别,描述。,10\nN-ST-2,,描述。,5\n"
    )
    failed = member.post(
        "/my/items/imports",
        data={"csrf": token, "kind": "need"},
        files={"file": ("需求.csv", bad.encode("utf-8"), "text/csv")},
    )
    assert failed.status_code == 422
    table = failed.text.split('id="upload-problems"', 1)[1].split("</table>", 1)[0]
    assert (
        "最低成熟度" in table
        and "需求名称" in table
        and "<td>2</td>" in table
        and "<td>3</td>" in table
    )
    assert "钢结构焊缝识别" not in member.get("/my/items").text

    good = bad.replace(",10\n", ",6\n").replace("N-ST-2,,", "N-ST-2,钢构件涂装厚度检测,")
    done = member.post(
        "/my/items/imports",
        data={"csrf": token, "kind": "need"},
        files={"file": ("需求.csv", good.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    mine = member.get("/my/items").text
    assert "钢结构焊缝识别" in mine and "钢构件涂装厚度检测" in mine and mine.count("草稿") >= 2
