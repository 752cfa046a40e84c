"""An API client against a fresh data directory, with one key per role and a small world of items."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matchmaker.store.auth import create_key
from matchmaker.store.db import session_scope, upgrade
from matchmaker.store.models import Achievement, Need, Organisation, Park


@dataclass
class Api:
    """A test client plus the headers of each role."""

    client: TestClient
    keys: dict[str, str]
    ids: dict[str, int]

    def as_(self, role: str) -> dict[str, str]:
        """Headers authenticating as a role."""
        return {"X-API-Key": self.keys[role]}


def seed_world() -> tuple[dict[str, str], dict[str, int]]:
    """Two parks' worth of organisations and items, and keys for every role."""
    upgrade()
    with session_scope() as s:
        park = Park(
            external_id="P-NN",
            name="南宁高新区",
            level="national",
            city="南宁",
            industries=["electronic-info", "ai-hardware"],
        )
        ent = Organisation(
            external_id="E1",
            name="南宁测试电子有限公司",
            kind="enterprise",
            province="广西",
            city="南宁",
            park=park,
        )
        other = Organisation(
            external_id="E2",
            name="北海测试显示科技有限公司",
            kind="enterprise",
            province="广西",
            city="北海",
        )
        uni = Organisation(
            external_id="U1", name="沪上测试大学", kind="university", province="上海", city="上海"
        )
        s.add_all([park, ent, other, uni])
        s.flush()
        ach = Achievement(
            external_id="A1",
            title="面板Mura缺陷视觉检测",
            summary="基于深度学习的Mura检测，漏检率低于0.5%。",
            trl=7,
            industries=["electronic-info"],
            coop_modes=["license"],
            owner=uni,
            contact_name="王老师",
            contact_phone="021-00000000",
        )
        own_need = Need(
            external_id="N1",
            title="贴片元件虚焊检测",
            description="人工目检效率低，希望自动检测虚焊。",
            enterprise=ent,
            park=park,
            industries=["electronic-info"],
            min_trl=6,
            contact_name="李经理",
        )
        other_need = Need(
            external_id="N2",
            title="背光模组亮度不均",
            description="背光亮度均匀性差。",
            enterprise=other,
            industries=["electronic-info"],
        )
        for item in (ach, own_need, other_need):
            item.refresh_hash()
        s.add_all([ach, own_need, other_need])
        s.flush()
        keys = {
            "admin": create_key(s, name="t-admin", role="admin"),
            "organiser": create_key(s, name="t-org", role="organiser"),
            "enterprise": create_key(s, name="t-ent", role="enterprise", organisation_id=ent.id),
            "reader": create_key(s, name="t-read", role="reader"),
        }
        ids = {
            "park": park.id,
            "ent": ent.id,
            "other": other.id,
            "uni": uni.id,
            "ach": ach.id,
            "own_need": own_need.id,
            "other_need": other_need.id,
        }
    return keys, ids


@pytest.fixture
def api(app_env: Path) -> Iterator[Api]:
    """A running app (lifespan included) over a seeded temporary database."""
    from api.main import create_app

    keys, ids = seed_world()
    with TestClient(create_app()) as client:
        yield Api(client, keys, ids)
