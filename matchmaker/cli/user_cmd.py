"""CLI: `users grant|list` for person accounts (the first platform admin is made here)."""

from __future__ import annotations

from typing import Annotated

import typer

from matchmaker.cli.common import UserError, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the users commands."""
    users_app = typer.Typer(
        help="账号 person accounts (sign up on the web, then grant roles here).",
        no_args_is_help=True,
    )
    app.add_typer(users_app, name="users")
    users_app.command("grant")(grant)
    users_app.command("list")(list_users)


def grant(
    email: Annotated[str, typer.Argument(help="已注册的邮箱 the account's e-mail address")],
    role: Annotated[
        str, typer.Option(help="角色 role: admin | organiser | park_staff | member")
    ] = "admin",
    park: Annotated[
        str | None, typer.Option(help="园区（编号或名称），园区工作人员必填 park of park staff")
    ] = None,
) -> None:
    """授予角色 Give an account a platform role (e.g. the first admin)."""
    from matchmaker.accounts.errors import AccountError
    from matchmaker.accounts.service import grant_role
    from matchmaker.catalog.listing import find_by_ref
    from matchmaker.core.errors import NotFound
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            park_id = find_by_ref(session, "park", park).id if park else None
            user = grant_role(session, email, role, park_id)
            shown = f"{user.email} → {user.role}" + (f" (park {park_id})" if park_id else "")
    except AccountError as exc:
        raise UserError(str(exc)) from exc
    except NotFound as exc:
        raise UserError(exc.message) from exc
    ok(f"已授予 / granted: {shown}")


def list_users() -> None:
    """列出账号 List accounts (never their passwords)."""
    from matchmaker.accounts.service import list_users as stored
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        for u in stored(session):
            state = "已验证 verified" if u.verified else "未验证 unverified"
            org = (
                f"org={u.organisation_id}:{u.org_role}/{u.membership}"
                if u.organisation_id
                else "org=-"
            )
            park = f"park={u.park_id}" if u.park_id else ""
            typer.echo(f"{u.id}\t{u.email}\t{u.role}\t{org}\t{park}\t{state}".rstrip())
