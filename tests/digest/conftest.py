"""A real SMTP server on 127.0.0.1, a small world of items and subscribers, and its embeddings
computed once per session (every test copies them into its own data directory)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from matchmaker.core.config import Settings, get_settings
from matchmaker.digest.candidates import embedding_cache, item_vectors, iter_open_items
from matchmaker.digest.models import Subscription
from matchmaker.digest.subscriptions import SubscriptionData, upsert_subscription
from matchmaker.retrieval.embed import embed_queries_cached, get_embedder
from matchmaker.retrieval.vectors import TextVectors
from matchmaker.store.db import make_engine, session_scope, upgrade
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario, utcnow

PUBLIC_URL = "https://mm.example.cn"


# ---- SMTP server ------------------------------------------------------------------------------
@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        """Parsed with the modern policy (decoded headers, get_body)."""
        parsed = email.message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    """Accepts everything, unless told to refuse some recipients (4xx a few times, or 5xx always)
    or to hang on a given DATA (to let a test kill the sender mid-conversation)."""

    received: list[Received] = field(default_factory=list)
    transient: dict[str, int] = field(default_factory=dict)  # address -> 451s still to give
    permanent: set[str] = field(default_factory=set)  # addresses answered 550
    rcpt_attempts: dict[str, int] = field(default_factory=dict)
    hang_on_data: int | None = None  # the Nth DATA never gets an answer until released
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    datas: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802
        address = address.lower()
        with self.lock:
            self.rcpt_attempts[address] = self.rcpt_attempts.get(address, 0) + 1
            if address in self.permanent:
                return f"550 5.1.1 <{address}>: mailbox does not exist"
            if self.transient.get(address, 0) > 0:
                self.transient[address] -= 1
                return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.datas += 1
            number = self.datas
        if self.hang_on_data is not None and number == self.hang_on_data:
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 aborted"
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)
                )
            )
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list[Received]:
        """Messages accepted for one address."""
        with self.lock:
            return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    """The running server's port and its handler."""

    port: int
    handler: Handler


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a random free port."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield SmtpServer(port, handler)
    finally:
        handler.release.set()
        controller.stop()


# ---- the world --------------------------------------------------------------------------------
FILLERS = [
    (
        "甘蔗联合收割机切割器防缠绕",
        "丘陵坡地甘蔗收获时切割器易被蔗叶缠绕，改进刀盘结构减少停机。",
        "agri-processing",
    ),
    (
        "茶叶农药残留快速检测试纸",
        "基于酶抑制法的茶叶农残快速检测，十分钟出结果。",
        "agri-processing",
    ),
    ("中药材种植全程溯源平台", "记录中药材种植、采收、加工全过程，扫码可查来源。", "biomedicine"),
    (
        "铝型材挤压模具寿命提升",
        "通过渗氮工艺提高铝型材挤压模具寿命一倍以上。",
        "advanced-equipment",
    ),
    ("跨境冷链物流温度监控", "东盟跨境冷链运输全程温度监控与报警。", "modern-logistics"),
    ("近海网箱养殖水质在线监测", "监测溶解氧与水温，自动开启增氧设备。", "marine"),
    ("罗汉果甜苷高纯度提取", "膜分离结合树脂吸附，提取高纯度罗汉果甜苷。", "agri-processing"),
    ("建筑节能玻璃低辐射镀膜", "低辐射镀膜玻璃降低建筑空调能耗百分之二十。", "green-env"),
    ("工商业储能变流器并网控制", "储能变流器并网与离网无缝切换控制技术。", "new-energy"),
    ("北斗渔船越界预警终端", "渔船接近边界自动报警，数据回传岸基平台。", "marine"),
    ("桉木单板旋切与干燥工艺", "桉木旋切单板快速干燥，减少开裂变形。", "green-env"),
    ("生物医药缓释微球制剂", "可降解高分子缓释微球，延长药物作用时间。", "biomedicine"),
]


