"""Importers: every format and encoding, Chinese headers, all-or-nothing, re-import without duplicates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.readers import ReadError
from matchmaker.catalog.importer.service import import_file
from matchmaker.store.models import Achievement, Need, Organisation, Park

PARK_ROWS = [
    {
        "园区编号": "P-T1",
        "园区名称": "测试高新区",
        "级别": "国家级",
        "城市": "南宁",
        "主导产业": "电子信息、人工智能",
    },
]
ORG_ROWS = [
    {
        "机构编号": "O-1",
        "机构名称": "邕州测试大学",
        "机构类型": "高校",
        "省份": "广西壮族自治区",
        "城市": "南宁",
        "所在园区": "测试高新区",
    },
    {
        "机构编号": "O-2",
        "机构名称": "沪上测试研究院",
        "机构类型": "科研院所",
        "省份": "上海市",
        "城市": "上海",
    },
    {
        "机构编号": "O-3",
        "机构名称": "柳州测试汽车零部件有限公司",
        "机构类型": "企业",
        "省份": "广西",
        "城市": "柳州",
        "所在园区": "P-T1",
    },
]
ACH_HEADERS = [
    "成果编号",
    "成果名称",
    "成果简介",
    "关键词",
    "技术领域",
    "成熟度",
    "合作方式",
    "价格(万元)",
    "成果单位",
    "联系人",
]
ACH_ROWS = [
    [
        "A-1",
        "铝合金轻量化压铸工艺",
        "采用真空高压压铸与T6热处理，使副车架减重28%，屈服强度≥280MPa。",
        "铝合金;压铸，轻量化",
        "智能网联汽车",
        "TRL7",
        "转让、许可",
        "80-150",
        "邕州测试大学",
        "王老师",
    ],
    [
        "A-2",
        "车载毫米波雷达目标识别算法",
        "基于点云聚类与轻量网络，行人识别准确率96.5%，单帧延时12ms。",
        "毫米波雷达、目标识别",
        "icv, 人工智能",
        "6",
        "合作开发",
        "面议",
        "O-2",
        "李工",
    ],
]


def write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str) -> Path:
    """Write a CSV the way Excel does in the given encoding."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_dict_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    headers = list(rows[0])
    return write_csv(path, headers, [[r.get(h, "") for h in headers] for r in rows], encoding)


def seed(session: Session, tmp_path: Path) -> None:
    """Parks and organisations every item import refers to."""
    import_file(session, "parks", write_dict_csv(tmp_path / "parks.csv", PARK_ROWS))
    import_file(session, "organisations", write_dict_csv(tmp_path / "orgs.csv", ORG_ROWS))
    session.commit()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding_with_chinese_headers(
    session: Session, tmp_path: Path, encoding: str
) -> None:
    seed(session, tmp_path)
    path = write_csv(tmp_path / "a.csv", ACH_HEADERS, ACH_ROWS, encoding)
    report = import_file(session, "achievements", path)
    session.commit()
    assert report.created == 2
    a1 = session.scalars(select(Achievement).where(Achievement.external_id == "A-1")).one()
    assert a1.title == "铝合金轻量化压铸工艺"
    assert a1.keywords == ["铝合金", "压铸", "轻量化"]
    assert a1.trl == 7
    assert a1.coop_modes == ["transfer", "license"]
    assert (a1.price_min, a1.price_max) == (80, 150)
    assert a1.industries == ["icv"]
    assert a1.owner.name == "邕州测试大学"
    a2 = session.scalars(select(Achievement).where(Achievement.external_id == "A-2")).one()
    assert a2.industries == ["icv", "ai-hardware"]
    assert (a2.price_min, a2.price_max) == (None, None)
    assert a2.owner.is_eastern and not a1.owner.is_eastern


