"""CLI: `apikey create|list|revoke` for the HTTP API's keys."""

from __future__ import annotations

from typing import Annotated

import typer

from matchmaker.cli.common import UserError, ok


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the apikey commands."""
    key_app = typer.Typer(
        help="API 密钥 API keys (admin, organiser, enterprise, reader).", no_args_is_help=True
    )
    app.add_typer(key_app, name="apikey")
    key_app.command("create")(create)
    key_app.command("list")(list_keys)
    key_app.command("revoke")(revoke)


def create(
    role: Annotated[str, typer.Option(help="角色 role: admin | organiser | enterprise | reader")],
    name: Annotated[str, typer.Option(help="用途说明 a name to recognise the key by")] = "cli",
    organisation: Annotated[
        str | None,
        typer.Option(help="企业密钥所属机构（编号或名称）organisation for enterprise keys"),
    ] = None,
) -> None:
    """创建密钥（只显示一次）Create a key; it is printed once and stored only as a hash."""
    from sqlalchemy import or_, select

    from matchmaker.store.auth import create_key
    from matchmaker.store.db import session_scope, upgrade
    from matchmaker.store.models import Organisation

    upgrade()
    with session_scope() as session:
        org_id = None
        if organisation:
            org = session.scalars(
                select(Organisation).where(
                    or_(Organisation.external_id == organisation, Organisation.name == organisation)
                )
            ).first()
            if org is None:
                raise UserError(f"找不到机构“{organisation}” / unknown organisation")
            org_id = org.id
        try:
            key = create_key(session, name=name, role=role, organisation_id=org_id)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    ok(f"已创建 {role} 密钥（请妥善保存，不会再次显示）/ key created, shown once:")
    typer.echo(key)


def list_keys() -> None:
    """列出密钥 List keys (never their secrets)."""
    from sqlalchemy import select

    from matchmaker.store.auth import ApiKey
    from matchmaker.store.db import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        for k in session.scalars(select(ApiKey).order_by(ApiKey.id)):
            state = "已吊销 revoked" if k.revoked_at else "有效 active"
            typer.echo(f"{k.id}\t{k.role}\t{k.name}\torg={k.organisation_id or '-'}\t{state}")


def revoke(
    key_id: Annotated[int, typer.Argument(help="密钥编号 key id (from `apikey list`)")],
) -> None:
    """吊销密钥 Revoke a key."""
    from matchmaker.store.auth import ApiKey
    from matchmaker.store.db import session_scope, upgrade
    from matchmaker.store.models import utcnow

    upgrade()
    with session_scope() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise UserError(f"密钥 {key_id} 不存在 / no such key")
        key.revoked_at = utcnow()
    ok(f"密钥 {key_id} 已吊销 / revoked")
