"""The search service against a real database and the real embedder: sync, writes, load, repair."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.index.filters import ANY_STATUS, Filters
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.store.db import session_factory
from matchmaker.store.models import Achievement, Need


def top(index: SearchIndex, query: str, kind: str, **options: Any) -> int | None:
    hits = index.search(query, kind, k=1, **options)
    return hits[0].id if hits else None


def test_sync_indexes_every_kind_and_search_finds_the_right_item(
    tmp_path: Path, embedder: Embedder, cache: EmbeddingCache, db_session: Session, world: Any
) -> None:
    index = SearchIndex(embedder, tmp_path / "index", cache=cache)
    report = index.sync(db_session)
    assert {k: c.added for k, c in report.kinds.items()} == {
        "achievement": 8,
        "need": 3,
        "scenario": 2,
    }
    query = "储能电池起火爆炸预警"
    for mode in ("hybrid", "dense", "lexical"):
        assert top(index, query, "achievement", mode=mode) == world.ids["A1"], mode
    assert top(index, "冲压件划痕人工目检", "need") == world.ids["N2"]
    assert top(index, "汽车零部件质检试点", "scenario") == world.ids["S2"]
    hit = index.search(query, "achievement", k=1)[0]
    assert hit.kind == "achievement" and hit.dense_score and hit.lexical_score
    assert hit.dense_score > 0.8, "cosine of normalised e5 vectors"
    again = index.sync(db_session)
    assert not again.changed and sum(c.embedded for c in again.kinds.values()) == 0


def test_write_then_search_sees_the_change_within_a_second(
    tmp_path: Path, embedder: Embedder, cache: EmbeddingCache, db_session: Session, world: Any
) -> None:
    index = SearchIndex(embedder, tmp_path / "index", cache=cache)
    index.sync(db_session)
    item = db_session.get(Achievement, world.ids["A6"])
    assert item is not None
    item.title = "稻田甲烷减排微生物菌剂"
    item.summary = "筛选产甲烷抑制菌株，稻田甲烷排放降低35%，已在玉林示范。"
    item.refresh_hash()
    db_session.commit()

    started = time.perf_counter()
    embedder.encode_documents([item.embedding_text()])
    embedder.encode_queries(["稻田甲烷排放"])
    embedding_alone = time.perf_counter() - started  # this machine's cost of the two embeddings

    started = time.perf_counter()
    changes = index.upsert_items(db_session, "achievement", [item.id])
    hits = index.search("稻田甲烷排放", "achievement", k=1)
    assert time.perf_counter() - started < 1.0 + 2 * embedding_alone
    assert changes.updated == 1 and changes.embedded == 1
    assert hits[0].id == item.id

    # closing hides it by default; asking for closed items shows it again, with no re-embedding
    item.status = "closed"
    db_session.commit()
    changes = index.upsert_items(db_session, "achievement", [item.id])
    assert changes.embedded == 0
    assert item.id not in [h.id for h in index.search("稻田甲烷排放", "achievement", k=8)]
    assert top(index, "稻田甲烷排放", "achievement", filters=ANY_STATUS) == item.id

    # a deleted row disappears, whether told directly or found out from the database
    assert index.delete_items("achievement", [item.id]) == 1
    assert top(index, "稻田甲烷排放", "achievement", filters=ANY_STATUS) != item.id
    db_session.delete(db_session.get(Achievement, world.ids["A2"]))
    db_session.commit()
    assert index.upsert_items(db_session, "achievement", [world.ids["A2"]]).removed == 1
    assert index.count("achievement") == 6


def test_load_repairs_missing_and_stale_items(
    tmp_path: Path, embedder: Embedder, cache: EmbeddingCache, any_db: tuple[Engine, Any]
) -> None:
    engine, world = any_db
    make_session = session_factory(engine)
    with make_session() as session:
        index = SearchIndex(embedder, tmp_path / "index", cache=cache)
        index.sync(session)
        index.save()
    # while the service was down: one need edited, one added, one deleted, one closed
    with make_session() as session:
        edited = session.get(Need, world.ids["N3"])
        assert edited is not None
        edited.description = "糖厂希望把糖蜜发酵成燃料乙醇，提高副产品价值。"
        edited.refresh_hash()
        added = Need(
            external_id="N4",
            title="荔枝出口保鲜",
            description="荔枝运到越南途中容易褐变腐烂，需要冷链保鲜方案。",
            industries=["agri-processing"],
            enterprise_id=edited.enterprise_id,
        )
        added.refresh_hash()
        session.add(added)
        session.delete(session.get(Need, world.ids["N1"]))
        closed = session.get(Need, world.ids["N2"])
        assert closed is not None
        closed.status = "closed"
        session.commit()
        added_id = added.id

    with make_session() as session:
        restarted = SearchIndex(embedder, tmp_path / "index", cache=cache)
        report = restarted.load(session)
    needs = report.kinds["need"]
    assert report.rebuilt_reason is None
    assert (needs.added, needs.updated, needs.removed, needs.embedded) == (1, 1, 1, 2)
    assert report.kinds["achievement"].embedded == 0, "unchanged kinds are loaded, not re-embedded"
    assert top(restarted, "荔枝运输保鲜", "need") == added_id
    assert top(restarted, "燃料乙醇发酵", "need") == world.ids["N3"]
    assert top(restarted, "储能电站安全", "need", filters=ANY_STATUS) != world.ids["N1"]
    assert world.ids["N2"] not in [h.id for h in restarted.search("冲压件视觉检测", "need", k=5)]


def test_switching_embedder_rebuilds_and_says_so(
    tmp_path: Path,
    embedder: Embedder,
    other_embedder: Embedder,
    cache: EmbeddingCache,
    db_session: Session,
) -> None:
    first = SearchIndex(embedder, tmp_path / "index", cache=cache)
    first.sync(db_session)
    first.save()
    switched = SearchIndex(other_embedder, tmp_path / "index", cache=cache)
    report = switched.load(db_session)
    assert report.rebuilt_reason is not None
    assert (
        "嵌入模型已更换" in report.rebuilt_reason and other_embedder.name in report.rebuilt_reason
    )
    assert sum(c.embedded for c in report.kinds.values()) == 13, "every item re-embedded"
    switched.save()
    assert switched.status()["fingerprint"] == other_embedder.fingerprint
    # and back: the first embedder's save is gone, so it rebuilds again (from its cache)
    back = SearchIndex(embedder, tmp_path / "index", cache=cache)
    assert back.load(db_session).rebuilt_reason is not None


def test_recommendations_from_an_item_to_another_kind(
    tmp_path: Path, embedder: Embedder, cache: EmbeddingCache, db_session: Session, world: Any
) -> None:
    index = SearchIndex(embedder, tmp_path / "index", cache=cache)
    index.sync(db_session)
    need = world.ids["N1"]
    hits = index.similar_to_item("need", need, "achievement", k=3)
    assert hits[0].id == world.ids["A1"]
    scenario_hits = index.similar_to_item("need", need, "scenario", k=1)
    assert scenario_hits[0].id == world.ids["S1"]
    text = db_session.scalars(select(Need).where(Need.id == world.ids["N2"])).one().embedding_text()
    fused = index.similar_to_item("need", world.ids["N2"], "achievement", k=2, text=text)
    assert fused[0].id == world.ids["A3"] and fused[0].lexical_score is not None
    same_kind = index.similar_to_item("achievement", world.ids["A1"], "achievement", k=7)
    assert world.ids["A1"] not in [h.id for h in same_kind], "an item is not its own recommendation"
    park_only = index.similar_to_item(
        "need", need, "achievement", k=5, filters=Filters.build(guangxi=True)
    )
    assert park_only and all(
        h.id in {world.ids[x] for x in ("A1", "A2", "A4", "A6")} for h in park_only
    )


def test_saved_index_reloads_without_embedding(
    tmp_path: Path, embedder: Embedder, cache: EmbeddingCache, db_session: Session, world: Any
) -> None:
    index = SearchIndex(embedder, tmp_path / "index", cache=cache)
    index.sync(db_session)
    index.save()
    reloaded = SearchIndex(embedder, tmp_path / "index", cache=cache)
    report = reloaded.load(db_session)
    assert sum(c.embedded for c in report.kinds.values()) == 0 and not report.changed
    assert top(reloaded, "蔗渣餐具", "achievement") == world.ids["A2"]
    assert reloaded.status()["kinds"]["achievement"]["count"] == 8
    ids, vectors = reloaded.vectors("achievement")
    assert sorted(ids.tolist()) == sorted(world.ids[f"A{i}"] for i in range(1, 9))
    assert vectors.shape == (8, embedder.dim)