def test_xlsx_and_jsonl(session: Session, tmp_path: Path) -> None:
    seed(session, tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.append(ACH_HEADERS)
    for row in ACH_ROWS:
        ws.append([7 if v == "TRL7" else v for v in row])
    wb.save(tmp_path / "a.xlsx")
    assert import_file(session, "achievements", tmp_path / "a.xlsx").created == 2
    need = {
        "external_id": "N-1",
        "title": "副车架减重",
        "description": "现有钢制副车架偏重，希望减重20%以上，成本增加不超过15%。",
        "industries": ["icv"],
        "min_trl": 6,
        "budget": "50-100万",
        "deadline": "2027年6月30日",
        "coop_modes": "转让,合作开发",
        "enterprise": "O-3",
    }
    (tmp_path / "n.jsonl").write_text(json.dumps(need, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_file(session, "needs", tmp_path / "n.jsonl").created == 1
    session.commit()
    n = session.scalars(select(Need)).one()
    assert (n.budget_min, n.budget_max, n.min_trl) == (50, 100, 6)
    assert str(n.deadline) == "2027-06-30"
    assert n.park is not None and n.park.name == "测试高新区", "need takes its enterprise's park"
    assert count(session, Achievement) == 2


def test_reimport_updates_by_external_id_without_duplicates(
    session: Session, tmp_path: Path
) -> None:
    seed(session, tmp_path)
    path = write_csv(tmp_path / "a.csv", ACH_HEADERS, ACH_ROWS, "utf-8")
    import_file(session, "achievements", path)
    session.commit()
    again = import_file(session, "achievements", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    edited = [list(ACH_ROWS[0]), ACH_ROWS[1]]
    edited[0][5] = "8"
    report = import_file(
        session, "achievements", write_csv(tmp_path / "b.csv", ACH_HEADERS, edited, "utf-8")
    )
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert count(session, Achievement) == 2
    assert (
        session.scalars(select(Achievement.trl).where(Achievement.external_id == "A-1")).one() == 8
    )


def test_broken_file_imports_nothing_and_names_every_problem(
    session: Session, tmp_path: Path
) -> None:
    seed(session, tmp_path)
    rows = [
        ACH_ROWS[0],
        ["A-3", "", "简介", "", "电子信息", "12", "转让", "100", "O-1", ""],
        ["A-4", "某成果", "简介", "", "火星采矿", "5", "赠送", "200-100", "不存在的大学", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", ACH_HEADERS, rows, "utf-8")
    with pytest.raises(ImportFailed) as info:
        import_file(session, "achievements", path)
    session.rollback()
    problems = {(p.row, p.field) for p in info.value.report.problems}
    assert (3, "成果名称") in problems and (3, "成熟度") in problems
    assert {(4, "所属行业"), (4, "合作方式"), (4, "价格(万元)"), (4, "成果单位")} <= problems
    assert count(session, Achievement) == 0, "a failed import changes nothing"
    reasons = " ".join(p.reason for p in info.value.report.problems)
    assert "火星采矿" in reasons and "不存在的大学" in reasons


def test_skip_invalid_imports_the_valid_rows(session: Session, tmp_path: Path) -> None:
    seed(session, tmp_path)
    rows = [ACH_ROWS[0], ["A-3", "无简介成果", "", "", "电子信息", "5", "转让", "", "O-1", ""]]
    report = import_file(
        session,
        "achievements",
        write_csv(tmp_path / "a.csv", ACH_HEADERS, rows, "utf-8"),
        skip_invalid=True,
    )
    session.commit()
    assert report.created == 1 and report.skipped_rows == [3]
    assert [p.field for p in report.problems] == ["成果简介"]


def test_duplicate_ids_in_one_file_are_reported(session: Session, tmp_path: Path) -> None:
    seed(session, tmp_path)
    path = write_csv(tmp_path / "a.csv", ACH_HEADERS, [ACH_ROWS[0], ACH_ROWS[0]], "utf-8")
    with pytest.raises(ImportFailed) as info:
        import_file(session, "achievements", path)
    assert [(p.row, p.field) for p in info.value.report.problems] == [(3, "编号")]


def test_unreadable_files_are_refused(session: Session, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(ReadError, match="不支持"):
        import_file(session, "parks", tmp_path / "x.txt")
    (tmp_path / "x.jsonl").write_text('{"name": "ok"}\n{broken\n', encoding="utf-8")
    with pytest.raises(ReadError, match="第 2 行"):
        import_file(session, "parks", tmp_path / "x.jsonl")
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="XLSX"):
        import_file(session, "parks", tmp_path / "x.xlsx")
    assert count(session, Park) == 0 and count(session, Organisation) == 0


def test_the_policy_wording_of_industries_imports(session: Session, tmp_path: Path) -> None:
    """A park office's sheet that uses the policy's own names imports as the taxonomy's codes."""
    seed(session, tmp_path)
    rows = [list(ACH_ROWS[0]), list(ACH_ROWS[1])]
    rows[0][4] = "关键金属及生物质新材料"
    rows[1][4] = "人工智能及智能硬件、特色农产品精深加工"
    path = write_csv(tmp_path / "a.csv", ACH_HEADERS, rows, "gbk")
    assert import_file(session, "achievements", path).created == 2
    session.commit()
    found = dict(session.execute(select(Achievement.external_id, Achievement.industries)).all())
    assert found == {"A-1": ["metals-biomass"], "A-2": ["ai-hardware", "agri-processing"]}


def test_an_unknown_industry_label_names_the_closest_industries(
    session: Session, tmp_path: Path
) -> None:
    seed(session, tmp_path)
    rows = [list(ACH_ROWS[0])]
    rows[0][4] = "农产品深加工"
    with pytest.raises(ImportFailed) as info:
        import_file(
            session, "achievements", write_csv(tmp_path / "a.csv", ACH_HEADERS, rows, "utf-8")
        )
    (problem,) = info.value.report.problems
    assert (problem.row, problem.field) == (2, "所属行业")
    assert "是否指" in problem.reason and "特色农产品加工" in problem.reason


def test_with_skip_invalid_an_unknown_label_imports_the_row_flagged_to_map(
    session: Session, tmp_path: Path
) -> None:
    """The row keeps its known industries; the unknown label is kept for staff, who map it once
    and every record that carried it gains the industry."""
    from matchmaker.catalog.labels import map_label, open_labels

    seed(session, tmp_path)
    rows = [list(ACH_ROWS[0]), list(ACH_ROWS[1])]
    rows[0][4] = "智能网联汽车、农产品深加工"
    rows[1][4] = "农产品深加工"
    path = write_csv(tmp_path / "a.csv", ACH_HEADERS, rows, "utf-8")
    with pytest.raises(ImportFailed):  # without --skip-invalid: all or nothing, as before
        import_file(session, "achievements", path)
    session.rollback()
    report = import_file(session, "achievements", path, skip_invalid=True)
    session.commit()
    assert report.created == 2 and report.skipped_rows == []
    assert report.flagged == [(2, "农产品深加工"), (3, "农产品深加工")]
    assert all(p.soft and "是否指" in p.reason for p in report.problems)
    found = dict(session.execute(select(Achievement.external_id, Achievement.industries)).all())
    assert found == {"A-1": ["icv"], "A-2": []}
    (label,) = open_labels(session)
    assert label.label == "农产品深加工" and len(label.records) == 2
    assert label.suggestions[0] == "agri-processing"
    assert map_label(session, "农产品深加工", "特色农产品精深加工") == 2
    session.commit()
    found = dict(session.execute(select(Achievement.external_id, Achievement.industries)).all())
    assert found == {"A-1": ["icv", "agri-processing"], "A-2": ["agri-processing"]}
    assert open_labels(session) == []
    with pytest.raises(LookupError):
        map_label(session, "农产品深加工", "agri-processing")
    with pytest.raises(ValueError, match="未知的行业"):
        map_label(session, "农产品深加工", "炼金术")


def test_a_row_with_a_real_error_is_still_skipped_beside_an_unknown_label(
    session: Session, tmp_path: Path
) -> None:
    seed(session, tmp_path)
    rows = [list(ACH_ROWS[0])]
    rows[0][4] = "炼金术"
    rows[0][5] = "12"  # TRL out of range: a hard problem
    path = write_csv(tmp_path / "a.csv", ACH_HEADERS, rows, "utf-8")
    report = import_file(session, "achievements", path, skip_invalid=True)
    assert report.created == 0 and report.skipped_rows == [2] and report.flagged == []


def test_a_university_list_without_trl_imports_with_maturity_unknown(
    session: Session, tmp_path: Path
) -> None:
    """Real achievement lists often state no TRL: the column may be missing or a cell blank."""
    seed(session, tmp_path)
    headers = [h for h in ACH_HEADERS if h != "成熟度"]
    rows = [[v for h, v in zip(ACH_HEADERS, row, strict=True) if h != "成熟度"] for row in ACH_ROWS]
    report = import_file(
        session, "achievements", write_csv(tmp_path / "a.csv", headers, rows, "gbk")
    )
    session.commit()
    assert report.created == 2 and not report.problems
    assert set(session.scalars(select(Achievement.trl))) == {None}
    blank = [list(ACH_ROWS[0])]
    blank[0][5] = ""
    import_file(session, "achievements", write_csv(tmp_path / "b.csv", ACH_HEADERS, blank, "utf-8"))
    session.commit()
    a1 = session.scalars(select(Achievement).where(Achievement.external_id == "A-1")).one()
    assert a1.trl is None
