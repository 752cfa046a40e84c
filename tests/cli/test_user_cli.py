"""`matchmaker users` as an operator runs it: the first admin, park staff with their park."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_data_cli import run


def signed_up(data_dir: Path, address: str) -> None:
    """An account made through the sign-up use case, in the CLI's database."""
    from matchmaker.accounts.service import sign_up
    from matchmaker.store.db import make_engine, session_factory, upgrade

    engine = make_engine(f"sqlite:///{data_dir / 'matchmaker.db'}")
    upgrade(engine)
    with session_factory(engine)() as session:
        sign_up(session, address, "管理员", "初始管理员-密码-2026")
    engine.dispose()


def test_grant_makes_the_first_admin_and_park_staff(tmp_path: Path) -> None:
    signed_up(tmp_path, "root@example.cn")
    signed_up(tmp_path, "staff@example.cn")
    parks = tmp_path / "parks.csv"
    parks.write_text(
        "园区编号,园区名称,级别,城市,主导产业\nP-LZ,柳州高新区,国家级,柳州,智能网联汽车\n",
        encoding="utf-8",
    )
    assert run(["import", "parks", str(parks)], tmp_path).returncode == 0

    admin = run(["users", "grant", "ROOT@example.cn"], tmp_path)
    assert admin.returncode == 0 and "root@example.cn → admin" in admin.stdout
    no_park = run(["users", "grant", "staff@example.cn", "--role", "park_staff"], tmp_path)
    assert no_park.returncode == 2 and "必须指定园区" in no_park.stderr
    staff = run(
        ["users", "grant", "staff@example.cn", "--role", "park_staff", "--park", "P-LZ"], tmp_path
    )
    assert staff.returncode == 0 and "park_staff" in staff.stdout
    unknown = run(["users", "grant", "nobody@example.cn"], tmp_path)
    assert unknown.returncode == 2 and "没有使用该邮箱的账号" in unknown.stderr
    assert "Traceback" not in unknown.stderr + no_park.stderr
    listed = run(["users", "list"], tmp_path).stdout.splitlines()
    assert [line.split("\t")[1:3] for line in listed] == [
        ["root@example.cn", "admin"],
        ["staff@example.cn", "park_staff"],
    ]
    assert all("已验证 verified" in line for line in listed)
