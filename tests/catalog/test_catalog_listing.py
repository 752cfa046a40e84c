"""Reading the catalogue as different callers: drafts, contacts, filters and paging."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.catalog.access import Actor, speaks_for
from matchmaker.catalog.listing import (
    Filters,
    find_by_ref,
    get_record,
    list_records,
    park_items,
    parks_overview,
)
from matchmaker.catalog.public import record_public
from matchmaker.core.errors import Invalid, NotFound
from tests.catalog.conftest import Catalogue


def titles(session: Session, actor: Actor, kind: str, **filters: object) -> list[str]:
    found = list_records(session, actor, kind, Filters(**filters))  # type: ignore[arg-type]
    assert found.total == len(found.records)
    return [getattr(r, "title", None) or r.name for r in found.records]


def test_drafts_are_seen_by_organisers_and_their_own_organisation_only(
    session: Session, world: Catalogue
) -> None:
    assert titles(session, world.organiser, "need") == ["虚焊检测（草稿）", "背光亮度不均（草稿）"]
    assert titles(session, world.enterprise, "need") == ["虚焊检测（草稿）"]
    assert titles(session, world.reader, "need") == []
    assert titles(session, Actor(), "need") == []
    assert (
        get_record(session, world.enterprise, "need", world.ids["draft"]).external_id == "N-draft"
    )


def test_a_hidden_draft_reads_exactly_like_a_missing_record(
    session: Session, world: Catalogue
) -> None:
    with pytest.raises(NotFound) as hidden:
        get_record(session, world.enterprise, "need", world.ids["other_draft"])
    missing_id = world.ids["other_draft"] + 1000
    with pytest.raises(NotFound) as missing:
        get_record(session, world.enterprise, "need", missing_id)
    assert hidden.value.message == missing.value.message.replace(
        str(missing_id), str(world.ids["other_draft"])
    )


def test_contacts_only_for_roles_that_may_see_them(session: Session, world: Catalogue) -> None:
    ach = get_record(session, world.reader, "achievement", world.ids["ach"])
    assert record_public(ach, world.reader)["contact"] is None
    assert record_public(ach, world.enterprise)["contact"]["name"] == "王老师"


def test_filters_by_industry_region_trl_and_text(session: Session, world: Catalogue) -> None:
    assert titles(session, world.reader, "achievement", industry="电子信息") == [
        "面板Mura缺陷视觉检测"
    ]
    assert titles(session, world.reader, "achievement", region="eastern") == [
        "面板Mura缺陷视觉检测"
    ]
    assert titles(session, world.reader, "achievement", region="上海市") == ["面板Mura缺陷视觉检测"]
    assert titles(session, world.reader, "achievement", region="guangxi") == []
    assert titles(session, world.reader, "achievement", trl_min=8) == []
    assert titles(session, world.reader, "achievement", trl_max=7, q="Mura") == [
        "面板Mura缺陷视觉检测"
    ]
    assert titles(session, world.reader, "organisation", org_kind="university") == ["沪上测试大学"]
    assert titles(session, world.reader, "organisation", region="广西壮族自治区") == [
        "南宁测试电子",
        "北海测试显示",
    ]
    assert titles(session, world.organiser, "need", enterprise_id=world.ids["other"]) == [
        "背光亮度不均（草稿）"
    ]


def test_unknown_industry_and_unsupported_filters_name_the_field(
    session: Session, world: Catalogue
) -> None:
    with pytest.raises(Invalid) as unknown:
        list_records(session, world.reader, "need", Filters(industry="炼金术"))
    assert [f.field for f in unknown.value.fields] == ["industry"]
    assert "炼金术" in unknown.value.message
    with pytest.raises(Invalid) as unsupported:
        list_records(session, world.reader, "scenario", Filters(region="eastern", trl_min=3))
    assert [f.field for f in unsupported.value.fields] == ["region", "trl_min"]


def test_pages_count_every_match(session: Session, world: Catalogue) -> None:
    first = list_records(session, world.organiser, "organisation", limit=2)
    second = list_records(session, world.organiser, "organisation", limit=2, offset=2)
    assert first.total == second.total == 3
    assert len(first.records) == 2 and len(second.records) == 1
    assert {r.id for r in first.records}.isdisjoint(r.id for r in second.records)


def test_park_pages_show_open_items_only(session: Session, world: Catalogue) -> None:
    total, scenarios = park_items(session, world.ids["park"], "scenario", 10)
    assert total == 1 and scenarios[0].external_id == "S1"
    assert park_items(session, world.ids["park"], "need", 10)[0] == 0, "the draft is not listed"
    parks, counts = parks_overview(session)
    assert [p.external_id for p in parks] == ["P-NN"]
    assert counts == {"needs": {}, "scenarios": {world.ids["park"]: 1}}


def test_references_by_external_id_or_name(session: Session, world: Catalogue) -> None:
    assert find_by_ref(session, "organisation", "E2").id == world.ids["other"]
    assert find_by_ref(session, "organisation", "沪上测试大学").id == world.ids["uni"]
    with pytest.raises(NotFound, match="找不到机构"):
        find_by_ref(session, "organisation", "无此机构")


def test_who_speaks_for_an_item(session: Session, world: Catalogue) -> None:
    assert speaks_for(session, world.enterprise, "need", world.ids["draft"])
    assert not speaks_for(session, world.other_enterprise, "need", world.ids["draft"])
    assert speaks_for(session, world.enterprise, "scenario", world.ids["scenario"])
    assert not speaks_for(session, world.enterprise, "park", world.ids["park"])
    assert speaks_for(session, world.organiser, "park", world.ids["park"])
    assert not speaks_for(session, world.reader, "need", world.ids["draft"])
