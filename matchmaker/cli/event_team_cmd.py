"""CLI: `matchmaker events team EVENT [--add KEY_ID] [--remove KEY_ID]`: who organises an event
(only its organiser team and admins see it in the API and the pages)."""

from __future__ import annotations

from typing import Annotated

import typer

from matchmaker.cli.common import UserError, ok


def team_command(
    event_id: Annotated[int, typer.Argument(help="活动编号 event id")],
    add: Annotated[
        list[int] | None, typer.Option("--add", help="加入组织团队的密钥编号 key id to add")
    ] = None,
    remove: Annotated[
        list[int] | None, typer.Option("--remove", help="移出组织团队的密钥编号 key id to remove")
    ] = None,
) -> None:
    """组织团队 Show, add to or remove from an event's organiser team (API key ids)."""
    from matchmaker.events.service import team
    from matchmaker.events.service.errors import EventError
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            for key_id in add or []:
                team.add_organiser(session, event_id, key_id, added_by="cli")
                ok(f"已加入 added key {key_id}")
            for key_id in remove or []:
                team.remove_organiser(session, event_id, key_id)
                ok(f"已移出 removed key {key_id}")
            members = [team.member_view(session, m) for m in team.team(session, event_id)]
    except EventError as exc:
        raise UserError(exc.message) from exc
    if not members:
        typer.echo("组织团队为空：仅管理员可见 / no organiser team: only admins see this event")
    for m in members:
        typer.echo(f"{m['principal']}\t{m['name'] or '?'}\t{m['role'] or '?'}")
