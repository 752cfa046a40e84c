"""Account pages in process (no browser), with e-mails through a real SMTP server (aiosmtpd):
sign-up → verify → login, bad and duplicate sign-ups, tampered and reused links, the per-account
login limit, password reset, sign-out everywhere, organisation request → staff approval → join."""

from __future__ import annotations

import re

from sqlalchemy import select

from matchmaker.store.models import Organisation
from tests.pages.account_site import PASSWORD, Site, csrf, grant, log_in, sign_up, site

__all__ = ["site"]  # the module's fixture


def test_sign_up_verify_and_log_in(site: Site) -> None:
    browser = site.client()
    sign_up(site, browser, "Han@Example.cn", "韩梅梅")
    mail = site.mailbox.to("han@example.cn")[-1]
    assert "验证" in str(mail["Subject"]) and "noreply" not in str(mail["To"])
    page = browser.get("/account")
    assert page.status_code == 401 or "/login" in str(page.url)  # verified, not yet logged in
    log_in(browser, "han@example.cn")
    cookie = browser.cookies.get("mm_session")
    assert cookie and PASSWORD not in cookie and "han@" not in cookie
    account = browser.get("/account")
    assert (
        account.status_code == 200 and "韩梅梅" in account.text and "尚未加入机构" in account.text
    )


