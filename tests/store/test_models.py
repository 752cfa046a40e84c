"""The domain model on both databases: JSON lists, derived region flag, timestamps, content hashes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


def make_world(session: Session) -> tuple[Park, Organisation, Organisation]:
    park = Park(
        external_id="P1",
        name="南宁高新区",
        level="national",
        city="南宁",
        industries=["electronic-info", "ai-hardware"],
    )
    gx = Organisation(
        external_id="O1",
        name="邕江科技大学",
        kind="university",
        province="广西",
        city="南宁",
        park=park,
    )
    sh = Organisation(
        external_id="O2",
        name="上海某研究所",
        kind="research_institute",
        province="上海",
        city="上海",
    )
    session.add_all([park, gx, sh])
    session.flush()
    return park, gx, sh


def test_eastern_flag_in_python_and_in_sql(session: Session) -> None:
    _, gx, sh = make_world(session)
    session.commit()
    assert sh.is_eastern and not gx.is_eastern
    eastern = session.scalars(select(Organisation.name).where(Organisation.is_eastern)).all()
    assert eastern == ["上海某研究所"]


def test_items_round_trip_lists_dates_and_hashes(session: Session) -> None:
    park, gx, _ = make_world(session)
    ach = Achievement(
        external_id="A1",
        title="面板缺陷视觉检测",
        summary="深度学习检测Mura缺陷，漏检率<0.5%。",
        keywords=["机器视觉", "Mura"],
        industries=["electronic-info"],
        trl=7,
        coop_modes=["license"],
        owner=gx,
    )
    need = Need(
        external_id="N1",
        title="屏幕检测",
        description="人工目检效率低。",
        industries=["electronic-info"],
        min_trl=6,
        deadline=dt.date(2027, 3, 31),
        coop_modes=["license", "joint-dev"],
        enterprise=gx,
        park=park,
    )
    scen = Scenario(
        external_id="S1",
        title="园区巡检",
        description="无人机巡检园区管网。",
        capabilities=["无人机", "图像识别"],
        park=park,
    )
    for item in (ach, need, scen):
        item.refresh_hash()
    session.add_all([ach, need, scen])
    session.commit()
    session.expire_all()
    got = session.scalars(select(Achievement)).one()
    assert got.keywords == ["机器视觉", "Mura"] and got.owner.name == "邕江科技大学"
    assert "关键词：机器视觉、Mura" in got.embedding_text()
    assert got.created_at is not None and got.updated_at is not None
    before = got.content_hash
    got.summary += "已在北海产线验证。"
    assert got.refresh_hash() != before, (
        "editing the text changes the hash that triggers re-embedding"
    )
    n = session.scalars(select(Need)).one()
    assert n.deadline == dt.date(2027, 3, 31) and n.park is not None and n.park.name == "南宁高新区"
    s = session.scalars(select(Scenario)).one()
    assert "所需能力：无人机、图像识别" in s.embedding_text()
