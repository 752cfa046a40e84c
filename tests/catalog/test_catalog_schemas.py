"""The API schemas and the importer accept and refuse the same values with the same messages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.importer.service import import_rows
from matchmaker.catalog.schemas import AchievementCreate, NeedCreate, OrganisationCreate, ParkCreate
from tests.catalog.conftest import Catalogue

GOOD = {
    "external_id": "A-9",
    "title": "工业视觉缺陷检测",
    "summary": "深度学习检测表面缺陷。",
    "trl": 7,
    "owner_id": 1,
}
ROW = {
    "成果编号": "A-9",
    "成果名称": "工业视觉缺陷检测",
    "成果简介": "深度学习检测表面缺陷。",
    "成熟度": 7,
    "成果单位": "U1",
}


def schema_message(**changes: object) -> str:
    with pytest.raises(ValidationError) as refused:
        AchievementCreate(**{**GOOD, **changes})
    return str(refused.value)


def import_message(session: Session, **cells: object) -> str:
    with pytest.raises(ImportFailed) as refused:
        import_rows(session, "achievements", [RawRow(2, {**ROW, **cells})])
    return "\n".join(p.reason for p in refused.value.report.problems)


@pytest.mark.parametrize(
    ("field", "cell", "value", "message"),
    [
        ("trl", "成熟度", "十级", "成熟度应为 1–9 的整数"),
        ("trl", "成熟度", 12, "成熟度应在 1–9 之间"),
        ("industries", "所属行业", "炼金术", "未知的行业“炼金术”"),
        ("coop_modes", "合作方式", "赠送", "未知的合作方式"),
        ("ipr_status", "知识产权状态", "待定", "未知的知识产权状态"),
        ("title", "成果名称", "长" * 301, "最长 300 个字符"),
        ("keywords", "关键词", "、".join(f"词{i}" for i in range(51)), "最多 50 项"),
        ("price_min", "价格下限", -5, "金额不能为负数"),
    ],
)
def test_the_same_value_is_refused_alike(
    session: Session, world: Catalogue, field: str, cell: str, value: object, message: str
) -> None:
    assert message in schema_message(**{field: value})
    assert message in import_message(session, **{cell: value})


def test_an_upside_down_range_reads_the_same_in_both(session: Session, world: Catalogue) -> None:
    text = "价格下限 200 大于上限 50"
    assert text in schema_message(price_min=200, price_max=50)
    assert text in import_message(session, 价格下限=200, 价格上限=50)


def test_what_people_type_is_read_the_same_way() -> None:
    ach = AchievementCreate(
        **{
            **GOOD,
            "trl": "TRL 6",
            "industries": "电子信息、人工智能",
            "coop_modes": ["技术许可", "合作开发"],
            "ipr_status": "已授权",
            "price_min": "50万",
            "keywords": ["视觉", "视觉", " 检测 "],
        }
    )
    assert ach.trl == 6 and ach.ipr_status == "granted" and ach.price_min == 50
    assert ach.coop_modes == ["license", "joint-dev"]
    assert ach.keywords == ["视觉", "检测"]
    assert len(ach.industries) == 2 and all(code.isascii() for code in ach.industries)
    need = NeedCreate(external_id="N-9", title="需求", description="描述", deadline="2027年6月30日")
    assert need.deadline is not None and need.deadline.isoformat() == "2027-06-30"
    org = OrganisationCreate(
        external_id="O-9", name="某大学", kind="高校", province="广西壮族自治区"
    )
    assert (org.kind, org.province) == ("university", "广西")
    park = ParkCreate(external_id="P-9", name="某园区", level="自治区级", city="柳州")
    assert park.level == "regional"


def test_unknown_fields_are_named() -> None:
    with pytest.raises(ValidationError, match="colour"):
        AchievementCreate(**GOOD, colour="red")
