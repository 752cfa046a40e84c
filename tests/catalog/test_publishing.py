"""Self-service publishing: a member drafts with the importer's rules and messages, submits, the
park's staff publish (searchable at once) or send back with a comment; others see nothing early."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.catalog import publishing
from matchmaker.catalog.items import get_record, update_record
from matchmaker.catalog.schemas import NeedUpdate
from matchmaker.core.errors import Forbidden, Invalid, NotFound
from matchmaker.policy.actor import MEMBER, PARK_STAFF, Actor
from matchmaker.retrieval.embed import get_embedder
from matchmaker.retrieval.index.service import SearchIndex
from tests.catalog.conftest import Catalogue

NEED = {
    "title": "铝合金轮毂铸造气孔检测",
    "description": "低压铸造铝合金轮毂内部气孔靠人工X光判读，希望自动识别并分级。",
    "keywords": "X光、气孔、铸造缺陷",
    "industries": "先进装备制造",
    "coop_modes": "合作开发、技术服务",
    "budget_min": "30",
    "budget_max": "80",
    "contact_name": "赵工",
}


def member(world: Catalogue, org: str = "ent") -> Actor:
    """A person in an organisation (E1 sits in the park P-NN)."""
    return Actor(MEMBER, world.ids[org], f"user:{world.ids[org]}")


def staff(world: Catalogue, park: int | None = None) -> Actor:
    """Park staff of P-NN unless another park is given."""
    return Actor(PARK_STAFF, None, "user:99", park or world.ids["park"])


def test_a_draft_is_submitted_published_and_searchable_at_once(
    session: Session, world: Catalogue
) -> None:
    index = SearchIndex(get_embedder("e5-small"), None)
    index.sync(session)
    need = publishing.save_draft(session, member(world), "need", NEED, index=index)
    assert (need.status, need.enterprise_id, need.park_id) == (
        "draft",
        world.ids["ent"],
        world.ids["park"],
    )
    assert need.coop_modes == ["joint-dev", "service"] and need.budget_max == 80
    assert need.industries and all(code.isascii() for code in need.industries)  # 行业 → codes
    assert all(h.id != need.id for h in index.search("轮毂 气孔 X光", "need", 5))
    with pytest.raises(NotFound):  # others (and visitors) do not see drafts
        get_record(session, Actor(), "need", need.id)

    publishing.submit(session, member(world), "need", need.id)
    assert need.status == "pending"
    with pytest.raises(NotFound):
        get_record(session, member(world, "other"), "need", need.id)
    assert [(k, i.id) for k, i in publishing.pending_items(session, staff(world))] == [
        ("need", need.id)
    ]
    assert publishing.pending_items(session, staff(world, park=world.ids["park"] + 1000)) == []
    with pytest.raises(Forbidden):
        publishing.publish(session, staff(world, park=world.ids["park"] + 1000), "need", need.id)

    publishing.publish(session, staff(world), "need", need.id, index=index)
    assert need.status == "active"
    assert index.search("轮毂 气孔 X光", "need", 1)[0].id == need.id
    assert get_record(session, Actor(), "need", need.id).title == NEED["title"]
    assert [r.action for r in publishing.history(session, "need", need.id)] == [
        "submitted",
        "published",
    ]


def test_send_back_needs_a_comment_and_returns_a_draft(session: Session, world: Catalogue) -> None:
    need = publishing.save_draft(session, member(world), "need", NEED)
    publishing.submit(session, member(world), "need", need.id)
    with pytest.raises(Invalid):
        publishing.send_back(session, staff(world), "need", need.id, " ")
    publishing.send_back(session, staff(world), "need", need.id, "请补充检测节拍要求")
    assert need.status == "draft"
    assert publishing.history(session, "need", need.id)[-1].comment == "请补充检测节拍要求"
    with pytest.raises(Invalid):  # nothing to review any more
        publishing.publish(session, staff(world), "need", need.id)


def test_bad_forms_name_every_field_with_the_importers_messages(
    session: Session, world: Catalogue
) -> None:
    bad = {**NEED, "title": "", "min_trl": "12", "budget_min": "90", "coop_modes": "入股吧"}
    before = len(publishing.organisation_items(session, member(world)))
    with pytest.raises(Invalid) as refused:
        publishing.save_draft(session, member(world), "need", bad)
    fields = {p.field: p.message for p in refused.value.fields}
    assert set(fields) >= {"title", "min_trl", "coop_modes", "budget_min"}
    assert "需求名称：必填字段为空" in fields["title"] and "最低成熟度" in fields["min_trl"]
    assert "预算下限 90 大于上限 80" in fields["budget_min"]
    assert len(publishing.organisation_items(session, member(world))) == before


def test_members_never_publish_themselves_and_edit_only_their_own(
    session: Session, world: Catalogue
) -> None:
    need = publishing.save_draft(session, member(world), "need", NEED)
    with pytest.raises(Forbidden):
        update_record(session, member(world), "need", need.id, NeedUpdate(status="active"))
    with pytest.raises(NotFound):
        publishing.save_draft(session, member(world, "other"), "need", NEED, need.id)
    with pytest.raises(Forbidden):
        publishing.save_draft(session, Actor("reader"), "need", NEED)
    with pytest.raises(Forbidden):  # a member reviews nothing
        publishing.publish(session, member(world), "need", need.id)


def test_editing_a_published_item_sends_it_back_to_review(
    session: Session, world: Catalogue
) -> None:
    ach = publishing.save_draft(
        session,
        member(world),
        "achievement",
        {"title": "铸件X光缺陷自动判读", "summary": "深度学习判读铸件X光片。", "trl": "6"},
    )
    publishing.submit(session, member(world), "achievement", ach.id)
    publishing.publish(session, staff(world), "achievement", ach.id)  # E1's park reviews it
    changed = publishing.save_draft(
        session,
        member(world),
        "achievement",
        {
            "title": "铸件X光缺陷自动判读 2.0",
            "summary": "深度学习判读铸件X光片，支持分级。",
            "trl": "7",
        },
        ach.id,
    )
    assert (changed.status, changed.trl, changed.keywords) == ("pending", 7, [])
    with pytest.raises(NotFound):
        get_record(session, Actor(), "achievement", ach.id)


CSV = (
    "需求编号,需求名称,需求描述,最低成熟度,需求企业,状态\n"
    "N-UP-1,糖蜜发酵尾气回收,发酵尾气二氧化碳回收提纯。,{trl},北海测试显示,有效\n"
    "N-UP-2,蔗渣锅炉飞灰利用,飞灰制备建材。,5,北海测试显示,有效\n"
)


def test_an_upload_makes_drafts_of_the_own_organisation_all_or_nothing(
    session: Session, world: Catalogue
) -> None:
    from matchmaker.catalog.importer.apply import ImportFailed
    from matchmaker.store.models import Need

    with pytest.raises(ImportFailed) as failed:
        publishing.import_drafts(
            session, member(world), "need", "需求.csv", CSV.format(trl="12").encode()
        )
    problems = failed.value.report.problems
    assert [(p.row, p.field) for p in problems] == [(2, "最低成熟度")]
    assert session.query(Need).filter(Need.external_id.like("N-UP-%")).count() == 0

    report = publishing.import_drafts(
        session, member(world), "need", "需求.csv", CSV.format(trl="6").encode("gbk")
    )
    assert report.created == 2
    made = session.query(Need).filter(Need.external_id.like("N-UP-%")).all()
    assert {(n.enterprise_id, n.status, n.park_id) for n in made} == {
        (world.ids["ent"], "draft", world.ids["park"])  # own organisation and park, never active
    }

    taken = "需求编号,需求名称,需求描述\nN-other-draft,抢别人的编号,描述。\n"
    with pytest.raises(ImportFailed) as clash:
        publishing.import_drafts(session, member(world), "need", "n.csv", taken.encode())
    assert "该编号已有条目" in clash.value.report.problems[0].reason
    other = session.query(Need).filter(Need.external_id == "N-other-draft").one()
    assert other.enterprise_id == world.ids["other"] and other.title == "背光亮度不均（草稿）"
    with pytest.raises(Forbidden):
        publishing.import_drafts(session, Actor("reader"), "need", "n.csv", taken.encode())


def test_edits_go_live_at_once_in_a_park_set_so(
    session: Session, world: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matchmaker.core.config import get_settings

    index = SearchIndex(get_embedder("e5-small"), None)
    index.sync(session)
    need = publishing.save_draft(session, member(world), "need", NEED)
    publishing.submit(session, member(world), "need", need.id)
    publishing.publish(session, staff(world), "need", need.id, index=index)
    monkeypatch.setenv("MATCHMAKER_LIVE_EDIT_PARKS", "P-NN, P-OTHER")
    get_settings.cache_clear()
    try:
        edited = {**NEED, "title": "铝合金轮毂气孔与缩松自动判级", "description": "X光片自动判级。"}
        publishing.save_draft(session, member(world), "need", edited, need.id, index=index)
    finally:
        get_settings.cache_clear()
    assert need.status == "active" and need.title.startswith("铝合金轮毂气孔与缩松")
    assert index.search("缩松 自动判级", "need", 1)[0].id == need.id
    assert publishing.history(session, "need", need.id)[-1].action == "edited"
