"""CLI: `subscribe`, `unsubscribe`, `digest run|list`, `bench digest`, and `import subscriptions`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli.common import UserError, benchmarks_on_path, ok

IMPORTER = "matchmaker.digest.importer:import_subscription_rows"
IMPORT_ALIASES = ("subscription", "subscribers", "订阅", "订阅者", "订阅用户")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the digest commands, the digest benchmark and the `subscriptions` import kind."""
    from matchmaker.catalog.importer import register_import_kind

    register_import_kind("subscriptions", IMPORTER, IMPORT_ALIASES)
    digest_app = typer.Typer(
        help="邮件推送 E-mail digests of new items for subscribers.", no_args_is_help=True
    )
    app.add_typer(digest_app, name="digest")
    digest_app.command("run")(run_command)
    digest_app.command("list")(list_command)
    app.command("subscribe")(subscribe_command)
    app.command("unsubscribe")(unsubscribe_command)
    bench_app.command("digest")(bench_command)


def _split(values: list[str] | None) -> list[str]:
    """Repeated options, each of which may also hold a 、，,;； separated list."""
    from matchmaker.catalog.parsers import parse_list

    out: list[str] = []
    for value in values or []:
        out.extend(v for v in parse_list(value) if v not in out)
    return out


def subscribe_command(
    email: Annotated[str, typer.Argument(help="邮箱 e-mail address")],
    name: Annotated[str, typer.Option(help="姓名 name")] = "",
    org: Annotated[str, typer.Option("--org", help="单位 organisation")] = "",
    role: Annotated[
        str,
        typer.Option(help="身份 role: researcher 科研人员 | enterprise 企业 | park 园区 | other"),
    ] = "other",
    track: Annotated[
        list[str] | None,
        typer.Option(help="赛道 track (repeatable): tech-transfer | scenario | east-to-guangxi"),
    ] = None,
    industry: Annotated[
        list[str] | None, typer.Option(help="关注产业 industry (repeatable, 代码或中文名)")
    ] = None,
    park: Annotated[
        list[str] | None, typer.Option(help="关注园区 park (repeatable, 编号或名称)")
    ] = None,
    keyword: Annotated[
        list[str] | None, typer.Option("--keyword", "-k", help="关键词 keyword (repeatable)")
    ] = None,
    search: Annotated[
        list[str] | None, typer.Option(help="保存的检索 saved search sentence (repeatable)")
    ] = None,
    frequency: Annotated[str, typer.Option(help="频率 daily 每日 | weekly 每周")] = "daily",
    max_items: Annotated[
        int, typer.Option("--max-items", min=1, max=50, help="每封最多条数 items per e-mail")
    ] = 10,
    language: Annotated[str, typer.Option(help="语言 zh | en")] = "zh",
    confirmed: Annotated[
        bool,
        typer.Option(
            "--confirmed",
            help="已取得本人同意，无需确认邮件 consent already given: skip the confirmation e-mail",
        ),
    ] = False,
) -> None:
    """订阅推送（默认发送确认邮件）Subscribe an address; a confirmation e-mail is sent unless --confirmed."""
    from matchmaker.catalog.parsers import parse_industries
    from matchmaker.core.config import get_settings
    from matchmaker.core.errors import ServiceError
    from matchmaker.digest import vocab
    from matchmaker.digest.service import (
        needs_confirmation,
        send_pending_confirmation,
        subscribe_address,
    )
    from matchmaker.digest.subscriptions import SubscriptionData
    from matchmaker.digest.transport import SystemFailure
    from matchmaker.store.db import session_scope, upgrade

    try:
        data = SubscriptionData(
            email=vocab.parse_email(email),
            name=name.strip(),
            organisation=org.strip(),
            role=vocab.parse_role(role),
            tracks=[vocab.parse_track(t) for t in _split(track)],
            industries=parse_industries(_split(industry)) if industry else [],
            keywords=_split(keyword),
            saved_searches=[s.strip() for s in search or [] if s.strip()],
            frequency=vocab.parse_frequency(frequency),
            max_items=max_items,
            language=vocab.parse_language(language),
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    upgrade()
    try:
        with session_scope() as session:
            result = subscribe_address(session, data, park_refs=_split(park), confirmed=confirmed)
            sub = result.subscription
            status, pending = sub.status, needs_confirmation(sub)
    except ServiceError as exc:
        raise UserError(exc.message) from exc
    verb = "已创建 created" if result.created else "已更新 updated"
    ok(f"{verb}: {sub.email}（状态 status: {status}）")
    if pending:
        try:
            outcome = send_pending_confirmation(sub.id, get_settings())
        except SystemFailure as exc:
            outcome = str(exc)
        if outcome == "sent":
            ok("确认邮件已发送，对方点击链接后生效 / confirmation e-mail sent")
        else:
            typer.secho(
                f"确认邮件未能发送（{outcome}），下次运行 digest run 时重试 / "
                "confirmation not sent; the next `digest run` retries",
                fg=typer.colors.YELLOW,
                err=True,
            )


def unsubscribe_command(
    email: Annotated[str, typer.Argument(help="邮箱 e-mail address")],
) -> None:
    """退订 Unsubscribe an address (e.g. after a mailto: unsubscribe request)."""
    from matchmaker.core.errors import NotFound
    from matchmaker.digest.service import unsubscribe_address
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            changed = unsubscribe_address(session, email)
    except NotFound as exc:
        raise UserError(exc.message) from exc
    ok(("已退订 unsubscribed: " if changed else "此前已退订 already unsubscribed: ") + email)


def run_command(
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="只写 .eml 文件到 data_dir/outbox/，不发送不记录 write .eml files, send and record nothing",
        ),
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(help="以此时间运行 run as of this ISO time (no zone = China time)"),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="配置了 MATCHMAKER_BROKER_URL 时：等待各分片发送完毕 / with a broker: wait until "
            "the workers have sent every shard",
        ),
    ] = False,
) -> None:
    """发送到期的推送邮件 Send every due subscriber their digest (safe to re-run: nothing twice)."""
    from matchmaker.core.config import InsecureSettings, check_settings, get_settings
    from matchmaker.core.container import get_container
    from matchmaker.digest.job import DigestBusy, run_digest
    from matchmaker.digest.periods import parse_now
    from matchmaker.digest.transport import SystemFailure
    from matchmaker.store.db import upgrade

    try:
        moment = parse_now(now)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if not dry_run:  # the links it sends are signed with the secret key
        try:
            check_settings(get_settings())
        except InsecureSettings as exc:
            raise UserError(str(exc)) from exc
    upgrade()
    if get_settings().queued and not dry_run:
        from matchmaker.cli.queued_digest import queue_digest

        queue_digest(get_settings(), moment, wait=wait)
        return
    try:
        report = run_digest(get_settings(), now=moment, dry_run=dry_run, container=get_container())
    except DigestBusy as exc:
        raise UserError(str(exc)) from exc
    except SystemFailure as exc:
        raise UserError(
            f"邮件服务器拒绝（配置问题），稍后重跑会续发 / SMTP setup problem: {exc}"
        ) from exc
    typer.echo(report.summary())
    if dry_run and report.written:
        ok(f"已写入 {len(report.written)} 封 .eml 到 written to {report.written[0].parent}")
    if report.aborted:
        raise typer.Exit(1)


