"""CLI for the participant side of stored events: `events invite|invitations|remind|notify`.

`invite` e-mails each organisation a signed link to accept or decline; `remind` (run it from cron,
e.g. hourly) sends the reminders due before each event's RSVP deadline; `notify` sends unsent
invitations, each accepted participant's agenda once and, after any change, one e-mail with only
what changed. Nothing is ever sent twice; failed deliveries are tried again by the next run.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from matchmaker.cli.common import UserError, ok

if TYPE_CHECKING:
    from matchmaker.events.service.mail import Mailer, Sent


def _mailer() -> Mailer:
    from matchmaker.core.config import get_settings
    from matchmaker.events.service.mail import Mailer

    return Mailer.smtp(get_settings())


def _report(label: str, done: Sent) -> None:
    ok(
        f"{label}：发送 {done.sent}，失败 {done.failed}，已发过 {done.skipped} / sent {done.sent}, "
        f"failed {done.failed}, already sent {done.skipped}"
    )
    for error in done.errors:
        typer.secho(f"失败 failed: {error}", fg="red", err=True)


def invite_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    to: Annotated[
        list[str],
        typer.Option("--to", help="机构=邮箱，如 E1=li@example.cn（编号、名称或数据库编号）"),
    ],
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="回复截止时间 ISO，如 2027-03-10T18:00+08:00")
    ] = None,
    send: Annotated[bool, typer.Option("--send/--no-send", help="立即发送 send now")] = True,
) -> None:
    """邀请机构并发送邀请邮件 Invite organisations and e-mail each a signed answer link."""
    from matchmaker.cli.event_admin_cmd import _session
    from matchmaker.events.service import mail, rsvp
    from matchmaker.events.service.participants import find_organisation

    invitees = []
    for index, pair in enumerate(to):
        org, sep, address = pair.partition("=")
        if not sep:
            raise UserError(f"--to[{index}]: 应为 机构=邮箱 / must be ORG=EMAIL, got {pair!r}")
        invitees.append((org.strip(), address.strip()))
    with _session() as session:
        if deadline:
            try:
                moment = dt.datetime.fromisoformat(deadline)
            except ValueError as exc:
                raise UserError(
                    f"--deadline: 时间格式无效 / not an ISO time: {deadline!r}"
                ) from exc
            rsvp.set_rsvp_deadline(session, event_id, moment)
        rows = rsvp.invite_organisations(
            session,
            event_id,
            [rsvp.Invitee(find_organisation(session, org), address) for org, address in invitees],
            invited_by="cli",
        )
        ok(f"已邀请 {len(rows)} 家机构 / invited {len(rows)} organisation(s)")
        if send:
            post = _mailer()
            _report("邀请邮件 invitations", mail.send_invitations(session, post, event_id))
            post.transport.close()


def invitations_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
) -> None:
    """回复状态 RSVP status: who accepted, declined or has not answered."""
    from matchmaker.cli.event_admin_cmd import _session
    from matchmaker.events.service import rsvp

    with _session() as session:
        summary = rsvp.rsvp_summary(session, event_id)
        ok(
            f"共 {summary['total']}：已接受 {summary['accepted']}，已谢绝 {summary['declined']}，"
            f"待回复 {summary['pending']} / accepted {summary['accepted']}, declined "
            f"{summary['declined']}, pending {summary['pending']}"
        )
        for row in rsvp.invitations(session, event_id):
            view = rsvp.invitation_view(session, row)
            typer.echo(
                f"  {view['fit']:5.1f}  {view['status_label']}  {view['organisation_name']}  "
                f"<{view['email']}>"
            )


def remind_command(
    event_id: Annotated[
        int | None, typer.Option("--event", help="只处理一个活动 one event")
    ] = None,
    now: Annotated[str | None, typer.Option("--now", help="当作现在的时间 ISO (tests)")] = None,
) -> None:
    """发送到期的回复提醒 Send the reminders due (3 days and 1 day before the RSVP deadline)."""
    from matchmaker.cli.event_admin_cmd import _session
    from matchmaker.events.service import mail

    moment = dt.datetime.fromisoformat(now) if now else None
    with _session() as session:
        post = _mailer()
        _report("回复提醒 reminders", mail.send_reminders(session, post, moment, event_id))
        post.transport.close()


def notify_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
) -> None:
    """发送未发的邀请、个人日程与变更通知 Send unsent invitations, agendas and change notices."""
    from matchmaker.cli.event_admin_cmd import _session
    from matchmaker.events.service import mail

    with _session() as session:
        post = _mailer()
        _report("邀请邮件 invitations", mail.send_invitations(session, post, event_id))
        _report("日程与变更 agendas and changes", mail.send_agendas(session, post, event_id))
        post.transport.close()
