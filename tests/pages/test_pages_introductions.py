"""Introductions on the pages (in process, e-mails through aiosmtpd): a member of one firm asks
about another firm's published need from its item page; the owner accepts on its introductions
page; then, and only then, each side sees the other's contact, and nobody else does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.accounts.models import User
from matchmaker.store.db import session_scope
from matchmaker.store.models import Need, Organisation
from tests.pages.account_site import Site, csrf, log_in, sign_up, site

__all__ = ["site"]  # the module's fixture

PHONE = "0772-5550777"


def firm_member(site: Site, key: str) -> tuple[TestClient, int]:
    """A logged-in member of a new firm of its own."""
    client = site.client()
    sign_up(site, client, f"{key}@intro.example.cn", f"{key}经理")
    with session_scope() as s:
        org = Organisation(
            external_id=f"ORG-{key}", name=f"{key}测试公司", kind="enterprise", province="广西"
        )
        s.add(org)
        s.flush()
        user = s.scalars(select(User).where(User.email == f"{key}@intro.example.cn")).one()
        user.organisation_id, user.org_role, user.membership = org.id, "admin", "active"
        org_id = org.id
    log_in(client, f"{key}@intro.example.cn")
    return client, org_id


def test_contacts_are_shared_after_acceptance_and_with_no_one_else(site: Site) -> None:
    owner, owner_org = firm_member(site, "owner")
    asker, _ = firm_member(site, "asker")
    third, _ = firm_member(site, "third")
    visitor = site.client()
    with session_scope() as s:
        need = Need(
            external_id="N-PAGE-INTRO",
            title="糖厂蒸发罐结垢在线监测",
            description="蒸发罐结垢影响传热，希望在线监测结垢厚度。",
            enterprise_id=owner_org,
            contact_name="黄工",
            contact_phone=PHONE,
        )
        need.refresh_hash()
        s.add(need)
        s.flush()
        need_id = need.id
    page = f"/items/need/{need_id}"
    assert 'id="ask-intro"' in asker.get(page).text
    assert 'id="ask-intro"' not in owner.get(page).text  # its own need
    assert 'id="ask-intro"' not in visitor.get(page).text
    for client in (asker, third, visitor):
        assert PHONE not in client.get(page).text

    empty = asker.post(
        "/introductions",
        data={
            "csrf": csrf(asker, page),
            "target_kind": "need",
            "target_id": str(need_id),
            "message": " ",
        },
    )
    assert "留言" in empty.text and "待回复" not in asker.get("/my/introductions").text
    sent = asker.post(
        "/introductions",
        data={
            "csrf": csrf(asker, page),
            "target_kind": "need",
            "target_id": str(need_id),
            "message": "我们做过换热器结垢的超声监测，希望交流。",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == page
    assert "新的对接请求" in str(site.mailbox.to("owner@intro.example.cn")[-1]["Subject"])
    inbox = owner.get("/my/introductions").text
    assert (
        "超声监测" in inbox
        and "待回复" in inbox
        and PHONE not in asker.get("/my/introductions").text
    )
    intro_id = re.search(r'action="/introductions/(\d+)/accept"', inbox).group(1)  # type: ignore[union-attr]
    assert (
        third.post(
            f"/introductions/{intro_id}/accept", data={"csrf": csrf(third, "/my/introductions")}
        ).status_code
        == 404
    )

    owner.post(f"/introductions/{intro_id}/accept", data={"csrf": csrf(owner, "/my/introductions")})
    assert "已被接受" in str(site.mailbox.to("asker@intro.example.cn")[-1]["Subject"])
    assert PHONE in asker.get("/my/introductions").text
    assert "asker@intro.example.cn" in owner.get("/my/introductions").text
    assert PHONE not in third.get("/my/introductions").text
    for client in (asker, third, visitor):
        assert PHONE not in client.get(page).text  # the item page itself still hides it
    asker.post(f"/introductions/{intro_id}/met", data={"csrf": csrf(asker, "/my/introductions")})
    assert "已见面" in owner.get("/my/introductions").text


def test_park_staff_see_and_nudge_unanswered_requests_of_their_park(site: Site) -> None:
    from tests.pages.account_site import grant

    owner, owner_org = firm_member(site, "parkowner")
    asker, _ = firm_member(site, "parkasker")
    staff, other = site.client(), site.client()
    sign_up(site, staff, "nudge@lz.gov.cn", "柳州提醒")
    sign_up(site, other, "nudge@bh.gov.cn", "北海提醒")
    grant("nudge@lz.gov.cn", "park_staff", site.parks["lz"])
    grant("nudge@bh.gov.cn", "park_staff", site.parks["bh"])
    log_in(staff, "nudge@lz.gov.cn")
    log_in(other, "nudge@bh.gov.cn")
    with session_scope() as s:
        s.get(Organisation, owner_org).park_id = site.parks["lz"]  # type: ignore[union-attr]
        need = Need(
            external_id="N-NUDGE",
            title="螺蛳粉汤料杀菌工艺",
            description="汤料包杀菌后风味损失。",
            enterprise_id=owner_org,
        )
        need.refresh_hash()
        s.add(need)
        s.flush()
        need_id = need.id
    asker.post(
        "/introductions",
        data={
            "csrf": csrf(asker, f"/items/need/{need_id}"),
            "target_kind": "need",
            "target_id": str(need_id),
            "message": "我们有低温杀菌技术。",
        },
    )
    before = len(site.mailbox.to("parkowner@intro.example.cn"))
    queue = staff.get("/review").text
    assert "螺蛳粉汤料杀菌工艺" in queue and "螺蛳粉汤料杀菌工艺" not in other.get("/review").text
    intro_id = re.search(r'id="review-intro-(\d+)"', queue).group(1)  # type: ignore[union-attr]
    refused = other.post(
        f"/review/introductions/{intro_id}/nudge", data={"csrf": csrf(other, "/review")}
    )
    assert refused.status_code == 403
    nudged = staff.post(
        f"/review/introductions/{intro_id}/nudge",
        data={"csrf": csrf(staff, "/review")},
        follow_redirects=False,
    )
    assert nudged.status_code == 303
    assert len(site.mailbox.to("parkowner@intro.example.cn")) == before + 1
    assert owner.get("/my/introductions").status_code == 200


def funnel_row(html: str, stage: str) -> list[str]:
    """The cells of one stage's row in the park page's funnel numbers."""
    table = re.search(r'<table class="numbers" id="numbers-funnel">(.*?)</table>', html, re.S)
    assert table is not None, "no funnel numbers on the page"
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == stage:
            return cells[1:]
    raise AssertionError(f"no {stage} row")


def test_an_introduction_for_our_result_is_counted_in_the_parks_funnel(site: Site) -> None:
    """A university asks on behalf of its published result (the form names the field when none is
    chosen and keeps the message); each step then shows in 柳州 park's funnel for its staff."""
    from matchmaker.store.models import Achievement
    from tests.pages.account_site import grant

    owner, owner_org = firm_member(site, "funnelowner")
    asker, asker_org = firm_member(site, "funnelasker")
    staff = site.client()
    sign_up(site, staff, "funnel@lz.gov.cn", "柳州统计")
    grant("funnel@lz.gov.cn", "park_staff", site.parks["lz"])
    log_in(staff, "funnel@lz.gov.cn")
    with session_scope() as s:
        need = Need(
            external_id="N-FUNNEL",
            title="变速箱齿轮噪声诊断",
            description="齿轮啸叫噪声在下线检测中难以定位。",
            enterprise_id=owner_org,
            park_id=site.parks["lz"],
        )
        result = Achievement(
            external_id="A-FUNNEL",
            title="齿轮振动噪声智能诊断系统",
            summary="基于振动信号的齿轮故障与噪声源诊断。",
            trl=6,
            owner_id=asker_org,
        )
        for item in (need, result):
            item.refresh_hash()
            s.add(item)
        s.flush()
        need_id, result_id = need.id, result.id
    page = f"/items/need/{need_id}"
    before = funnel_row(staff.get(f"/stats/parks/{site.parks['lz']}").text, "已签约")[0]

    index = site.app.state.container.index()  # type: ignore[attr-defined]
    with session_scope() as s:
        index.upsert_items(s, "need", [need_id])
        index.upsert_items(s, "achievement", [result_id])
    matches = asker.get("/my/matches").text  # the need is recommended for the result
    link = re.search(
        rf'href="(/items/need/{need_id}\?from=achievement:{result_id}[^"#]*)#ask-intro"', matches
    )
    assert link is not None, "the recommendation links to the introduction form"
    form = asker.get(link.group(1).replace("&amp;", "&")).text
    assert f'<option value="achievement:{result_id}" selected>' in form
    unnamed = asker.post(
        "/introductions",
        data={
            "csrf": csrf(asker, page),
            "target_kind": "need",
            "target_id": str(need_id),
            "message": "我们的齿轮噪声诊断系统可以帮忙。",
        },
    )
    assert unnamed.status_code == 400
    assert 'id="intro-source" name="source" required aria-invalid="true"' in unnamed.text
    assert "哪一项" in unnamed.text and "我们的齿轮噪声诊断系统可以帮忙。" in unnamed.text
    sent = asker.post(
        "/introductions",
        data={
            "csrf": csrf(asker, page),
            "target_kind": "need",
            "target_id": str(need_id),
            "source": f"achievement:{result_id}",
            "track": "tech-transfer",
            "message": "我们的齿轮噪声诊断系统可以帮忙。",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    inbox = owner.get("/my/introductions").text
    assert "对方条目：齿轮振动噪声智能诊断系统" in inbox
    intro_id = re.search(r'action="/introductions/(\d+)/accept"', inbox).group(1)  # type: ignore[union-attr]
    owner.post(f"/introductions/{intro_id}/accept", data={"csrf": csrf(owner, "/my/introductions")})
    asker.post(f"/introductions/{intro_id}/met", data={"csrf": csrf(asker, "/my/introductions")})
    owner.post(f"/introductions/{intro_id}/signed", data={"csrf": csrf(owner, "/my/introductions")})
    assert "已签约" in asker.get("/my/introductions").text

    stats = staff.get(f"/stats/parks/{site.parks['lz']}").text
    assert int(funnel_row(stats, "已签约")[0]) == int(before) + 1
    assert int(funnel_row(stats, "已洽谈")[0]) >= 1


def test_contacts_stay_out_of_search_recommendations_and_data_downloads(site: Site) -> None:
    """Before any introduction, a need's contact phone and e-mail appear in none of what another
    firm's member, park staff or a visitor reads: search results (page and API), the member's
    recommendations (My matches, its own item's page) and its data download."""
    from matchmaker.store.models import Achievement
    from tests.pages.account_site import grant

    phone, mail = "0771-5550456", "hidden.contact@privacy.example.cn"
    _, owner_org = firm_member(site, "privowner")
    asker, asker_org = firm_member(site, "privasker")
    staff, visitor = site.client(), site.client()
    sign_up(site, staff, "privacy@lz.gov.cn", "柳州隐私")
    grant("privacy@lz.gov.cn", "park_staff", site.parks["lz"])
    log_in(staff, "privacy@lz.gov.cn")
    with session_scope() as s:
        need = Need(
            external_id="N-PRIVACY",
            title="甘蔗收获机切割器磨损监测",
            description="甘蔗收获机切割刀片磨损快，希望在线监测磨损程度并预测更换时间。",
            enterprise_id=owner_org,
            park_id=site.parks["lz"],
            contact_name="韦工",
            contact_phone=phone,
            contact_email=mail,
        )
        result = Achievement(
            external_id="A-PRIVACY",
            title="刀具磨损在线监测与寿命预测",
            summary="基于振动与电流信号的切割刀具磨损在线监测和剩余寿命预测。",
            trl=6,
            owner_id=asker_org,
        )
        for item in (need, result):
            item.refresh_hash()
            s.add(item)
        s.flush()
        need_id, result_id = need.id, result.id
    index = site.app.state.container.index()  # type: ignore[attr-defined]
    with session_scope() as s:
        index.upsert_items(s, "need", [need_id])
        index.upsert_items(s, "achievement", [result_id])

    from urllib.parse import quote

    query = "/?kind=need&q=" + quote("甘蔗收获机切割器磨损")
    outputs = {
        "search page (visitor)": visitor.get(query).text,
        "search page (member)": asker.get(query).text,
        "search page (staff)": staff.get(query).text,
        "search API (member)": asker.get(f"/api/v1/search?q={quote('甘蔗收获机')}&kind=need").text,
        "need API (member)": asker.get(f"/api/v1/needs/{need_id}").text,
        "need API (staff)": staff.get(f"/api/v1/needs/{need_id}").text,
        "my matches": asker.get("/my/matches").text,
        "own item's recommendations": asker.get(f"/items/achievement/{result_id}").text,
        "data download": asker.get("/account/data").text,
    }
    found = f"/items/need/{need_id}"
    assert found in outputs["search page (visitor)"] and found in outputs["search page (staff)"]
    assert found in outputs["my matches"], "the need is recommended to the member's result"
    assert "N-PRIVACY" in outputs["search API (member)"]
    for where, text in outputs.items():
        assert phone not in text and mail not in text, where
