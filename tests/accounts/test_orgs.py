"""Organisations of people: requested by the first member, approved by the staff of its park (not
another park's), joined by later members with the organisation admin's approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts import orgs, service
from matchmaker.accounts.errors import AccountError
from matchmaker.accounts.models import User
from matchmaker.core.config import Settings
from matchmaker.policy.actor import MEMBER, ORG_ADMIN, PERSON
from matchmaker.store.models import Organisation, Park, utcnow
from tests.accounts.conftest import SmtpServer

PASSWORD = "柳州螺蛳粉-配方-2026"


def person(session: Session, address: str, role: str = "member", park: int | None = None) -> User:
    """A verified account."""
    user = service.sign_up(session, address, address.split("@")[0], PASSWORD)
    user.email_verified_at, user.role, user.park_id = utcnow(), role, park
    session.commit()
    return user


def parks(session: Session) -> tuple[int, int]:
    """Two parks."""
    a = Park(external_id="P-LZ", name="柳州高新区", level="national", city="柳州")
    b = Park(external_id="P-BH", name="北海高新区", level="national", city="北海")
    session.add_all([a, b])
    session.commit()
    return a.id, b.id


REQUEST = {
    "name": "柳州测试智能装备有限公司",
    "kind": "企业",
    "province": "广西",
    "city": "柳州",
    "description": "汽车零部件自动化产线",
}


def test_staff_of_the_park_approve_a_new_organisation_and_its_requester_becomes_admin(
    session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    lz, bh = parks(session)
    founder = person(session, "founder@example.cn")
    staff = service.actor_of(person(session, "staff@lz.gov.cn", "park_staff", lz))
    other = service.actor_of(person(session, "staff@bh.gov.cn", "park_staff", bh))
    row = orgs.request_organisation(session, founder, {**REQUEST, "park_id": lz})
    assert row.kind == "enterprise" and row.status == "pending"  # 企业 read as the importer does
    assert service.actor_of(founder).role == PERSON

    assert [r.id for r in orgs.pending_requests(session, staff)] == [row.id]
    assert orgs.pending_requests(session, other) == []
    with pytest.raises(AccountError) as refused:
        orgs.decide_request(session, mail_settings, other, row.id, approve=True)
    assert refused.value.status == 403 and row.status == "pending"

    orgs.decide_request(session, mail_settings, staff, row.id, approve=True)
    org = session.get(Organisation, row.organisation_id)
    assert org is not None and org.name == REQUEST["name"] and org.park_id == lz
    actor = service.actor_of(founder)
    assert (actor.role, actor.organisation_id) == (ORG_ADMIN, org.id)
    assert "已批准" in str(smtp.mailbox.to("founder@example.cn")[-1]["Subject"])
    with pytest.raises(AccountError):  # decided once
        orgs.decide_request(session, mail_settings, staff, row.id, approve=False)


def test_a_bad_request_names_the_field_and_files_nothing(session: Session) -> None:
    lz, _ = parks(session)
    founder = person(session, "founder@example.cn")
    for values, field in (
        ({**REQUEST, "kind": "外星机构"}, "kind"),
        ({**REQUEST, "name": ""}, "name"),
        ({**REQUEST, "park_id": 99999}, "park_id"),
    ):
        with pytest.raises(AccountError) as refused:
            orgs.request_organisation(session, founder, values)
        assert refused.value.field == field
    assert (
        orgs.pending_requests(session, service.actor_of(person(session, "a@x.cn", "admin"))) == []
    )


def test_an_unverified_person_cannot_request(session: Session) -> None:
    user = service.sign_up(session, "new@example.cn", "新人", PASSWORD)
    with pytest.raises(AccountError) as refused:
        orgs.request_organisation(session, user, REQUEST)
    assert refused.value.status == 403 and "验证邮箱" in refused.value.render()


def test_a_later_member_joins_when_the_organisation_admin_approves(
    session: Session, mail_settings: Settings
) -> None:
    lz, _ = parks(session)
    founder = person(session, "founder@example.cn")
    admin = service.actor_of(person(session, "root@example.cn", "admin"))
    row = orgs.request_organisation(session, founder, {**REQUEST, "park_id": lz})
    orgs.decide_request(session, mail_settings, admin, row.id, approve=True)
    org_id = row.organisation_id
    assert org_id is not None

    joiner, stranger = person(session, "join@example.cn"), person(session, "x@example.cn")
    orgs.request_join(session, joiner, org_id)
    assert service.actor_of(joiner).role == PERSON  # pending
    with pytest.raises(AccountError):
        orgs.request_join(session, joiner, org_id)  # already asked
    boss = service.actor_of(founder)
    assert [u.id for u in orgs.pending_members(session, boss, org_id)] == [joiner.id]
    assert orgs.pending_members(session, service.actor_of(stranger), org_id) == []
    with pytest.raises(AccountError) as refused:
        orgs.decide_member(session, service.actor_of(stranger), joiner.id, approve=True)
    assert refused.value.status == 403

    orgs.decide_member(session, boss, joiner.id, approve=True)
    actor = service.actor_of(joiner)
    assert (actor.role, actor.organisation_id) == (MEMBER, org_id)
    assert [u.email for u in orgs.members(session, org_id)] == [
        "founder@example.cn",
        "join@example.cn",
    ]

    orgs.request_join(session, stranger, org_id)
    orgs.decide_member(session, boss, stranger.id, approve=False)
    refreshed = session.scalars(select(User).where(User.id == stranger.id)).one()
    assert refreshed.organisation_id is None and service.actor_of(refreshed).role == PERSON
