"""`matchmaker apikey` as an administrator runs it: keys for an organisation, listing, revoking."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_data_cli import run


def test_enterprise_keys_name_their_organisation_and_revoked_keys_show(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(
        "机构编号,机构名称,机构类型,省份\nE1,南宁测试电子,企业,广西\n", encoding="utf-8"
    )
    assert run(["import", "organisations", str(orgs)], tmp_path).returncode == 0
    by_name = run(
        ["apikey", "create", "--role", "enterprise", "--organisation", "南宁测试电子"], tmp_path
    )
    assert by_name.returncode == 0 and "mm_" in by_name.stdout
    unknown = run(["apikey", "create", "--role", "enterprise", "--organisation", "E9"], tmp_path)
    assert unknown.returncode == 2 and "找不到机构“E9”" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    listed = run(["apikey", "list"], tmp_path).stdout.splitlines()
    assert len(listed) == 1 and "enterprise" in listed[0] and "有效 active" in listed[0]
    key_id = listed[0].split("\t")[0]
    assert run(["apikey", "revoke", key_id], tmp_path).returncode == 0
    assert "已吊销 revoked" in run(["apikey", "list"], tmp_path).stdout
    missing = run(["apikey", "revoke", "999"], tmp_path)
    assert missing.returncode == 2 and "密钥 999 不存在" in missing.stderr


def test_park_staff_keys_name_their_park(tmp_path: Path) -> None:
    parks = tmp_path / "parks.csv"
    parks.write_text(
        "园区编号,园区名称,级别,城市,主导产业\nP-T,测试高新区,国家级,柳州,智能网联汽车\n",
        encoding="utf-8",
    )
    assert run(["import", "parks", str(parks)], tmp_path).returncode == 0
    made = run(["apikey", "create", "--role", "park_staff", "--park", "测试高新区"], tmp_path)
    assert made.returncode == 0 and "mm_" in made.stdout
    assert "park=1" in run(["apikey", "list"], tmp_path).stdout
    parkless = run(["apikey", "create", "--role", "park_staff"], tmp_path)
    assert parkless.returncode == 2 and "必须绑定园区" in parkless.stderr
    stray = run(["apikey", "create", "--role", "reader", "--park", "P-T"], tmp_path)
    assert stray.returncode == 2 and "只有园区工作人员密钥" in stray.stderr


def test_labels_are_listed_and_mapped_from_the_command_line(tmp_path: Path) -> None:
    parks = tmp_path / "parks.csv"
    parks.write_text(
        "园区编号,园区名称,级别,城市,主导产业\n"
        "P-A,甲园区,国家级,柳州,智能网联汽车、海洋渔业\n"
        "P-B,乙园区,自治区级,北海,海洋渔业\n",
        encoding="utf-8",
    )
    strict = run(["import", "parks", str(parks)], tmp_path)
    assert strict.returncode == 2 and "是否指 “海洋经济”" in strict.stderr
    kept = run(["import", "parks", str(parks), "--skip-invalid"], tmp_path)
    assert kept.returncode == 0 and "标签待映射" in kept.stderr
    assert "跳过 1 行" in kept.stdout, "乙 has no known industry left: a required field is empty"
    listed = run(["labels", "list"], tmp_path)
    assert "海洋渔业\t1 条" in listed.stdout and "marine" in listed.stdout
    mapped = run(["labels", "map", "海洋渔业", "海洋经济"], tmp_path)
    assert mapped.returncode == 0 and "1 条记录已更新" in mapped.stdout
    assert "没有待映射" in run(["labels", "list"], tmp_path).stdout
