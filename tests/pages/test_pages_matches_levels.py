"""'My matches' shows each recommended pair's calibrated level, and says plainly when nothing fits
one of the organisation's needs (in process, real index, the shipped pair calibrator)."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.accounts.models import User
from tests.pages.account_site import Site, log_in, sign_up, site

__all__ = ["site"]  # the module's fixture


def test_my_matches_shows_levels_and_no_good_match(site: Site) -> None:
    from matchmaker.store.db import session_scope
    from matchmaker.store.models import Achievement, Need, Organisation

    member = site.client()
    sign_up(site, member, "wang@pingxiang.cn", "王经理")
    with session_scope() as s:
        ours = Organisation(
            external_id="ORG-PX",
            name="凭祥测试口岸物流有限公司",
            kind="enterprise",
            province="广西",
            park_id=site.parks["lz"],
        )
        lab = Organisation(
            external_id="U-HZ", name="杭州测试材料学院", kind="university", province="浙江"
        )
        s.add_all([ours, lab])
        s.flush()
        wool = Achievement(
            external_id="A-WOOL",
            title="保温装饰一体板憎水岩棉",
            summary="憎水岩棉用于外墙保温，解决岩棉板吸水后保温性能下降的问题。",
            trl=8,
            owner_id=lab.id,
            industries=["green-env"],
        )
        wool.refresh_hash()
        s.add(wool)
        user = s.scalars(select(User).where(User.email == "wang@pingxiang.cn")).one()
        user.organisation_id, user.org_role, user.membership = ours.id, "member", "active"
        need = Need(
            external_id="N-PX-CUSTOMS",
            title="口岸货车通关排队太慢想用AI",
            description="边境口岸货车通关排长队，想用人工智能预约通关、自动核验报关单和车牌。",
            enterprise_id=ours.id,
            park_id=site.parks["lz"],
            industries=[],
        )
        need.refresh_hash()
        s.add(need)
        s.flush()
        need_id, wool_id = need.id, wool.id
    index = site.app.state.container.index()  # type: ignore[attr-defined]
    with session_scope() as s:
        index.upsert_items(s, "need", [need_id])
        index.upsert_items(s, "achievement", [wool_id])
    log_in(member, "wang@pingxiang.cn")

    page = member.get("/my/matches")
    assert page.status_code == 200
    group = page.text.split(f'id="matches-need-{need_id}"', 1)[1]
    section = group.split('<section class="rec-section">', 2)[1]
    assert 'class="no-match rec-no-match"' in section
    assert "暂时没有合适的配对" in section and "联系园区工作人员" in section
    cards = section.split('<li class="result"')[1:]
    assert cards, "the closest pairs are still listed for reference"
    assert all('class="badge level level-low"' in card and "匹配度低" in card for card in cards)
