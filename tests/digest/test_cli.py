"""The digest from the command line: subscribe, import subscriptions (all or nothing), run, and a
real crash (the process killed mid-conversation with the SMTP server) followed by a re-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.cli.common import UserError
from matchmaker.core.config import Settings
from matchmaker.digest.models import DigestSend, Subscription
from matchmaker.store.db import get_engine, session_scope, upgrade
from matchmaker.store.models import utcnow
from tests.digest.conftest import SmtpServer, build_world, subscribe, subscription

runner = CliRunner()
HEADER = "邮箱,姓名,单位,身份,赛道,关注产业,关注园区,关键词,检索词,频率,每封条数,语言,已确认\n"


def cli(*args: str) -> tuple[int, str]:
    """Run the CLI in-process; a UserError ends as `matchmaker.cli.main` ends it (message, exit 2)."""
    result = runner.invoke(app, list(args))
    if isinstance(result.exception, UserError):
        return 2, result.output + f"错误 Error: {result.exception}"
    return result.exit_code, result.output


def count() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(Subscription)) or 0


def test_import_subscriptions_all_or_nothing_and_reimport_updates(
    digest_env: Settings, tmp_path: Path
) -> None:
    upgrade()
    build_world(get_engine())
    good = tmp_path / "订阅.csv"
    good.write_text(
        HEADER
        + "wang@example.cn,王老师,广西测试大学,科研人员,技术转移,智能网联汽车,柳州高新区,激光雷达、点云,,每日,5,中文,是\n"
        + "li@example.cn,李工,南宁测试显示,企业,场景驱动|技术转移,电子信息,,机器视觉,面板缺陷检测怎么做;Mura 检测,每周,,英文,否\n",
        encoding="utf-8-sig",
    )
    code, out = cli("import", "subscriptions", str(good))
    assert code == 0, out
    assert "新增 2" in out
    wang = subscription(get_engine(), "wang@example.cn")
    assert (wang.status, wang.role, wang.keywords, wang.max_items) == (
        "active",
        "researcher",
        ["激光雷达", "点云"],
        5,
    )
    li = subscription(get_engine(), "li@example.cn")
    assert (li.status, li.frequency, li.language) == ("pending", "weekly", "en")
    assert li.tracks == ["scenario", "tech-transfer"]
    assert li.saved_searches == ["面板缺陷检测怎么做", "Mura 检测"]

    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "wang@example.cn,王老师,,,,,,毫米波雷达,,每日,,,\n"
        + "not-an-address,某某,,,,,,稀土,,每日,,,\n"
        + "zhao@example.cn,赵工,,,,,玉林高新区,稀土,,每月,,,\n"
        + "wang@example.cn,重复,,,,,,稀土,,,,,\n"
        + "qian@example.cn,钱工,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    code, out = cli("import", "subscriptions", str(bad))
    assert code == 2
    for expected in (
        "第 3 行",
        "邮箱地址无效",
        "第 4 行",
        "玉林高新区",
        "频率",
        "第 5 行",
        "与第 2 行邮箱重复",
        "第 6 行",
        "请至少填写一项关注",
        "未导入任何数据",
    ):
        assert expected in out, expected
    assert count() == 2 and subscription(get_engine(), "wang@example.cn").keywords == [
        "激光雷达",
        "点云",
    ], "a file with bad rows changes nothing"

    code, out = cli("import", "subscriptions", str(bad), "--skip-invalid")
    assert code == 0 and "更新 1" in out and "跳过 4" in out
    wang = subscription(get_engine(), "wang@example.cn")
    assert wang.keywords == ["毫米波雷达"] and wang.max_items == 5, (
        "re-import updates the given cells only"
    )
    assert count() == 2, "re-import by address creates no duplicate"

    code, _ = cli("unsubscribe", "wang@example.cn")
    assert code == 0
    cli("import", "subscriptions", str(good))
    assert subscription(get_engine(), "wang@example.cn").status == "unsubscribed", (
        "re-importing an old list does not undo a person's unsubscribe"
    )


def test_subscribe_sends_a_confirmation_and_run_reports(
    digest_env: Settings, smtp: SmtpServer
) -> None:
    upgrade()
    build_world(get_engine())
    code, out = cli(
        "subscribe", "new@example.cn", "--name", "孙工", "-k", "稀土,锂电池", "--frequency", "每周"
    )
    assert code == 0, out
    assert "确认邮件已发送" in out
    assert len(smtp.handler.to("new@example.cn")) == 1
    sub = subscription(get_engine(), "new@example.cn")
    assert (sub.status, sub.keywords, sub.frequency) == ("pending", ["稀土", "锂电池"], "weekly")
    code, out = cli("subscribe", "bad-address")
    assert code != 0 and "邮箱地址无效" in out
    code, out = cli("digest", "run", "--now", "not a time")
    assert code != 0 and "时间格式无效" in out
    subscribe(get_engine(), "ok@example.cn", keywords=["稀土"])
    code, out = cli("digest", "run", "--dry-run")
    assert code == 0 and "写入 written 1 封" in out and ".eml" in out
    assert len(smtp.handler.received) == 1, "dry run: nothing sent"


def test_killed_mid_send_then_rerun_delivers_exactly_once(
    digest_env: Settings, smtp: SmtpServer
) -> None:
    upgrade()
    engine = get_engine()
    build_world(engine)
    for name, keyword in (("a", "激光雷达"), ("b", "机器视觉"), ("c", "稀土"), ("d", "锂电池")):
        subscribe(engine, f"{name}@example.cn", keywords=[keyword])
    now = utcnow().isoformat()
    smtp.handler.hang_on_data = 3
    child = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "digest", "run", "--now", now],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp.handler.hanging.wait(120), "the third message reached the server"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    smtp.handler.release.set()
    assert len(smtp.handler.received) == 2
    with session_scope() as s:
        assert Counter(s.scalars(select(DigestSend.status))) == {"sent": 2, "pending": 2}

    # the operator's re-run: the same command again, as cron or systemd would start it
    rerun = subprocess.run(
        [sys.executable, "-m", "matchmaker", "digest", "run", "--now", now],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    per_address = Counter(r.rcpt_tos[0] for r in smtp.handler.received)
    assert per_address == {f"{n}@example.cn": 1 for n in "abcd"}
    with session_scope() as s:
        assert Counter(s.scalars(select(DigestSend.status))) == {"sent": 4}