def list_command(
    status: Annotated[
        str | None, typer.Option(help="状态 pending | active | paused | unsubscribed")
    ] = None,
) -> None:
    """列出订阅 List subscriptions (address, status, frequency, interests)."""
    from matchmaker.digest.service import list_subscriptions
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        _, subs = list_subscriptions(session, status=status, limit=None, newest_first=False)
        for sub in subs:
            terms = "、".join([*sub.keywords, *sub.saved_searches])
            typer.echo(
                f"{sub.id}\t{sub.email}\t{sub.status}\t{sub.frequency}\t≤{sub.max_items}\t{terms}"
            )


def bench_command(
    subscribers: Annotated[int, typer.Option(min=1, help="订阅者数 subscribers")] = 10_000,
    items: Annotated[
        int, typer.Option(min=0, help="额外合成条目数 extra synthetic items")
    ] = 10_000,
    workdir: Annotated[
        Path | None,
        typer.Option(
            help="基准数据目录（可重复使用其向量缓存）bench data dir, reused between runs "
            "(default: <data dir>/bench-digest)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON print JSON")] = False,
) -> None:
    """推送基准 Digest computation for N subscribers over demo + synthetic items (no SMTP)."""
    from matchmaker.core.config import get_settings

    benchmarks_on_path()
    from benchmarks.digest import BenchConfig, run_bench

    folder = workdir or get_settings().data_dir / "bench-digest"
    report = run_bench(BenchConfig(subscribers=subscribers, extra_items=items, workdir=folder))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        typer.echo(f"{key}: {value}")
