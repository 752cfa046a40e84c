"""CLI: `apikey create|list|revoke` for the HTTP API's keys."""

from __future__ import annotations

from typing import Annotated

import typer

from matchmaker.cli.common import UserError, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the apikey commands."""
    key_app = typer.Typer(
        help="API 密钥 API keys (admin, organiser, enterprise, reader, park_staff).",
        no_args_is_help=True,
    )
    app.add_typer(key_app, name="apikey")
    key_app.command("create")(create)
    key_app.command("list")(list_keys)
    key_app.command("revoke")(revoke)


def create(
    role: Annotated[
        str, typer.Option(help="角色 role: admin | organiser | enterprise | reader | park_staff")
    ],
    name: Annotated[str, typer.Option(help="用途说明 a name to recognise the key by")] = "cli",
    organisation: Annotated[
        str | None,
        typer.Option(help="企业密钥所属机构（编号或名称）organisation for enterprise keys"),
    ] = None,
    park: Annotated[
        str | None,
        typer.Option(help="园区工作人员密钥所属园区（编号或名称）park for park_staff keys"),
    ] = None,
) -> None:
    """创建密钥（只显示一次）Create a key; it is printed once and stored only as a hash."""
    from matchmaker.catalog.listing import find_by_ref
    from matchmaker.core.errors import NotFound
    from matchmaker.store.auth import create_key
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            org = find_by_ref(session, "organisation", organisation) if organisation else None
            home = find_by_ref(session, "park", park) if park else None
            key = create_key(
                session,
                name=name,
                role=role,
                organisation_id=org.id if org else None,
                park_id=home.id if home else None,
            )
    except (NotFound, ValueError) as exc:
        raise UserError(str(exc)) from exc
    ok(f"已创建 {role} 密钥（请妥善保存，不会再次显示）/ key created, shown once:")
    typer.echo(key)


def list_keys() -> None:
    """列出密钥 List keys (never their secrets)."""
    from matchmaker.store.auth import list_keys as stored_keys
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        for k in stored_keys(session):
            state = "已吊销 revoked" if k.revoked_at else "有效 active"
            typer.echo(
                f"{k.id}\t{k.role}\t{k.name}\torg={k.organisation_id or '-'}"
                f"\tpark={k.park_id or '-'}\t{state}"
            )


def revoke(
    key_id: Annotated[int, typer.Argument(help="密钥编号 key id (from `apikey list`)")],
) -> None:
    """吊销密钥 Revoke a key."""
    from matchmaker.core.errors import NotFound
    from matchmaker.store.auth import revoke_key
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    try:
        with session_scope() as session:
            revoke_key(session, key_id)
    except NotFound as exc:
        raise UserError(exc.message) from exc
    ok(f"密钥 {key_id} 已吊销 / revoked")
