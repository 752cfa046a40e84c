"""A small stored world for the event service tests: seven Guangxi/Shanghai organisations, each
enterprise with one need and each university or institute with one achievement, and an event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from matchmaker.events import service
from matchmaker.events.models import Event, EventParticipant
from matchmaker.store.models import Achievement, Need, Organisation, Park

FAST = 3.0  # planner time limit for the small events below

# external id, name, kind, province, size
ORGS = [
    ("E1", "南宁智造电子有限公司", "enterprise", "广西", "medium"),
    ("E2", "柳州精密零部件有限公司", "enterprise", "广西", "medium"),
    ("E3", "桂林小微光电科技有限公司", "enterprise", "广西", "small"),
    ("U1", "邕江科技大学", "university", "广西", "large"),
    ("U2", "漓江理工学院", "university", "广西", "small"),
    ("U3", "沪上电子研究院", "research_institute", "上海", "medium"),
    ("U4", "八桂信息工程大学", "university", "广西", "medium"),
]
NEEDS = {
    "E1": ("贴片元件虚焊自动检测", "SMT产线依靠人工目检，希望用机器视觉自动检测虚焊和漏焊。"),
    "E2": ("冲压件表面缺陷检测", "冲压件划痕、凹坑依赖人工抽检，需要在线视觉检测方案。"),
    "E3": ("背光模组亮度均匀性检测", "背光模组亮度不均，需要光学检测与校正算法。"),
}
ACHIEVEMENTS = {
    "U1": ("深度学习焊点缺陷视觉检测", "基于深度学习的焊点虚焊、漏焊视觉检测，准确率99%。", 7),
    "U2": ("工业表面划痕在线检测系统", "面向冲压件和钣金件的表面划痕、凹坑在线视觉检测。", 6),
    "U3": ("显示面板Mura光学检测", "面板与背光模组亮度不均（Mura）的光学检测与补偿算法。", 8),
    "U4": ("电子装配质量视觉检测平台", "电子装配产线的元件缺件、错件和焊接缺陷视觉检测。", 6),
}


def seed(session: Session) -> dict[str, int]:
    """Three Guangxi enterprises with one need each; four universities/institutes with one
    achievement each, all in electronic information (so every enterprise–university pair scores)."""
    park = Park(external_id="P-NN", name="南宁高新区", level="national", city="南宁")
    session.add(park)
    orgs: dict[str, Organisation] = {}
    for ext, name, kind, province, size in ORGS:
        orgs[ext] = Organisation(
            external_id=ext, name=name, kind=kind, province=province, size=size, park=park
        )
    session.add_all(orgs.values())
    session.flush()
    for ext, (title, text) in NEEDS.items():
        need = Need(
            external_id=f"N-{ext}",
            title=title,
            description=text,
            enterprise_id=orgs[ext].id,
            industries=["electronic-info"],
            min_trl=5,
        )
        need.refresh_hash()
        session.add(need)
    for ext, (title, text, trl) in ACHIEVEMENTS.items():
        ach = Achievement(
            external_id=f"A-{ext}",
            title=title,
            summary=text,
            trl=trl,
            owner_id=orgs[ext].id,
            industries=["electronic-info"],
        )
        ach.refresh_hash()
        session.add(ach)
    session.flush()
    return {ext: org.id for ext, org in orgs.items()}


TEAM = "key:1"  # the principal on every test event's organiser team


def make_event(
    session: Session,
    orgs: dict[str, int],
    *,
    slots: int = 4,
    tables: int = 3,
    who: tuple[str, ...] = ("E1", "E2", "E3", "U1", "U2", "U3", "U4"),
    max_meetings: int = 3,
    interpreters: dict[int, list[str]] | None = None,
) -> tuple[Event, dict[str, EventParticipant]]:
    """An event of `slots` 20-minute slots from 09:00 and `tables` tables labelled A1, A2, …"""
    grid = service.session_slots(
        "上午场", "09:00", f"{9 + slots * 20 // 60:02d}:{slots * 20 % 60:02d}", 20
    )
    for slot, languages in (interpreters or {}).items():
        grid[slot]["interpreters"] = languages
    event = service.create_event(
        session,
        service.EventSpec(
            name="2026 南宁园校企对接会",
            date=dt.date(2026, 12, 1),
            slots=grid,
            tables=[f"A{i + 1}" for i in range(tables)],
            tracks=["tech-transfer"],
            default_max_meetings=max_meetings,
        ),
        organiser=TEAM,
    )
    people = {ext: service.add_participant(session, event.id, orgs[ext]) for ext in who}
    return event, people