@dataclass
class World:
    """Ids of the world's items by label."""

    ids: dict[str, int]


def build_world(engine: Engine) -> World:
    """Two parks, four organisations, twelve topical items and twelve fillers (short texts)."""
    today = dt.date.today()
    with session_scope(engine) as s:
        nn = Park(
            external_id="P-NN",
            name="南宁高新区",
            level="national",
            city="南宁",
            industries=["electronic-info", "ai-hardware"],
        )
        lz = Park(
            external_id="P-LZ",
            name="柳州高新区",
            level="national",
            city="柳州",
            industries=["icv", "advanced-equipment"],
        )
        sh = Organisation(
            external_id="U-SH",
            name="沪上测试交通大学",
            kind="university",
            province="上海",
            city="上海",
        )
        gx = Organisation(
            external_id="U-GX",
            name="广西测试大学",
            kind="university",
            province="广西",
            city="南宁",
            park=nn,
        )
        elz = Organisation(
            external_id="E-LZ",
            name="柳州测试汽车零部件有限公司",
            kind="enterprise",
            province="广西",
            city="柳州",
            park=lz,
        )
        enn = Organisation(
            external_id="E-NN",
            name="南宁测试显示科技有限公司",
            kind="enterprise",
            province="广西",
            city="南宁",
            park=nn,
        )
        s.add_all([nn, lz, sh, gx, elz, enn])
        s.flush()
        items: dict[str, Any] = {
            "A-lidar": Achievement(
                external_id="A1",
                title="车载激光雷达点云目标检测算法",
                summary="基于激光雷达点云的车辆与行人三维检测，适用于自动驾驶和无人配送车，雨雾天误检率低。",
                keywords=["激光雷达", "点云"],
                industries=["icv"],
                trl=6,
                owner=sh,
            ),
            "A-rare": Achievement(
                external_id="A2",
                title="钕铁硼磁体晶界扩散重稀土减量技术",
                summary="通过晶界扩散降低重稀土用量百分之四十，用于驱动电机磁钢。",
                keywords=["稀土", "永磁"],
                industries=["metals-biomass"],
                trl=7,
                owner=gx,
            ),
            "A-vision": Achievement(
                external_id="A3",
                title="显示面板Mura缺陷机器视觉检测",
                summary="深度学习检测液晶面板Mura缺陷，漏检率低于千分之五。",
                keywords=["机器视觉", "缺陷检测"],
                industries=["electronic-info"],
                trl=7,
                owner=sh,
            ),
            "A-battery": Achievement(
                external_id="A4",
                title="磷酸铁锂电池热失控预警模组",
                summary="监测电池包温度与气体，提前预警锂电池热失控。",
                keywords=["锂电池", "热失控"],
                industries=["new-energy"],
                trl=6,
                owner=gx,
            ),
            "N-lidar": Need(
                external_id="N1",
                title="无人配送车雨天误检急停",
                description="园区无人配送车在雨天经常误检急停，需要激光雷达与毫米波融合感知方案。",
                keywords=["激光雷达", "无人配送"],
                industries=["icv"],
                enterprise=elz,
                park=lz,
                deadline=today + dt.timedelta(days=90),
            ),
            "N-vision": Need(
                external_id="N2",
                title="车载显示屏Mura缺陷自动检测",
                description="车载液晶模组点灯检测依靠人工目检，希望用机器视觉自动检测Mura缺陷。",
                keywords=["机器视觉", "Mura"],
                industries=["electronic-info"],
                enterprise=enn,
                park=nn,
            ),
            "N-rare": Need(
                external_id="N3",
                title="驱动电机磁钢重稀土减量",
                description="希望降低驱动电机钕铁硼磁钢的重稀土用量，控制成本。",
                keywords=["稀土"],
                industries=["metals-biomass"],
                enterprise=elz,
                park=lz,
            ),
            "N-expired": Need(
                external_id="N4",
                title="电池包锂电池热失控监测",
                description="锂电池包热失控监测方案征集，已过截止日期。",
                keywords=["锂电池"],
                industries=["new-energy"],
                enterprise=elz,
                park=lz,
                deadline=today - dt.timedelta(days=3),
            ),
            "N-closed": Need(
                external_id="N5",
                title="废旧锂电池回收拆解",
                status="closed",
                description="寻求废旧锂电池自动拆解回收技术，需求已关闭。",
                keywords=["锂电池"],
                industries=["new-energy"],
                enterprise=enn,
                park=nn,
            ),
            "S-lidar": Scenario(
                external_id="S1",
                title="柳州高新区园区无人配送示范",
                description="开放园区道路用于无人配送车示范运营，需要激光雷达感知和调度系统。",
                industries=["icv"],
                park=lz,
                capabilities=["激光雷达", "调度"],
            ),
            "S-vision": Scenario(
                external_id="S2",
                title="南宁高新区智慧安防巡检",
                description="园区安防视频巡检，需要机器视觉识别异常行为。",
                industries=["ai-hardware"],
                park=nn,
                capabilities=["机器视觉"],
            ),
        }
        for n, (title, text, industry) in enumerate(FILLERS):
            if n % 2:
                items[f"F{n}"] = Need(
                    external_id=f"F{n}",
                    title=title,
                    description=text,
                    industries=[industry],
                    enterprise=enn,
                )
            else:
                items[f"F{n}"] = Achievement(
                    external_id=f"F{n}",
                    title=title,
                    summary=text,
                    industries=[industry],
                    trl=5,
                    owner=gx,
                )
        for item in items.values():
            item.refresh_hash()
        s.add_all(items.values())
        s.flush()
        return World({label: item.id for label, item in items.items()})


