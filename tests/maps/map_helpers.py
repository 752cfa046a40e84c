"""Shared pieces of the map tests: the real embedder with a per-user cache, and a small park world
written through the real importer."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from benchmarks.maps import shared_cache_dir
from matchmaker.catalog.importer.readers import RawRow
from matchmaker.catalog.importer.service import import_rows
from matchmaker.maps.chains import load_chains
from matchmaker.maps.vectors import TextVectors, cache_dir
from matchmaker.retrieval.embed import EmbeddingCache, get_embedder

LABELS = Path(__file__).parent / "data" / "demo_link_labels.json"


@lru_cache(maxsize=1)
def shared_vectors() -> TextVectors:
    """The default embedder with the per-user embedding cache, so each text is embedded once ever."""
    return TextVectors(get_embedder("e5-small"), EmbeddingCache(shared_cache_dir()))


def prime_cache(data_dir: Path, documents: list[str]) -> None:
    """Copy real vectors (every chain link's query vector and the given documents' vectors) into
    an app's own data-directory cache, computing any missing ones once in the shared cache."""
    vectors = shared_vectors()
    target = EmbeddingCache(cache_dir(data_dir))
    from matchmaker.retrieval.embed.base import clean_texts
    from matchmaker.retrieval.embed.cache import text_key

    links = [link.match_text() for chain in load_chains(data_dir).values() for link in chain.links]
    fingerprint = vectors.embedder.fingerprint
    for kind, texts, embed in (
        ("query", links, vectors.queries),
        ("document", documents, vectors.documents),
    ):
        if texts:
            found = embed(texts)
            keys = [text_key(t) for t in clean_texts(texts)]
            target.put_many(fingerprint, kind, list(zip(keys, found, strict=True)))
    target.close()


def database_texts(session: Session) -> list[str]:
    """Every text a map of this database can match: items and organisation profiles."""
    from sqlalchemy import select

    from matchmaker.maps.vectors import org_text
    from matchmaker.store.models import Achievement, Need, Organisation

    texts = [org_text(o.name, o.description) for o in session.scalars(select(Organisation))]
    texts.extend(need.embedding_text() for need in session.scalars(select(Need)))
    texts.extend(a.embedding_text() for a in session.scalars(select(Achievement)))
    return texts


def rows(items: list[dict[str, Any]]) -> list[RawRow]:
    """Raw rows as a file would give them (numbered from 2, like a spreadsheet)."""
    return [RawRow(number, dict(cells)) for number, cells in enumerate(items, start=2)]


PARK = {
    "external_id": "T-LZ",
    "name": "测试柳州高新区",
    "level": "national",
    "city": "柳州",
    "industries": "智能网联汽车",
    "description": "以汽车整车与零部件为主导的测试园区。",
}
ORGANISATIONS = [
    {
        "external_id": "T-E1",
        "name": "柳州测试动力电池系统有限公司",
        "kind": "企业",
        "province": "广西",
        "park": "T-LZ",
        "industries": "icv",
        "description": "动力电池PACK企业，生产电动车电池包与电池管理系统（BMS），配套微型电动车。",
    },
    {
        "external_id": "T-E2",
        "name": "柳州测试驱动电机有限公司",
        "kind": "企业",
        "province": "广西",
        "park": "T-LZ",
        "industries": "icv",
        "description": "生产新能源汽车驱动电机和电机控制器，年产电机约20万台。",
    },
    {
        "external_id": "T-E3",
        "name": "柳州测试精密压铸有限公司",
        "kind": "企业",
        "province": "广西",
        "park": "T-LZ",
        "industries": "icv",
        "description": "铝合金压铸企业，生产电驱壳体、减速器壳体和电池包下箱体等压铸件。",
    },
    {
        "external_id": "T-E4",
        "name": "柳州测试冲压模具有限公司",
        "kind": "企业",
        "province": "广西",
        "park": "T-LZ",
        "industries": "icv",
        "description": "设计制造汽车覆盖件冷冲压模具和级进模，兼做车身结构件冲压。",
    },
    {
        "external_id": "T-SH",
        "name": "上海测试线控科技有限公司",
        "kind": "企业",
        "province": "上海",
        "city": "上海",
        "industries": "icv",
        "description": "线控底盘研发企业，产品有电子机械制动EMB和线控转向系统。",
    },
    {
        "external_id": "T-U1",
        "name": "柳州测试工业大学",
        "kind": "高校",
        "province": "广西",
        "city": "柳州",
        "industries": "icv",
        "description": "以车辆工程和机械为特色的理工科大学。",
    },
]
NEEDS = [
    {
        "external_id": "T-N1",
        "title": "电池包热失控早期预警",
        "description": "我司电池PACK产品需要热失控早期预警方案，电芯温升和产气检测，BMS可集成。",
        "enterprise": "T-E1",
        "industries": "icv",
    },
    {
        "external_id": "T-N2",
        "title": "扁线电机定子绕组绝缘失效",
        "description": "扁线驱动电机定子绕组端部绝缘在高压下局部放电，希望找到绝缘改进方案。",
        "enterprise": "T-E2",
        "industries": "icv",
    },
    {
        "external_id": "T-N3",
        "title": "电驱壳体压铸气孔导致泄漏",
        "description": "铝合金电驱壳体压铸件气孔导致气密测试泄漏，需要高真空压铸工艺。",
        "enterprise": "T-E3",
        "industries": "icv",
    },
]
ACHIEVEMENTS = [
    {
        "external_id": "T-A1",
        "title": "电子机械制动（EMB）与线控转向冗余控制系统",
        "summary": "面向L3自动驾驶的线控制动与线控转向双冗余执行系统，失效后仍可安全停车，"
        "已完成冬季试验，可用于乘用车和低速无人车线控底盘。",
        "trl": 7,
        "owner": "T-SH",
        "industries": "icv",
        "coop_modes": "许可、合作开发",
    },
    {
        "external_id": "T-A2",
        "title": "低速无人车滑板式线控底盘改装套件",
        "summary": "把现有电动底盘改装为线控底盘：线控转向、线控制动和整车控制器，"
        "适合园区无人配送车。",
        "trl": 6,
        "owner": "T-U1",
        "industries": "icv",
        "coop_modes": "合作开发",
    },
]
BY_WIRE_FIRM = {
    "external_id": "T-E9",
    "name": "柳州测试线控底盘科技有限公司",
    "kind": "企业",
    "province": "广西",
    "park": "T-LZ",
    "industries": "icv",
    "description": "线控底盘企业，研发生产线控制动（EHB）、线控转向和滑板底盘，为无人配送车配套。",
}
BY_WIRE_NEED = {
    "external_id": "T-N9",
    "title": "线控转向双冗余失效控制",
    "description": "我司线控转向系统需要双冗余失效运行控制算法和功能安全开发支持。",
    "enterprise": "T-E9",
    "industries": "icv",
}


def load_world(session: Session) -> None:
    """The test park, its firms and items, through the real importer (one transaction)."""
    import_rows(session, "parks", rows([PARK]))
    import_rows(session, "organisations", rows(ORGANISATIONS))
    import_rows(session, "needs", rows(NEEDS))
    import_rows(session, "achievements", rows(ACHIEVEMENTS))
    session.commit()


def demo_labels() -> list[dict[str, Any]]:
    """The hand-labelled demo maps (see docs/maps.md)."""
    return list(json.loads(LABELS.read_text(encoding="utf-8"))["maps"])
