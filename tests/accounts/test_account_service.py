"""Sign-up, e-mail verification through a real SMTP server, Argon2 login, password reset and
signing out everywhere, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.accounts import service, tokens
from matchmaker.accounts.errors import AccountError, LinkError
from matchmaker.accounts.models import User
from matchmaker.core.config import Settings
from matchmaker.policy.actor import ADMIN, MEMBER, ORG_ADMIN, PARK_STAFF, PERSON
from tests.accounts.conftest import PUBLIC_URL, SmtpServer

PASSWORD = "绿城南宁-2026-春天"


def token_of(url: str) -> str:
    """The token query value of an e-mailed link."""
    return url.split("token=", 1)[1]


def signed_up(session: Session, settings: Settings, address: str = "li@example.cn") -> User:
    """A new account whose verification mail went out."""
    user = service.sign_up(session, address, "李雷", PASSWORD)
    assert service.send_verification(settings, user)
    return user


def test_sign_up_mails_a_link_that_verifies_once(
    session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    user = signed_up(session, mail_settings, "Li@Example.CN")
    assert user.email == "li@example.cn" and not user.verified
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    messages = smtp.mailbox.to("li@example.cn")
    assert len(messages) == 1 and "验证" in str(messages[0]["Subject"])
    url = smtp.mailbox.link("li@example.cn", service.VERIFY_PATH)
    assert url.startswith(PUBLIC_URL + "/account/verify?token=")

    with pytest.raises(AccountError) as unverified:
        service.authenticate(session, "li@example.cn", PASSWORD)
    assert unverified.value.status == 403 and "验证" in unverified.value.render()

    assert service.verify_email(session, mail_settings, token_of(url)).verified
    with pytest.raises(LinkError) as again:
        service.verify_email(session, mail_settings, token_of(url))
    assert again.value.status == 410 and "已经验证" in again.value.render()
    found = service.authenticate(session, "LI@example.cn ", PASSWORD)
    assert found is not None and found.id == user.id and found.last_login_at is not None


def test_tampered_and_foreign_tokens_are_refused(
    session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    user = signed_up(session, mail_settings)
    token = token_of(smtp.mailbox.link(user.email, service.VERIFY_PATH))
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage", ""):
        with pytest.raises(LinkError) as refused:
            service.verify_email(session, mail_settings, bad)
        assert refused.value.status == 400 and "无效" in refused.value.render()
    forged = tokens.make_token("another-secret", tokens.VERIFY, user.id, user.email)
    with pytest.raises(LinkError):
        service.verify_email(session, mail_settings, forged)
    reset_kind = tokens.make_token(mail_settings.secret_key, tokens.RESET, user.id, user.email)
    with pytest.raises(LinkError):  # a reset token is no verification token
        service.verify_email(session, mail_settings, reset_kind)
    assert not session.get(User, user.id).verified  # type: ignore[union-attr]


def test_bad_sign_ups_name_the_field_and_store_nothing(
    session: Session, mail_settings: Settings
) -> None:
    signed_up(session, mail_settings)
    cases = [
        ("LI@example.cn", "韩梅梅", PASSWORD, "email", "已注册"),
        ("not-an-address", "韩梅梅", PASSWORD, "email", "邮箱地址无效"),
        ("han@example.cn", "", PASSWORD, "name", "姓名"),
        ("han@example.cn", "韩梅梅", "short", "password", "10–200"),
        ("han@example.cn", "韩梅梅", "aaaaaaaaaaaa", "password", "过于简单"),
    ]
    for address, name, password, field, words in cases:
        with pytest.raises(AccountError) as refused:
            service.sign_up(session, address, name, password)
        assert refused.value.field == field and words in refused.value.render(), address
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_wrong_password_or_unknown_address_logs_nobody_in(
    session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    user = signed_up(session, mail_settings)
    service.verify_email(
        session, mail_settings, token_of(smtp.mailbox.link(user.email, service.VERIFY_PATH))
    )
    assert service.authenticate(session, user.email, PASSWORD + "x") is None
    assert service.authenticate(session, "nobody@example.cn", PASSWORD) is None
    assert service.authenticate(session, "not an address", PASSWORD) is None


def test_reset_link_sets_a_new_password_once_and_ends_every_session(
    session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    user = signed_up(session, mail_settings)
    generation = user.session_generation
    assert service.send_reset(session, mail_settings, "LI@example.cn")
    assert not service.send_reset(session, mail_settings, "nobody@example.cn")
    url = smtp.mailbox.link(user.email, service.RESET_PATH)
    assert "重设密码" in str(smtp.mailbox.to(user.email)[-1]["Subject"])
    with pytest.raises(AccountError) as weak:
        service.reset_password(session, mail_settings, token_of(url), "short")
    assert weak.value.field == "password"

    service.reset_password(session, mail_settings, token_of(url), "新的密码-足够长-2027")
    assert user.session_generation == generation + 1 and user.verified  # the mail was read
    assert service.authenticate(session, user.email, PASSWORD) is None
    assert service.authenticate(session, user.email, "新的密码-足够长-2027") is not None
    with pytest.raises(LinkError) as reused:
        service.reset_password(session, mail_settings, token_of(url), "再换一个密码-2028")
    assert reused.value.status == 410 and "已使用" in reused.value.render()


def test_an_expired_reset_link_says_so(
    session: Session, mail_settings: Settings, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = signed_up(session, mail_settings)
    service.send_reset(session, mail_settings, user.email)
    url = smtp.mailbox.link(user.email, service.RESET_PATH)
    monkeypatch.setitem(tokens.MAX_AGE, tokens.RESET, -1)  # any age is now too old
    with pytest.raises(LinkError) as old:
        service.check_reset_token(session, mail_settings, token_of(url))
    assert old.value.status == 410 and "过期" in old.value.render()


def test_sign_out_everywhere_moves_the_generation(
    session: Session, mail_settings: Settings
) -> None:
    user = signed_up(session, mail_settings)
    before = user.session_generation
    service.sign_out_everywhere(session, user)
    assert session.get(User, user.id).session_generation == before + 1  # type: ignore[union-attr]


def test_each_kind_of_person_acts_with_its_role() -> None:
    person = User(id=5, email="a@b.cn", name="甲", password_hash="x", role="member")
    assert service.actor_of(person).role == PERSON and not service.actor_of(person).writes
    person.organisation_id, person.org_role, person.membership = 9, "member", "pending"
    assert service.actor_of(person).role == PERSON  # not yet approved
    person.membership = "active"
    actor = service.actor_of(person)
    assert (actor.role, actor.organisation_id, actor.principal) == (MEMBER, 9, "user:5")
    person.org_role = "admin"
    assert service.actor_of(person).role == ORG_ADMIN
    staff = User(id=6, email="s@b.cn", name="乙", password_hash="x", role="park_staff", park_id=3)
    assert (service.actor_of(staff).role, service.actor_of(staff).park_id) == (PARK_STAFF, 3)
    admin = User(id=7, email="c@b.cn", name="丙", password_hash="x", role="admin")
    assert service.actor_of(admin).role == ADMIN and service.actor_of(admin).is_admin