TERMS = ["激光雷达", "机器视觉", "稀土", "锂电池", "无人驾驶感知"]


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedding cache of the world's texts and the tests' terms, computed once."""
    folder = tmp_path_factory.mktemp("digest-cache")
    engine = make_engine(f"sqlite:///{folder / 'world.db'}")
    upgrade(engine)
    build_world(engine)
    embedder = get_embedder(get_settings().embedder)
    cache = embedding_cache(folder)
    with session_scope(engine) as session:
        items = list(iter_open_items(session, today=dt.date(2000, 1, 1)))
    item_vectors(TextVectors(embedder, cache), items)
    embed_queries_cached(embedder, TERMS, cache)
    cache.close()
    engine.dispose()
    return folder / "cache"


@pytest.fixture
def digest_env(
    app_env: Path, smtp: SmtpServer, warm_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings aimed at the test SMTP server and data directory (with the warm cache copied in)."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SMTP_SENDER", "digest@mm.example.cn")
    monkeypatch.setenv("MATCHMAKER_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("MATCHMAKER_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("MATCHMAKER_DIGEST_RETRY_BASE_SECONDS", "0.01")
    get_settings.cache_clear()
    app_env.mkdir(parents=True, exist_ok=True)
    shutil.copytree(warm_cache, app_env / "cache", dirs_exist_ok=True)
    return get_settings()


def subscribe(engine: Engine, email_address: str, *, confirmed: bool = True, **values: Any) -> int:
    """Create an (already confirmed) subscription; returns its id."""
    with session_scope(engine) as session:
        data = SubscriptionData(email=email_address, **values)
        return upsert_subscription(session, data, confirmed=confirmed).subscription.id


def subscription(engine: Engine, email_address: str) -> Subscription:
    """Fresh copy of a subscription."""
    with session_scope(engine) as session:
        found = session.scalars(
            select(Subscription).where(Subscription.email == email_address)
        ).one()
        session.expunge(found)
        return found


def titles(received: Received) -> str:
    """The plain-text body of a digest (to look for item titles in)."""
    body = received.message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def later(hours: float) -> dt.datetime:
    """A moment some hours from now (the job's --now)."""
    return utcnow() + dt.timedelta(hours=hours)
