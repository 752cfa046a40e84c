"""The nightly job as subscribers see it: the right e-mails to the right people, once each, even
when the job crashes, the server says "try later", or an address bounces."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from email.message import Message

import pytest
from sqlalchemy import Engine, func, select

from matchmaker.core.config import Settings
from matchmaker.digest.job import run_digest
from matchmaker.digest.models import DigestSend, SentItem
from matchmaker.digest.transport import SmtpTransport
from matchmaker.store.db import session_scope
from matchmaker.store.models import Need, utcnow
from tests.digest.conftest import (
    PUBLIC_URL,
    SmtpServer,
    build_world,
    subscribe,
    subscription,
    titles,
)


def everyone(engine: Engine) -> dict[str, int]:
    """Four subscribers with different interests, and one whose interests match nothing new."""
    return {
        "lidar": subscribe(
            engine, "lidar@example.cn", name="王老师", role="researcher", keywords=["激光雷达"]
        ),
        "vision": subscribe(
            engine, "vision@example.cn", name="李工", role="enterprise", keywords=["机器视觉"]
        ),
        "rare": subscribe(engine, "rare@example.cn", keywords=["稀土"], language="en"),
        "battery": subscribe(engine, "battery@example.cn", keywords=["锂电池"]),
        "nothing": subscribe(
            engine,
            "nothing@example.cn",
            role="enterprise",
            tracks=["scenario"],
            industries=["agri-processing"],
        ),
    }


def test_each_subscriber_gets_one_bilingual_multipart_digest_with_working_links(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    world = build_world(sqlite_engine)
    everyone(sqlite_engine)
    report = run_digest(digest_env, engine=sqlite_engine)
    received = smtp.handler.received
    assert sorted(r.rcpt_tos[0] for r in received) == [
        "battery@example.cn",
        "lidar@example.cn",
        "rare@example.cn",
        "vision@example.cn",
    ], "one e-mail per subscriber with something new; none for the one without"
    assert report.sent == 4 and report.nothing_new == 1

    mail = smtp.handler.to("lidar@example.cn")[0].message
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert mail["Subject"].startswith("园校企对接推送：") and "条新推荐" in mail["Subject"]
    assert "王老师" in str(mail["To"]) and "lidar@example.cn" in str(mail["To"])
    text = titles(smtp.handler.to("lidar@example.cn")[0])
    assert "无人配送车雨天误检急停" in text and "柳州高新区园区无人配送示范" in text
    assert "车载激光雷达点云目标检测算法" not in text, "a researcher hears of needs, not results"
    assert "推荐理由：包含您关注的“激光雷达”" in text
    assert f"{PUBLIC_URL}/items/need/{world.ids['N-lidar']}" in text
    html_part = mail.get_body(("html",))
    assert html_part is not None and "无人配送车雨天误检急停" in str(html_part.get_content())
    not_relevant = re.findall(rf"{PUBLIC_URL}/api/v1/digest/not-relevant\?token=\S+", text)
    assert len(not_relevant) == text.count("查看详情"), "one 不相关 link per item"

    unsubscribe = mail["List-Unsubscribe"]
    assert re.match(
        rf"<{PUBLIC_URL}/api/v1/digest/unsubscribe\?token=[^>]+>, <mailto:", unsubscribe
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"].startswith("<digest.")

    battery = titles(smtp.handler.to("battery@example.cn")[0])
    assert "磷酸铁锂电池热失控预警模组" in battery
    assert "电池包锂电池热失控监测" not in battery, "an expired need is never sent"
    assert "废旧锂电池回收拆解" not in battery, "a closed need is never sent"
    english = smtp.handler.to("rare@example.cn")[0].message
    assert english["Subject"].startswith("Matchmaker digest:")
    assert "mentions your interest “稀土”" in titles(smtp.handler.to("rare@example.cn")[0])


def test_cap_per_email_and_never_the_same_item_twice(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    world = build_world(sqlite_engine)
    subscribe(
        sqlite_engine,
        "park@example.cn",
        role="park",
        parks=[_park(sqlite_engine, "P-LZ")],
        industries=["icv"],
        max_items=2,
    )
    first = utcnow()
    run_digest(digest_env, engine=sqlite_engine, now=first)
    first_mail = titles(smtp.handler.to("park@example.cn")[0])
    assert first_mail.count("查看详情") == 2, "at most max_items items per e-mail"

    run_digest(digest_env, engine=sqlite_engine, now=first)
    assert len(smtp.handler.to("park@example.cn")) == 1, "a re-run the same day sends nothing"

    with session_scope(sqlite_engine) as s:  # the next day, one item changes and one is new
        need = s.get(Need, world.ids["N-lidar"])
        assert need is not None
        need.description += "另需支持夜间运行。"
        need.refresh_hash()
        need.updated_at = first + dt.timedelta(hours=2)
        fresh = Need(
            external_id="N-new",
            title="园区AGV调度系统升级",
            description="柳州园区AGV调度系统需要升级。",
            industries=["icv"],
            enterprise_id=need.enterprise_id,
            park_id=need.park_id,
            created_at=first + dt.timedelta(hours=2),
            updated_at=first + dt.timedelta(hours=2),
        )
        fresh.refresh_hash()
        s.add(fresh)
    run_digest(digest_env, engine=sqlite_engine, now=first + dt.timedelta(days=1))
    mails = smtp.handler.to("park@example.cn")
    assert len(mails) == 2
    second = titles(mails[1])
    assert "园区AGV调度系统升级" in second
    first_titles = re.findall(r"^\d+\.【[^】]+】(.+)$", first_mail, flags=re.M)
    assert len(first_titles) == 2
    for title in first_titles:
        assert title not in second, "an item already received is not sent again"


def _park(engine: Engine, external_id: str) -> int:
    from matchmaker.store.models import Park

    with session_scope(engine) as s:
        return int(s.scalars(select(Park.id).where(Park.external_id == external_id)).one())


class CrashingTransport(SmtpTransport):
    """The real SMTP transport, with a process crash injected before or after the Nth send."""

    def __init__(self, settings: Settings, crash_at: int, after_accept: bool) -> None:
        super().__init__(settings)
        self.crash_at, self.after_accept, self.count = crash_at, after_accept, 0

    def send(self, message: Message, recipient: str) -> None:
        self.count += 1
        if self.count == self.crash_at and not self.after_accept:
            raise SystemExit("crash before handing the message to SMTP")
        super().send(message, recipient)
        if self.count == self.crash_at and self.after_accept:
            raise SystemExit("crash after SMTP accepted, before the job could mark it sent")


def test_crash_between_sends_then_rerun_sends_exactly_one_each(
    engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(engine)
    everyone(engine)
    now = utcnow()
    with pytest.raises(SystemExit):
        run_digest(
            digest_env,
            engine=engine,
            now=now,
            transport=CrashingTransport(digest_env, crash_at=3, after_accept=False),
        )
    assert len(smtp.handler.received) == 2, "two went out before the crash"
    report = run_digest(digest_env, engine=engine, now=now)
    per_address = Counter(r.rcpt_tos[0] for r in smtp.handler.received)
    assert per_address == {
        a: 1
        for a in ("lidar@example.cn", "vision@example.cn", "rare@example.cn", "battery@example.cn")
    }
    assert report.resumed >= 1, "the digest recorded before the crash is sent as recorded"
    with session_scope(engine) as s:
        statuses = Counter(s.scalars(select(DigestSend.status)))
    assert statuses == {"sent": 4}
    run_digest(digest_env, engine=engine, now=now)
    assert len(smtp.handler.received) == 4, "and a third run sends nothing"


def test_crash_after_accept_resends_with_the_same_message_id(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(sqlite_engine)
    everyone(sqlite_engine)
    now = utcnow()
    with pytest.raises(SystemExit):
        run_digest(
            digest_env,
            engine=sqlite_engine,
            now=now,
            transport=CrashingTransport(digest_env, crash_at=2, after_accept=True),
        )
    run_digest(digest_env, engine=sqlite_engine, now=now)
    ids = Counter(str(r.message["Message-ID"]) for r in smtp.handler.received)
    assert len(ids) == 4, "four digests, four distinct Message-IDs"
    assert sorted(ids.values()) == [1, 1, 1, 2], (
        "the one accepted just before the crash arrives twice, under one Message-ID that "
        "receivers collapse (the documented window)"
    )
    twice = [r.raw for r in smtp.handler.received if ids[str(r.message["Message-ID"])] == 2]
    assert twice[0] == twice[1], "and byte for byte the same message"


def test_greylisting_4xx_is_retried_and_delivered_once(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(sqlite_engine)
    subscribe(sqlite_engine, "grey@example.cn", keywords=["稀土"])
    smtp.handler.transient["grey@example.cn"] = 2
    report = run_digest(digest_env, engine=sqlite_engine)
    assert len(smtp.handler.to("grey@example.cn")) == 1
    assert smtp.handler.rcpt_attempts["grey@example.cn"] == 3
    assert report.sent == 1 and report.failed == 0
    with session_scope(sqlite_engine) as s:
        assert s.scalars(select(DigestSend.attempts)).one() == 3


def test_server_down_keeps_digests_for_the_next_run(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(sqlite_engine)
    everyone(sqlite_engine)
    now = utcnow()
    down = digest_env.model_copy(update={"smtp_port": 1, "digest_smtp_retries": 1})
    report = run_digest(down, engine=sqlite_engine, now=now)
    assert report.aborted and report.sent == 0, "connection refused everywhere: the run stops"
    report = run_digest(digest_env, engine=sqlite_engine, now=now)
    assert Counter(r.rcpt_tos[0] for r in smtp.handler.received).most_common(1)[0][1] == 1
    assert len(smtp.handler.received) == 4, "the re-run delivers every digest, once"


def test_repeated_bounces_pause_the_address(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(sqlite_engine)
    subscribe(sqlite_engine, "gone@example.cn", keywords=["稀土"])
    subscribe(sqlite_engine, "fine@example.cn", keywords=["稀土"])
    smtp.handler.permanent.add("gone@example.cn")
    start = utcnow()
    for day in range(3):
        report = run_digest(digest_env, engine=sqlite_engine, now=start + dt.timedelta(days=day))
        assert report.bounced == 1
    gone = subscription(sqlite_engine, "gone@example.cn")
    assert gone.status == "paused" and gone.consecutive_bounces == 3
    assert "550" in gone.last_error
    assert smtp.handler.rcpt_attempts["gone@example.cn"] == 3, "a 5xx is not retried"
    run_digest(digest_env, engine=sqlite_engine, now=start + dt.timedelta(days=3))
    assert smtp.handler.rcpt_attempts["gone@example.cn"] == 3, "a paused address gets nothing"
    assert len(smtp.handler.to("fine@example.cn")) == 1, "the other subscriber got day 1 only"
    with session_scope(sqlite_engine) as s:
        sent_items = s.scalar(select(func.count()).select_from(SentItem)) or 0
    assert sent_items == titles(smtp.handler.to("fine@example.cn")[0]).count("查看详情")


def test_dry_run_writes_eml_files_and_sends_and_records_nothing(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    build_world(sqlite_engine)
    everyone(sqlite_engine)
    subscribe(sqlite_engine, "new@example.cn", keywords=["稀土"], confirmed=False)
    report = run_digest(digest_env, engine=sqlite_engine, dry_run=True)
    files = sorted((digest_env.data_dir / "outbox").glob("*.eml"))
    assert len(files) == 5 and report.sent == 4 and report.confirmations == 1
    assert smtp.handler.received == []
    assert "Subject: =?utf-8?" in files[0].read_text(encoding="ascii")
    with session_scope(sqlite_engine) as s:
        assert s.scalar(select(func.count()).select_from(DigestSend)) == 0
    assert subscription(sqlite_engine, "new@example.cn").confirm_sent_at is None
    run_digest(digest_env, engine=sqlite_engine)
    assert len(smtp.handler.received) == 5, "the real run afterwards still sends everything"


def test_a_picked_need_names_the_finance_product_that_fits_it(
    sqlite_engine: Engine, digest_env: Settings, smtp: SmtpServer
) -> None:
    """科技金融驿站 in digests: the lidar need is for intelligent connected vehicles, so the
    product for that industry is named with it; the product for another industry is not."""
    from matchmaker.finance.models import FinanceProduct

    build_world(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        s.add_all(
            [
                FinanceProduct(
                    external_id="F-ICV",
                    name="智能网联科技贷",
                    product_type="tech_loan",
                    provider="柳州测试银行",
                    industries=["icv"],
                ),
                FinanceProduct(
                    external_id="F-AGRI",
                    name="糖业引导基金",
                    product_type="guidance_fund",
                    provider="测试引导基金",
                    industries=["agri-processing"],
                ),
            ]
        )
    everyone(sqlite_engine)
    run_digest(digest_env, engine=sqlite_engine)
    text = titles(smtp.handler.to("lidar@example.cn")[0])
    assert "科技金融：智能网联科技贷（科技型中小企业贷款，柳州测试银行）" in text
    assert "糖业引导基金" not in text
