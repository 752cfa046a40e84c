"""科技金融驿站: financial products imported with the importers' rules and matched to needs and
achievements by stage, amount and industry, with reasons; shown on item pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.service import import_file
from matchmaker.finance.match import products_for
from matchmaker.finance.models import FinanceProduct
from matchmaker.store.models import Achievement, Need, Organisation
from tests.catalog.importer.test_import import write_dict_csv

PRODUCTS = [
    {
        "产品编号": "F-1",
        "产品名称": "科技贷·智能网联",
        "产品类型": "科技贷",
        "提供机构": "柳州某银行",
        "适用行业": "智能网联汽车",
        "适用阶段": "TRL5-9",
        "额度(万元)": "50-500",
    },
    {
        "产品编号": "F-2",
        "产品名称": "专利质押快贷",
        "产品类型": "知识产权质押融资",
        "提供机构": "广西某担保公司",
        "适用行业": "",
        "适用阶段": "",
        "额度(万元)": "10-100",
    },
    {
        "产品编号": "F-3",
        "产品名称": "新材料引导基金",
        "产品类型": "政府引导基金",
        "提供机构": "广西某引导基金",
        "适用行业": "关键金属及生物质新材料",
        "适用阶段": "3-6",
        "额度(万元)": "500-3000",
    },
]


def _world(session: Session) -> tuple[Need, Achievement]:
    firm = Organisation(external_id="F-E", name="柳州测试车企", kind="enterprise", province="广西")
    uni = Organisation(external_id="F-U", name="测试大学", kind="university", province="上海")
    session.add_all([firm, uni])
    session.flush()
    need = Need(
        external_id="F-N",
        title="线控底盘",
        description="需要线控底盘改装",
        enterprise_id=firm.id,
        industries=["icv"],
        min_trl=6,
        budget_min=80,
        budget_max=200,
    )
    ach = Achievement(
        external_id="F-A",
        title="铝基复合材料",
        summary="铝基复合材料",
        trl=4,
        owner_id=uni.id,
        industries=["metals-biomass"],
        price_min=800,
        price_max=1000,
    )
    session.add_all([need, ach])
    session.flush()
    return need, ach


def test_products_import_with_the_importers_rules(session: Session, tmp_path: Path) -> None:
    report = import_file(session, "科技金融", write_dict_csv(tmp_path / "f.csv", PRODUCTS, "gbk"))
    session.commit()
    assert report.created == 3
    f3 = session.scalars(select(FinanceProduct).where(FinanceProduct.external_id == "F-3")).one()
    assert (f3.product_type, f3.industries) == ("guidance_fund", ["metals-biomass"])
    assert (f3.trl_min, f3.trl_max, f3.amount_min, f3.amount_max) == (3, 6, 500, 3000)
    again = import_file(session, "finance", write_dict_csv(tmp_path / "g.csv", PRODUCTS))
    assert (again.created, again.unchanged) == (0, 3)
    bad = [{**PRODUCTS[0], "产品类型": "众筹", "适用阶段": "9-3"}, {**PRODUCTS[1], "产品名称": ""}]
    with pytest.raises(ImportFailed) as refused:
        import_file(session, "finance", write_dict_csv(tmp_path / "b.csv", bad))
    found = {(x.row, x.field) for x in refused.value.report.problems}
    assert found == {(2, "产品类型"), (2, "适用阶段"), (3, "产品名称")}
    assert "未知的产品类型“众筹”" in str(refused.value.report.problems[0])


def test_products_match_needs_and_achievements_by_stage_amount_and_industry(
    session: Session, tmp_path: Path
) -> None:
    import_file(session, "finance", write_dict_csv(tmp_path / "f.csv", PRODUCTS))
    need, ach = _world(session)
    for_need = products_for(session, need)
    assert [m.product.external_id for m in for_need] == ["F-1", "F-2"]
    best = for_need[0]
    assert "适用行业：智能网联汽车" in best.reasons
    assert "适用阶段 TRL5–9，覆盖成熟度 TRL6" in best.reasons
    assert "额度 50–500 万元，与需求预算 80–200 万元 相符" in best.reasons
    assert best.score > for_need[1].score
    for_ach = products_for(session, ach)
    # F-3 fits industry, stage and amount (500–3000 covers 800–1000); F-1 is for another
    # industry; F-2's 10–100 万元 is below the price asked
    assert [m.product.external_id for m in for_ach] == ["F-3"]
    assert for_ach[0].type_zh == "政府引导基金"
