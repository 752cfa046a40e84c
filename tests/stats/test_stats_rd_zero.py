"""双清零: regulated firms imported with their R&D status, the list of those still to clear, and
the introductions made for them counted until they report R&D."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.service import import_file
from matchmaker.ranking.feedback import PairKey, add_feedback
from matchmaker.stats.rd_zero import intro_note, rd_zero_report
from matchmaker.store.models import Achievement, Organisation, Park
from tests.catalog.importer.test_import import PARK_ROWS, write_dict_csv

FIRMS = [
    {
        "机构编号": "R-1",
        "机构名称": "甲制糖有限公司",
        "规上工业企业": "是",
        "研发机构": "无",
        "研发活动": "无",
    },
    {
        "机构编号": "R-2",
        "机构名称": "乙铝业有限公司",
        "规上工业企业": "是",
        "研发机构": "有",
        "研发活动": "无",
    },
    {
        "机构编号": "R-3",
        "机构名称": "丙电子有限公司",
        "规上工业企业": "是",
        "研发机构": "有",
        "研发活动": "有",
    },
    {
        "机构编号": "R-4",
        "机构名称": "丁机械有限公司",
        "规上工业企业": "是",
        "研发机构": "",
        "研发活动": "",
    },
    {
        "机构编号": "R-5",
        "机构名称": "戊小微企业",
        "规上工业企业": "否",
        "研发机构": "无",
        "研发活动": "无",
    },
]


def firms_csv(tmp_path: Path, rows: list[dict[str, str]], name: str = "firms.csv") -> Path:
    full = [
        {
            **r,
            "机构类型": "企业",
            "省份": "广西",
            "所在园区": "P-T1",
            "企业简介": "白砂糖与糖蜜生产",
        }
        for r in rows
    ]
    return write_dict_csv(tmp_path / name, full, "gbk")


def test_the_list_of_regulated_firms_imports_with_their_rd_status(
    session: Session, tmp_path: Path
) -> None:
    import_file(session, "parks", write_dict_csv(tmp_path / "parks.csv", PARK_ROWS))
    assert import_file(session, "organisations", firms_csv(tmp_path, FIRMS)).created == 5
    session.commit()
    firm = session.scalars(select(Organisation).where(Organisation.external_id == "R-2")).one()
    assert (firm.regulated, firm.rd_institution, firm.rd_activity) == (True, True, False)
    unreported = session.scalars(
        select(Organisation).where(Organisation.external_id == "R-4")
    ).one()
    assert unreported.rd_activity is None
    bad = [{**FIRMS[0], "研发活动": "也许"}]
    with pytest.raises(ImportFailed) as refused:
        import_file(session, "organisations", firms_csv(tmp_path, bad, "bad.csv"))
    (problem,) = refused.value.report.problems
    assert (problem.row, problem.field) == (2, "研发活动") and "有/无" in problem.reason


def test_the_list_names_the_firms_to_clear_and_follows_their_introductions(
    session: Session, tmp_path: Path
) -> None:
    import_file(session, "parks", write_dict_csv(tmp_path / "parks.csv", PARK_ROWS))
    import_file(session, "organisations", firms_csv(tmp_path, FIRMS))
    session.commit()
    park = session.scalars(select(Park).where(Park.external_id == "P-T1")).one()
    report = rd_zero_report(session, park.id)
    assert (report.regulated, report.without_activity, report.without_institution) == (4, 2, 1)
    assert (report.without_both, report.cleared, report.unreported) == (1, 1, 1)
    assert [f.name for f in report.firms] == ["甲制糖有限公司", "乙铝业有限公司"]
    assert report.firms[0].stage is None
    # the park asks for an introduction for 甲, and the two parties later meet
    uni = Organisation(external_id="U-9", name="测试大学", kind="university", province="广西")
    session.add(uni)
    session.flush()
    ach = Achievement(
        external_id="A-9", title="糖蜜发酵", summary="糖蜜发酵制备", trl=6, owner_id=uni.id
    )
    session.add(ach)
    session.flush()
    first = report.firms[0]
    pair = PairKey("east-to-guangxi", "park", park.id, "achievement", ach.id)
    add_feedback(session, pair, "contacted", note=intro_note(first.id, first.name))
    add_feedback(session, pair, "met", note=intro_note(first.id, first.name))
    session.commit()
    again = rd_zero_report(session, park.id)
    assert (again.firms[0].stage, again.firms[0].introductions) == ("met", 1)
    assert again.firms[1].stage is None
    # 甲 reports R&D on the next import: it leaves the list and counts as cleared
    cleared = [{**FIRMS[0], "研发机构": "有", "研发活动": "有"}]
    assert (
        import_file(session, "organisations", firms_csv(tmp_path, cleared, "next.csv")).updated == 1
    )
    session.commit()
    last = rd_zero_report(session, park.id)
    assert [f.name for f in last.firms] == ["乙铝业有限公司"] and last.cleared == 2
