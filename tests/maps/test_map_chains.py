"""The shipped chains, and editing them by import: a good file replaces its chains, a bad file
changes nothing and says which row and field is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchmaker.core.taxonomy import INDUSTRIES, LEADING_INDUSTRIES
from matchmaker.maps.chain_export import export_chains
from matchmaker.maps.chain_import import ChainImportFailed, import_chains
from matchmaker.maps.chains import (
    STAGES,
    load_chains,
    override_path,
    reset_chains,
    shipped_chains,
)

GOOD_CSV = """产业,环节编号,环节位置,环节名称,环节描述,核心技术
智能网联汽车,chips,上游,车规芯片,车规级MCU与功率半导体的设计和封测。,车规级MCU、IGBT
智能网联汽车,parts,上游,零部件,压铸与冲压车身零部件。,一体化压铸；冲压
智能网联汽车,integration,中游,整车集成,整车总装与测试。,整车集成
智能网联汽车,v2x,下游,车路协同,路侧感知与C-V2X。,C-V2X、路侧感知
"""
BAD_CSV = """产业,环节编号,环节位置,环节名称,环节描述,核心技术
智能网联汽车,chips,上游,车规芯片,车规级MCU。,车规级MCU
智能网联汽车,parts,旁游,零部件,压铸件。,一体化压铸
智能网联汽车,chips,中游,整车集成,整车总装。,整车集成
不存在的产业,x,下游,某环节,描述。,技术
智能网联汽车,v2x,下游,车路协同,,C-V2X
"""


def test_every_industry_has_a_chain_across_three_stages() -> None:
    chains = shipped_chains()
    assert set(LEADING_INDUSTRIES) <= set(chains)
    assert set(chains) == {ind.code for ind in INDUSTRIES}
    for code in chains:
        chain = chains[code]
        for stage in STAGES:
            assert len(chain.stage_links(stage)) >= 2, (code, stage)
        names = [link.name for link in chain.links]
        assert len(set(names)) == len(names)
        for link in chain.links:
            assert len(link.description) >= 40 and len(link.core_technologies) >= 4, link.key
    icv = [link.name for link in chains["icv"].links]
    assert icv[0] == "车规级芯片与传感器" and "线控底盘" in icv


def test_a_good_csv_replaces_that_chain_only(app_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "chains.csv"
    path.write_bytes(GOOD_CSV.encode("utf-8-sig"))
    report = import_chains(path)
    assert report.industries == {"icv": 4} and not report.problems
    chains = load_chains()
    icv = chains["icv"]
    assert icv.source == "imported"
    assert [link.code for link in icv.links] == ["chips", "parts", "integration", "v2x"]
    assert icv.link("parts").core_technologies == ("一体化压铸", "冲压")
    assert chains["metals-biomass"] == shipped_chains()["metals-biomass"]
    assert reset_chains(["icv"]) == ["icv"]
    assert load_chains()["icv"] == shipped_chains()["icv"]


def test_a_bad_file_changes_nothing_and_names_rows_and_fields(
    app_env: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV.encode("utf-8-sig"))
    import_chains(good)
    before = override_path().read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_CSV.encode("gb18030"))  # a Chinese Excel export
    with pytest.raises(ChainImportFailed) as failed:
        import_chains(bad)
    found = {(p.row, p.field) for p in failed.value.report.problems}
    assert (3, "环节位置") in found  # 旁游 is no stage
    assert (4, "环节编号") in found  # duplicate code within the chain
    assert (5, "产业") in found  # unknown industry
    assert (6, "环节描述") in found  # required
    assert override_path().read_bytes() == before
    assert [link.code for link in load_chains()["icv"].links] == [
        "chips",
        "parts",
        "integration",
        "v2x",
    ]


def test_a_chain_missing_a_stage_is_refused(app_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        "产业,环节位置,环节名称,环节描述,核心技术\n电子信息,上游,材料,电子材料。,浆料\n",
        encoding="utf-8",
    )
    with pytest.raises(ChainImportFailed) as failed:
        import_chains(path)
    reasons = " ".join(p.reason for p in failed.value.report.problems)
    assert "缺少中游环节" in reasons and "缺少下游环节" in reasons
    assert not override_path().exists()


def test_export_and_reimport_round_trips_in_every_format(app_env: Path, tmp_path: Path) -> None:
    chains = list(shipped_chains().values())
    for suffix in (".xlsx", ".csv", ".json"):
        path = tmp_path / f"chains{suffix}"
        export_chains(chains, path)
        report = import_chains(path)
        assert report.industries == {c.industry: len(c.links) for c in chains}
        loaded = load_chains()
        for chain in chains:
            assert loaded[chain.industry].links == chain.links, (suffix, chain.industry)
            assert loaded[chain.industry].name == chain.name
            assert loaded[chain.industry].description == chain.description
            assert loaded[chain.industry].source == "imported"


def test_a_shipped_style_json_document_imports(app_env: Path, tmp_path: Path) -> None:
    document = shipped_chains()["agri-processing"].as_dict()
    document["links"][0]["name"] = "糖料蔗良种与种植基地"
    path = tmp_path / "agri.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    import_chains(path)
    assert load_chains()["agri-processing"].links[0].name == "糖料蔗良种与种植基地"
