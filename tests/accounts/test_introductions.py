"""Consented introductions: asked by a member about another organisation's published item,
accepted or declined by that organisation, contacts shown to the two sides only after acceptance,
steps dated in order, requests limited per day and once per open item; e-mails via aiosmtpd."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.accounts import introductions as intro
from matchmaker.accounts import mail, service
from matchmaker.accounts.errors import AccountError
from matchmaker.accounts.models import User
from matchmaker.core.config import Settings
from matchmaker.policy.actor import MEMBER, Actor
from matchmaker.store.models import Need, Organisation, utcnow
from tests.accounts.conftest import SmtpServer


def world(session: Session) -> dict[str, int]:
    """Two firms and a third, each with one member; a published need of the first with contacts."""
    ids: dict[str, int] = {}
    for key, name in (
        ("owner", "需求方测试公司"),
        ("asker", "成果方测试大学"),
        ("third", "旁观测试公司"),
    ):
        org = Organisation(external_id=f"O-{key}", name=name, kind="enterprise", province="广西")
        session.add(org)
        session.flush()
        user = service.sign_up(session, f"{key}@example.cn", f"{key}联系人", "对接测试-密码-2026")
        user.email_verified_at = utcnow()
        user.organisation_id, user.org_role, user.membership = org.id, "member", "active"
        ids[key], ids[f"{key}_user"] = org.id, user.id
    need = Need(
        external_id="N-INTRO",
        title="锂电池极片毛刺检测",
        description="极片分切毛刺在线检测。",
        enterprise_id=ids["owner"],
        contact_name="周工",
        contact_phone="0771-5550199",
        contact_email="zhou@owner.example.cn",
    )
    draft = Need(
        external_id="N-INTRO-D",
        title="草稿需求",
        description="草稿。",
        enterprise_id=ids["owner"],
        status="draft",
    )
    session.add_all([need, draft])
    session.commit()
    ids["need"], ids["draft"] = need.id, draft.id
    return ids


def member(ids: dict[str, int], key: str) -> Actor:
    return Actor(MEMBER, ids[key], f"user:{ids[key + '_user']}")


def test_contacts_show_to_both_sides_only_after_acceptance(
    session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    ids = world(session)
    asker, owner, third = member(ids, "asker"), member(ids, "owner"), member(ids, "third")
    row = intro.request(
        session, asker, "need", ids["need"], "我们有毛刺视觉检测成果", ids["asker_user"]
    )
    for msg, to in intro.notices(session, mail_settings, row):
        assert mail.send(msg, to, mail_settings)
    assert "新的对接请求" in str(smtp.mailbox.to("owner@example.cn")[-1]["Subject"])
    assert smtp.mailbox.to("third@example.cn") == []
    assert (
        intro.contacts(session, asker, row) is None and intro.contacts(session, owner, row) is None
    )
    with pytest.raises(AccountError):  # only the item's organisation answers
        intro.decide(session, asker, row.id, accept=True)
    with pytest.raises(AccountError):
        intro.decide(session, third, row.id, accept=True)

    intro.decide(session, owner, row.id, accept=True)
    for msg, to in intro.notices(session, mail_settings, row):
        mail.send(msg, to, mail_settings)
    assert "已被接受" in str(smtp.mailbox.to("asker@example.cn")[-1]["Subject"])
    seen_by_asker = intro.contacts(session, asker, row)
    assert seen_by_asker is not None and seen_by_asker.phone == "0771-5550199"
    seen_by_owner = intro.contacts(session, owner, row)
    assert seen_by_owner is not None and seen_by_owner.email == "asker@example.cn"
    assert intro.contacts(session, third, row) is None

    with pytest.raises(AccountError):  # a stranger records nothing
        intro.record_step(session, third, row.id, "met")
    intro.record_step(session, asker, row.id, "met")
    intro.record_step(session, owner, row.id, "signed")
    assert row.status == "signed" and row.met_at is not None and row.signed_at is not None
    incoming, outgoing = intro.for_organisation(session, owner)
    assert [r.id for r in incoming] == [row.id] and outgoing == []


def test_bad_requests_are_refused_by_name(session: Session) -> None:
    ids = world(session)
    asker, owner = member(ids, "asker"), member(ids, "owner")
    cases = [
        (asker, "need", ids["draft"], "你好", "target", "未发布"),
        (owner, "need", ids["need"], "你好", "target", "本机构"),
        (asker, "need", ids["need"], "  ", "message", "留言"),
        (asker, "need", ids["need"], "长" * 501, "message", "500"),
        (Actor("person", None, "user:99"), "need", ids["need"], "你好", None, "成员"),
    ]
    for actor, kind, item_id, message, field, words in cases:
        with pytest.raises(AccountError) as refused:
            intro.request(session, actor, kind, item_id, message)
        assert refused.value.field == field and words in refused.value.render(), words
    intro.request(session, asker, "need", ids["need"], "第一次")
    with pytest.raises(AccountError) as again:
        intro.request(session, asker, "need", ids["need"], "第二次")
    assert again.value.status == 409


def test_a_flood_of_requests_is_limited_per_day(session: Session) -> None:
    ids = world(session)
    asker = member(ids, "asker")
    needs = []
    for n in range(intro.DAILY_LIMIT + 1):
        need = Need(
            external_id=f"N-F{n}",
            title=f"需求{n}",
            description="描述。",
            enterprise_id=ids["owner"],
        )
        session.add(need)
        session.flush()
        needs.append(need.id)
    session.commit()
    for need_id in needs[:-1]:
        intro.request(session, asker, "need", need_id, "你好")
    with pytest.raises(AccountError) as flooded:
        intro.request(session, asker, "need", needs[-1], "你好")
    assert flooded.value.status == 429 and "上限" in flooded.value.render()
    assert session.get(User, ids["asker_user"]) is not None


def test_one_account_is_limited_before_its_organisation(session: Session) -> None:
    """A flood from one account stops at the person's daily limit, with a message naming it;
    a colleague of the same organisation may still ask."""
    ids = world(session)
    asker = member(ids, "asker")
    needs = []
    for n in range(intro.PERSON_DAILY_LIMIT + 2):
        need = Need(
            external_id=f"N-P{n}",
            title=f"需求{n}",
            description="描述。",
            enterprise_id=ids["owner"],
        )
        session.add(need)
        session.flush()
        needs.append(need.id)
    session.commit()
    for need_id in needs[: intro.PERSON_DAILY_LIMIT]:
        intro.request(session, asker, "need", need_id, "你好", ids["asker_user"])
    with pytest.raises(AccountError) as flooded:
        intro.request(session, asker, "need", needs[-2], "你好", ids["asker_user"])
    assert flooded.value.status == 429 and "您今日" in flooded.value.render()
    colleague = service.sign_up(session, "colleague@example.cn", "同事", "对接测试-密码-2026")
    colleague.organisation_id, colleague.membership = ids["asker"], "active"
    session.commit()
    intro.request(session, asker, "need", needs[-1], "你好", colleague.id)