def test_bad_and_duplicate_sign_ups_name_the_field_and_keep_the_values(site: Site) -> None:
    browser = site.client()
    sign_up(site, browser, "dup@example.cn")
    form = {
        "email": "DUP@example.cn",
        "name": "重复者",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    again = browser.post("/signup", data=form)
    assert again.status_code == 409 and "该邮箱已注册" in again.text
    assert 'value="重复者"' in again.text and PASSWORD not in again.text
    differ = browser.post("/signup", data={**form, "email": "new@example.cn", "password2": "x"})
    assert differ.status_code == 400 and "两次输入的密码不一致" in differ.text
    assert 'id="password2" name="password2"' in differ.text and 'aria-invalid="true"' in differ.text
    assert site.mailbox.to("new@example.cn") == []


def test_tampered_and_reused_links_get_a_clear_page(site: Site) -> None:
    browser = site.client()
    browser.post(
        "/signup",
        data={"email": "t@example.cn", "name": "测试", "password": PASSWORD, "password2": PASSWORD},
    )
    link = site.path("t@example.cn", "/account/verify")
    tampered = browser.get(link[:-3] + ("abc" if not link.endswith("abc") else "xyz"))
    assert tampered.status_code == 400 and "链接无效" in tampered.text
    assert 'action="/account/verify/resend"' in tampered.text
    assert browser.get("/account/verify?token=").status_code == 400
    assert browser.get(link).status_code == 200
    reused = browser.get(link)
    assert reused.status_code == 410 and "已经验证过" in reused.text


def test_an_unverified_account_is_told_to_verify(site: Site) -> None:
    browser = site.client()
    form = {"email": "u@example.cn", "name": "未验证", "password": PASSWORD, "password2": PASSWORD}
    browser.post("/signup", data=form)
    refused = browser.post("/login", data={"email": "u@example.cn", "password": PASSWORD})
    assert refused.status_code == 403 and "尚未验证" in refused.text


def test_failed_logins_lock_the_account_with_a_clear_message(site: Site) -> None:
    browser = site.client()
    sign_up(site, browser, "lock@example.cn")
    for _ in range(5):
        wrong = browser.post(
            "/login", data={"email": "lock@example.cn", "password": "错误的密码123"}
        )
        assert wrong.status_code == 401 and "邮箱或密码不正确" in wrong.text
    locked = browser.post("/login", data={"email": "lock@example.cn", "password": PASSWORD})
    assert locked.status_code == 429 and "该账号登录失败次数过多" in locked.text
    assert int(locked.headers["Retry-After"]) > 0
    other = site.client()
    sign_up(site, other, "free@example.cn")
    log_in(other, "free@example.cn")  # another account from the same address still logs in


def test_password_reset_by_email_signs_out_everywhere(site: Site) -> None:
    first, second = site.client(), site.client()
    sign_up(site, first, "reset@example.cn")
    log_in(first, "reset@example.cn")
    assert first.get("/account").status_code == 200
    asked = second.post("/account/forgot", data={"email": "reset@example.cn"})
    unknown = second.post("/account/forgot", data={"email": "nobody@example.cn"})
    assert asked.text.count("如果该邮箱已注册") == unknown.text.count("如果该邮箱已注册") == 1
    link = site.path("reset@example.cn", "/account/reset")
    assert "设置新密码" in second.get(link).text
    token = link.split("token=", 1)[1]
    short = second.post(
        "/account/reset", data={"token": token, "password": "短", "password2": "短"}
    )
    assert short.status_code == 400 and "10–200" in short.text
    new = "新的密码-青秀山-2027"
    done = second.post(
        "/account/reset",
        data={"token": token, "password": new, "password2": new},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert "/login" in str(first.get("/account").url)  # the old session is over
    reused = second.get(link)
    assert reused.status_code == 410 and "已使用过" in reused.text
    log_in(second, "reset@example.cn", new)


def test_sign_out_everywhere_ends_every_session(site: Site) -> None:
    laptop, phone = site.client(), site.client()
    sign_up(site, laptop, "two@example.cn")
    log_in(laptop, "two@example.cn")
    log_in(phone, "two@example.cn")
    token = csrf(laptop, "/account")
    answer = laptop.post(
        "/account/signout-everywhere", data={"csrf": token}, follow_redirects=False
    )
    assert answer.status_code == 303
    for device in (laptop, phone):
        assert "/login" in str(device.get("/account").url)


def test_organisation_request_approved_by_its_parks_staff_then_a_member_joins(
    site: Site,
) -> None:
    founder, staff, other_staff, joiner = (site.client() for _ in range(4))
    sign_up(site, founder, "boss@lzauto.cn", "王总")
    sign_up(site, staff, "staff@lz.gov.cn", "柳州园区")
    sign_up(site, other_staff, "staff@bh.gov.cn", "北海园区")
    sign_up(site, joiner, "eng@lzauto.cn", "张工")
    grant("staff@lz.gov.cn", "park_staff", site.parks["lz"])
    grant("staff@bh.gov.cn", "park_staff", site.parks["bh"])
    for client, address in (
        (founder, "boss@lzauto.cn"),
        (staff, "staff@lz.gov.cn"),
        (other_staff, "staff@bh.gov.cn"),
        (joiner, "eng@lzauto.cn"),
    ):
        log_in(client, address)

    form = {
        "csrf": csrf(founder, "/account"),
        "name": "柳州测试汽车电子有限公司",
        "kind": "enterprise",
        "province": "广西",
        "city": "柳州",
        "park_id": str(site.parks["lz"]),
        "description": "",
    }
    bad = founder.post("/account/organisation", data={**form, "kind": "外星机构"})
    assert (
        bad.status_code == 400
        and "kind" in bad.text
        and 'value="柳州测试汽车电子有限公司"' in bad.text
    )
    sent = founder.post("/account/organisation", data=form, follow_redirects=False)
    assert sent.status_code == 303
    assert "等待园区工作人员审批" in founder.get("/account").text

    assert "柳州测试汽车电子有限公司" not in other_staff.get("/review").text
    queue = staff.get("/review")
    assert "柳州测试汽车电子有限公司" in queue.text and "boss@lzauto.cn" in queue.text
    request_id = int(re.search(r'id="org-request-(\d+)"', queue.text).group(1))  # type: ignore[union-attr]
    refused = other_staff.post(
        f"/review/organisations/{request_id}",
        data={"csrf": csrf(other_staff, "/review"), "decision": "approve"},
    )
    assert refused.status_code == 403
    approved = staff.post(
        f"/review/organisations/{request_id}",
        data={"csrf": csrf(staff, "/review"), "decision": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert "已批准" in str(site.mailbox.to("boss@lzauto.cn")[-1]["Subject"])
    mine = founder.get("/account").text
    assert "机构管理员" in mine and "柳州测试汽车电子有限公司" in mine

    from matchmaker.store.db import session_scope

    with session_scope() as s:
        org_id = s.scalars(
            select(Organisation.id).where(Organisation.name == "柳州测试汽车电子有限公司")
        ).one()
    joined = joiner.post(
        "/account/join",
        data={"csrf": csrf(joiner, "/account"), "organisation_id": str(org_id)},
        follow_redirects=False,
    )
    assert joined.status_code == 303 and "等待该机构管理员审批" in joiner.get("/account").text
    waiting = founder.get("/account").text
    assert "eng@lzauto.cn" in waiting
    person_id = int(re.search(r'action="/account/members/(\d+)"', waiting).group(1))  # type: ignore[union-attr]
    founder.post(
        f"/account/members/{person_id}",
        data={"csrf": csrf(founder, "/account"), "decision": "approve"},
    )
    assert "机构成员" in joiner.get("/account").text


def test_a_flood_of_sign_ups_from_one_address_is_limited(site: Site) -> None:
    answers = []
    for n in range(6):
        browser = site.client("192.0.2.7")
        form = {"email": f"flood{n}@example.cn", "name": "灌水", "password": PASSWORD}
        answers.append(browser.post("/signup", data={**form, "password2": PASSWORD}))
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert "注册请求过于频繁" in answers[-1].text and site.mailbox.to("flood5@example.cn") == []


def test_forms_need_the_session_token(site: Site) -> None:
    browser = site.client()
    sign_up(site, browser, "csrf@example.cn")
    log_in(browser, "csrf@example.cn")
    forged = browser.post("/account/signout-everywhere", data={"csrf": "forged"})
    assert forged.status_code == 400
    assert browser.get("/account").status_code == 200  # still signed in


def test_a_person_downloads_and_deletes_their_data_and_the_organisation_stays(
    site: Site,
) -> None:
    from matchmaker.accounts.models import User
    from matchmaker.store.db import session_scope
    from matchmaker.store.models import Need

    boss, staff, engineer = site.client(), site.client(), site.client()
    sign_up(site, boss, "boss@bhfish.cn", "渔业老板")
    sign_up(site, staff, "staff2@bh.gov.cn", "北海园区二")
    sign_up(site, engineer, "eng@bhfish.cn", "渔业工程师")
    grant("staff2@bh.gov.cn", "park_staff", site.parks["bh"])
    for client, address in (
        (boss, "boss@bhfish.cn"),
        (staff, "staff2@bh.gov.cn"),
        (engineer, "eng@bhfish.cn"),
    ):
        log_in(client, address)
    boss.post(
        "/account/organisation",
        data={
            "csrf": csrf(boss, "/account"),
            "name": "北海测试水产有限公司",
            "kind": "enterprise",
            "province": "广西",
            "park_id": str(site.parks["bh"]),
        },
    )
    queue = staff.get("/review").text
    request_id = re.search(r'id="org-request-(\d+)"', queue).group(1)  # type: ignore[union-attr]
    staff.post(
        f"/review/organisations/{request_id}",
        data={"csrf": csrf(staff, "/review"), "decision": "approve"},
    )
    with session_scope() as s:
        org_id = s.scalars(
            select(Organisation.id).where(Organisation.name == "北海测试水产有限公司")
        ).one()
        s.add(
            Need(
                external_id="N-FISH",
                title="对虾养殖水质预警",
                description="溶氧预警。",
                enterprise_id=org_id,
            )
        )
    engineer.post(
        "/account/join", data={"csrf": csrf(engineer, "/account"), "organisation_id": str(org_id)}
    )
    person_id = re.search(r'action="/account/members/(\d+)"', boss.get("/account").text).group(1)  # type: ignore[union-attr]
    boss.post(
        f"/account/members/{person_id}",
        data={"csrf": csrf(boss, "/account"), "decision": "approve"},
    )

    data = boss.get("/account/data")
    assert data.headers["content-disposition"].startswith("attachment")
    exported = data.json()
    assert exported["account"]["email"] == "boss@bhfish.cn"
    assert [r["name"] for r in exported["organisation_requests"]] == ["北海测试水产有限公司"]
    assert "password" not in data.text and "argon2" not in data.text

    wrong = boss.post(
        "/account/delete", data={"csrf": csrf(boss, "/account"), "password": "不是这个密码123"}
    )
    assert wrong.status_code == 403 and "密码不正确" in wrong.text
    gone = boss.post(
        "/account/delete",
        data={"csrf": csrf(boss, "/account"), "password": PASSWORD},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and "/login" in str(boss.get("/account").url)
    refused = boss.post("/login", data={"email": "boss@bhfish.cn", "password": PASSWORD})
    assert refused.status_code == 401
    with session_scope() as s:
        assert s.scalars(select(User).where(User.email == "boss@bhfish.cn")).first() is None
        assert (
            s.scalars(select(Need).where(Need.external_id == "N-FISH")).one().enterprise_id
            == org_id
        )
    assert "机构管理员" in engineer.get("/account").text  # the organisation keeps an admin


def test_an_organisation_admin_invites_by_email_and_the_invitee_joins(site: Site) -> None:
    from matchmaker.accounts.models import User
    from matchmaker.store.db import session_scope

    admin, stranger, invitee = site.client(), site.client(), site.client()
    sign_up(site, admin, "head@gxlab.cn", "实验室主任")
    sign_up(site, stranger, "other@gxlab.cn", "他人")
    with session_scope() as s:
        org = Organisation(
            external_id="ORG-LAB", name="广西测试实验室", kind="research_institute", province="广西"
        )
        s.add(org)
        s.flush()
        head = s.scalars(select(User).where(User.email == "head@gxlab.cn")).one()
        head.organisation_id, head.org_role, head.membership = org.id, "admin", "active"
    log_in(admin, "head@gxlab.cn")
    log_in(stranger, "other@gxlab.cn")
    bad = admin.post("/account/invite", data={"csrf": csrf(admin, "/account"), "email": "不是邮箱"})
    assert bad.status_code == 400 and "邮箱地址无效" in bad.text
    sent = admin.post(
        "/account/invite",
        data={"csrf": csrf(admin, "/account"), "email": "New@GXlab.cn"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "邀请" in str(site.mailbox.to("new@gxlab.cn")[-1]["Subject"])
    link = site.path("new@gxlab.cn", "/account/invite")
    assert (
        stranger.post(
            "/account/invite", data={"csrf": csrf(stranger, "/account"), "email": "x@gxlab.cn"}
        ).status_code
        == 403
    )  # only an organisation admin invites
    wrong = stranger.get(link)
    assert wrong.status_code == 403 and "另一个邮箱" in wrong.text

    assert "/login" in str(invitee.get(link).url)  # log in (or sign up) first
    sign_up(site, invitee, "new@gxlab.cn", "新成员")
    log_in(invitee, "new@gxlab.cn")
    joined = invitee.get(link, follow_redirects=False)
    assert joined.status_code == 303
    mine = invitee.get("/account").text
    assert "广西测试实验室" in mine and "机构成员" in mine
    again = invitee.get(link)
    assert again.status_code == 410
