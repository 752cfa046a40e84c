"""Changing the catalogue through the item service: who may write what, the rules each write must
keep, and the search index following every write."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.catalog.items import create_record, delete_record, update_record
from matchmaker.catalog.listing import get_record
from matchmaker.catalog.schemas import (
    AchievementCreate,
    AchievementUpdate,
    NeedCreate,
    NeedUpdate,
    OrganisationUpdate,
    ParkCreate,
    ScenarioCreate,
)
from matchmaker.core.errors import Conflict, Forbidden, Invalid, NotFound
from matchmaker.retrieval.embed import get_embedder
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.store.models import Need, Organisation, Scenario
from tests.catalog.conftest import Catalogue

NEED = {"external_id": "N-new", "title": "SMT产线AOI误报率高", "description": "误报率约8%。"}


def test_an_enterprise_publishes_needs_for_itself_only(session: Session, world: Catalogue) -> None:
    need = create_record(session, world.enterprise, NeedCreate(**NEED))
    assert need.enterprise_id == world.ids["ent"]
    assert need.park_id == world.ids["park"], "a need belongs to its enterprise's park"
    assert need.content_hash, "the change hash is set so the index embeds it"
    with pytest.raises(Forbidden, match="本机构"):
        create_record(
            session,
            world.enterprise,
            NeedCreate(**{**NEED, "external_id": "N-x", "enterprise_id": world.ids["other"]}),
        )
    with pytest.raises(Forbidden, match="本机构"):
        update_record(
            session, world.enterprise, "need", world.ids["other_draft"], NeedUpdate(title="改")
        )
    with pytest.raises(Forbidden, match="本机构"):
        delete_record(session, world.enterprise, "need", world.ids["other_draft"])
    assert session.get(Need, world.ids["other_draft"]) is not None


def test_roles_without_rights_change_nothing(session: Session, world: Catalogue) -> None:
    with pytest.raises(Forbidden, match="reader"):
        create_record(session, world.reader, NeedCreate(**NEED, enterprise_id=world.ids["ent"]))
    with pytest.raises(Forbidden, match="enterprise"):
        create_record(
            session,
            world.enterprise,
            ParkCreate(external_id="P-X", name="新园区", level="国家级", city="柳州"),
        )
    with pytest.raises(Invalid) as missing:
        create_record(session, world.organiser, NeedCreate(**NEED))
    assert [f.field for f in missing.value.fields] == ["enterprise_id"]
    assert session.query(Need).filter_by(external_id="N-new").count() == 0


def test_references_must_exist(session: Session, world: Catalogue) -> None:
    body = ScenarioCreate(
        external_id="S-new", title="新场景", description="描述", owner_id=world.ids["uni"] + 999
    )
    with pytest.raises(Invalid) as wrong:
        create_record(session, world.organiser, body)
    assert [f.field for f in wrong.value.fields] == ["owner_id"]


def test_an_update_may_not_turn_a_range_upside_down(session: Session, world: Catalogue) -> None:
    with pytest.raises(Invalid) as upside_down:
        update_record(
            session,
            world.organiser,
            "achievement",
            world.ids["ach"],
            AchievementUpdate(price_min=90),
        )
    assert [f.field for f in upside_down.value.fields] == ["price_min"]
    assert "价格下限 90 大于上限 80" in upside_down.value.message
    session.expire_all()
    ach = get_record(session, world.reader, "achievement", world.ids["ach"])
    assert (ach.price_min, ach.price_max) == (50, 80), "nothing was changed"
    changed = update_record(
        session,
        world.organiser,
        "achievement",
        world.ids["ach"],
        AchievementUpdate(price_min=90, price_max=120),
    )
    assert (changed.price_min, changed.price_max) == (90, 120)


def test_required_fields_cannot_be_cleared(session: Session, world: Catalogue) -> None:
    with pytest.raises(Invalid) as cleared:
        update_record(session, world.enterprise, "need", world.ids["draft"], NeedUpdate(title=None))
    assert [f.field for f in cleared.value.fields] == ["title"]
    cleared_ok = update_record(
        session, world.enterprise, "need", world.ids["draft"], NeedUpdate(deadline=None)
    )
    assert cleared_ok.title == "虚焊检测（草稿）"


def test_duplicates_conflict_and_the_session_stays_usable(
    session: Session, world: Catalogue
) -> None:
    with pytest.raises(Conflict, match="重复"):
        create_record(
            session,
            world.organiser,
            NeedCreate(**{**NEED, "external_id": "N-draft"}, enterprise_id=world.ids["ent"]),
        )
    again = create_record(
        session, world.organiser, NeedCreate(**NEED, enterprise_id=world.ids["ent"])
    )
    assert again.id is not None


def test_an_organisation_owning_items_is_not_deleted(session: Session, world: Catalogue) -> None:
    with pytest.raises(Conflict, match="仍有 2 条"):  # a need draft and a scenario
        delete_record(session, world.organiser, "organisation", world.ids["ent"])
    delete_record(session, world.organiser, "scenario", world.ids["scenario"])
    delete_record(session, world.organiser, "need", world.ids["draft"])
    delete_record(session, world.organiser, "organisation", world.ids["ent"])
    assert session.get(Organisation, world.ids["ent"]) is None
    with pytest.raises(NotFound):
        delete_record(session, world.organiser, "organisation", world.ids["ent"])


def test_organisation_updates_normalise_the_province(session: Session, world: Catalogue) -> None:
    org = update_record(
        session,
        world.organiser,
        "organisation",
        world.ids["other"],
        OrganisationUpdate(province="广东省", kind="公司"),
    )
    assert (org.province, org.kind, org.is_eastern) == ("广东", "enterprise", True)


def test_writes_are_searchable_at_once_and_deletes_vanish(
    session: Session, world: Catalogue
) -> None:
    index = SearchIndex(get_embedder("e5-small"), None)
    index.sync(session)
    body = AchievementCreate(
        external_id="A-new",
        title="钠离子电池低温电解液",
        summary="零下二十度容量保持率九成以上的钠离子电池电解液配方。",
        trl=6,
        owner_id=world.ids["uni"],
    )
    ach = create_record(session, world.organiser, body, index=index)
    hits = index.search("钠离子电池 低温", "achievement", 3)
    assert hits and hits[0].id == ach.id
    update_record(
        session,
        world.organiser,
        "achievement",
        ach.id,
        AchievementUpdate(title="固态电池界面改性", summary="硫化物固态电解质与正极界面包覆改性。"),
        index=index,
    )
    assert index.search("硫化物 固态电解质", "achievement", 1)[0].id == ach.id
    delete_record(session, world.organiser, "achievement", ach.id, index=index)
    assert all(h.id != ach.id for h in index.search("硫化物 固态电解质", "achievement", 5))
    assert session.get(Scenario, world.ids["scenario"]) is not None
