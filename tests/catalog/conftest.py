"""A small catalogue on the parametrised database (SQLite and PostgreSQL) and the callers acting on it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from matchmaker.catalog.access import Actor
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


@dataclass
class Catalogue:
    """Ids of the seeded records and one caller per role."""

    ids: dict[str, int]

    @property
    def admin(self) -> Actor:
        """An administrator."""
        return Actor("admin")

    @property
    def organiser(self) -> Actor:
        """An event organiser."""
        return Actor("organiser")

    @property
    def reader(self) -> Actor:
        """A read-only key."""
        return Actor("reader")

    @property
    def enterprise(self) -> Actor:
        """The key of the Nanning enterprise (E1)."""
        return Actor("enterprise", self.ids["ent"])

    @property
    def other_enterprise(self) -> Actor:
        """The key of the Beihai enterprise (E2)."""
        return Actor("enterprise", self.ids["other"])


@pytest.fixture
def world(session: Session) -> Catalogue:
    """A park, two Guangxi enterprises, a Shanghai university, and items including drafts."""
    park = Park(
        external_id="P-NN", name="南宁高新区", level="national", city="南宁", industries=["ai"]
    )
    ent = Organisation(
        external_id="E1", name="南宁测试电子", kind="enterprise", province="广西", park=park
    )
    other = Organisation(external_id="E2", name="北海测试显示", kind="enterprise", province="广西")
    uni = Organisation(external_id="U1", name="沪上测试大学", kind="university", province="上海")
    session.add_all([park, ent, other, uni])
    session.flush()
    ach = Achievement(
        external_id="A1",
        title="面板Mura缺陷视觉检测",
        summary="基于深度学习的Mura检测。",
        trl=7,
        industries=["electronic-info"],
        owner=uni,
        price_min=50,
        price_max=80,
        contact_name="王老师",
    )
    draft = Need(
        external_id="N-draft",
        title="虚焊检测（草稿）",
        description="人工目检效率低。",
        enterprise=ent,
        park=park,
        status="draft",
    )
    other_draft = Need(
        external_id="N-other-draft",
        title="背光亮度不均（草稿）",
        description="背光亮度均匀性差。",
        enterprise=other,
        status="draft",
    )
    scenario = Scenario(
        external_id="S1", title="园区巡检机器人", description="夜间巡检。", park=park, owner=ent
    )
    for item in (ach, draft, other_draft, scenario):
        item.refresh_hash()
    session.add_all([ach, draft, other_draft, scenario])
    session.commit()
    return Catalogue(
        {
            "park": park.id,
            "ent": ent.id,
            "other": other.id,
            "uni": uni.id,
            "ach": ach.id,
            "draft": draft.id,
            "other_draft": other_draft.id,
            "scenario": scenario.id,
        }
    )
