"""The pgvector store answers like the FAISS index: same top-10, filters, deletes, updates; and a
second index over the same database takes the vectors instead of embedding, and follows writes."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from matchmaker.core.config import Settings
from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.embed.base import normalise_rows
from matchmaker.retrieval.index.filters import Filters
from matchmaker.retrieval.index.follow import ChangeFollower
from matchmaker.retrieval.index.pgvector import PgVectorIndex, PgVectorUnavailable, check_pgvector
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.retrieval.index.stores import configured_factory, pgvector_factory
from matchmaker.retrieval.index.vector import VectorIndex
from matchmaker.store.db import make_engine, session_factory, upgrade
from matchmaker.store.models import Achievement
from tests.retrieval.index.conftest import populate

DIM = 64


@pytest.fixture
def pg_engine(pgvector_db: str) -> Engine:
    """A migrated pgserver database."""
    engine = make_engine(pgvector_db)
    upgrade(engine)
    yield engine  # type: ignore[misc]
    engine.dispose()


def clustered(n: int, seed: int = 0) -> np.ndarray:
    """n normalised vectors around 12 random centres (like topics)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, DIM))
    rows = centres[rng.integers(0, 12, n)] + 0.6 * rng.normal(size=(n, DIM))
    return normalise_rows(rows.astype(np.float32))


def both(engine: Engine, n: int, ann_threshold: int) -> tuple[VectorIndex, PgVectorIndex]:
    """The same n vectors in FAISS and in pgvector."""
    factory = pgvector_factory(engine, "fp-test", DIM, ann_threshold=ann_threshold)
    store = factory("achievement")
    assert isinstance(store, PgVectorIndex)
    faiss_index = VectorIndex(DIM, ann_threshold=10**9)
    ids = np.arange(1, n + 1) * 3
    vectors = clustered(n)
    faiss_index.upsert(ids, vectors)
    store.upsert(ids, vectors, [f"h{i}" for i in ids])
    return faiss_index, store


@pytest.mark.parametrize("ann_threshold", [10**9, 100], ids=["exact", "hnsw"])
def test_same_top10_as_faiss_with_filters_deletes_and_updates(
    pg_engine: Engine, ann_threshold: int
) -> None:
    faiss_index, store = both(pg_engine, 400, ann_threshold)
    queries = clustered(20, seed=1)
    allowed_wide = np.array(
        sorted(faiss_index.ids()[::3].tolist() + faiss_index.ids()[1::3].tolist())
    )
    allowed_narrow = faiss_index.ids()[::17]

    def overlap(allowed: np.ndarray | None) -> float:
        shared = 0
        for q in queries:
            a = [i for i, _ in faiss_index.search(q, 10, allowed)]
            b = [i for i, _ in store.search(q, 10, allowed)]
            assert len(b) == len(a)
            if allowed is not None:
                assert set(b) <= set(allowed.tolist())
            shared += len(set(a) & set(b))
        return shared / (10 * len(queries))

    exact = ann_threshold > 400
    for allowed in (None, allowed_wide, allowed_narrow):
        assert overlap(allowed) >= (1.0 if exact else 0.95)
    # scores are the same cosines
    a = faiss_index.search(queries[0], 5)
    b = store.search(queries[0], 5)
    if exact:
        assert [i for i, _ in a] == [i for i, _ in b]
        assert np.allclose([s for _, s in a], [s for _, s in b], atol=1e-5)

    # delete the best hit of every query: it is gone from both, the rest still agrees
    best = sorted({faiss_index.search(q, 1)[0][0] for q in queries})
    assert store.delete(best) == len(best)
    faiss_index.delete(best)
    assert not set(best) & {i for q in queries for i, _ in store.search(q, 10)}
    assert overlap(None) >= (1.0 if exact else 0.95)

    # move one item onto a query: it becomes that query's best hit in both
    moved = int(faiss_index.ids()[5])
    faiss_index.upsert([moved], queries[3:4])
    store.upsert([moved], queries[3:4], ["new"])
    assert store.search(queries[3], 1)[0][0] == moved == faiss_index.search(queries[3], 1)[0][0]
    assert np.allclose(store.vector(moved), queries[3], atol=1e-6)
    with pg_engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM item_vectors")).scalar()
    assert count == 400 - len(best)


def test_hnsw_index_is_used_above_the_threshold(pg_engine: Engine) -> None:
    _, store = both(pg_engine, 300, 100)
    with pg_engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT item_id FROM item_vectors WHERE kind = 'achievement' AND "
                    "fingerprint = 'fp-test' ORDER BY embedding::vector(64) <#> "
                    "CAST(:q AS vector(64)) LIMIT 10"
                ),
                {"q": "[" + ",".join(["0.1"] * DIM) + "]"},
            )
        )
    assert "ix_item_vectors_hnsw_achievement" in plan


def test_pgvector_refused_on_a_database_without_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    with pytest.raises(PgVectorUnavailable, match="MATCHMAKER_VECTOR_STORE"):
        check_pgvector(engine)
    settings = Settings(MATCHMAKER_VECTOR_STORE="pgvector")  # type: ignore[call-arg]
    with pytest.raises(PgVectorUnavailable, match="PostgreSQL"):
        configured_factory(settings, engine, "fp", DIM)
    assert configured_factory(Settings(), engine, "fp", DIM) is None  # type: ignore[call-arg]
    engine.dispose()


def _index(engine: Engine, embedder: Embedder, cache: EmbeddingCache | None) -> SearchIndex:
    return SearchIndex(
        embedder,
        cache=cache,
        vector_factory=pgvector_factory(engine, embedder.fingerprint, embedder.dim),
    )


def test_search_index_on_pgvector_ranks_like_faiss_and_replicas_share_vectors(
    pg_engine: Engine, embedder: Embedder, cache: EmbeddingCache
) -> None:
    with session_factory(pg_engine)() as session:
        populate(session)
    faiss_side = SearchIndex(embedder, cache=cache)
    replica_a = _index(pg_engine, embedder, cache)
    with session_factory(pg_engine)() as session:
        faiss_side.sync(session)
        report_a = replica_a.sync(session)
    assert report_a.kinds["achievement"].embedded > 0
    queries = ["电池热失控预警", "农产品冷链物流", "智能制造 视觉检测"]
    filters = [None, Filters.build(industries=["新能源"]), Filters.build(guangxi=True)]
    for query in queries:
        for kind in ("achievement", "need", "scenario"):
            for chosen in filters:
                for mode in ("hybrid", "dense"):
                    want = faiss_side.search(query, kind, 10, chosen, mode)  # type: ignore[arg-type]
                    got = replica_a.search(query, kind, 10, chosen, mode)  # type: ignore[arg-type]
                    assert [h.id for h in got] == [h.id for h in want]
                    assert np.allclose([h.score for h in got], [h.score for h in want], atol=1e-4)

    # replica B opens on the same database without a cache: it embeds nothing, takes the vectors
    replica_b = _index(pg_engine, embedder, None)
    with session_factory(pg_engine)() as session:
        report_b = replica_b.sync(session)
    assert sum(c.embedded for c in report_b.kinds.values()) == 0
    assert replica_b.count("achievement") == replica_a.count("achievement") > 0
    hits_a = replica_a.search("电池热失控预警", "achievement", 5)
    hits_b = replica_b.search("电池热失控预警", "achievement", 5)
    assert [h.id for h in hits_a] == [h.id for h in hits_b]

    # a write through A is followed by B (no embedding on B), and so is a delete
    follower = ChangeFollower(replica_b)
    with session_factory(pg_engine)() as session:
        follower.poll(session)
        new = Achievement(
            external_id="A-NEW",
            title="海上风电叶片除冰机器人",
            summary="爬壁机器人沿风电叶片巡检并以热风除冰，适用于北部湾海上风电场。",
            industries=["新能源"],
            trl=6,
            owner_id=_an_owner(session),
        )
        new.refresh_hash()
        session.add(new)
        session.commit()
        replica_a.upsert_items(session, "achievement", [new.id])
    with session_factory(pg_engine)() as session:
        report = follower.poll(session)
    assert report.upserted == 1
    assert replica_b.awaiting() == 0
    top = replica_b.search("风电叶片除冰", "achievement", 1, mode="dense")
    assert top[0].id == new.id
    _delete(pg_engine, new.id)
    replica_a.delete_items("achievement", [new.id])
    with session_factory(pg_engine)() as session:
        assert follower.poll(session).removed == 1
    assert new.id not in {h.id for h in replica_b.search("风电叶片除冰", "achievement", 10)}


def test_follower_waits_for_the_writer_to_store_the_vector(
    pg_engine: Engine, embedder: Embedder, cache: EmbeddingCache
) -> None:
    with session_factory(pg_engine)() as session:
        populate(session)
    writer = _index(pg_engine, embedder, cache)
    reader = _index(pg_engine, embedder, None)
    with session_factory(pg_engine)() as session:
        writer.sync(session)
        follower = ChangeFollower(reader)
        follower.poll(session)
        new = Achievement(
            external_id="A-W",
            title="甘蔗渣制可降解餐盒",
            summary="以甘蔗渣为原料模压成型。",
            owner_id=_an_owner(session),
        )
        new.refresh_hash()
        session.add(new)
        session.commit()
        item_id = new.id
    with session_factory(pg_engine)() as session:
        follower.poll(session)  # the writer has not embedded it yet: found by its words meanwhile
    assert reader.awaiting() == 1
    assert item_id in {h.id for h in reader.search("甘蔗渣 餐盒", "achievement", 5)}
    with session_factory(pg_engine)() as session:
        writer.upsert_items(session, "achievement", [item_id])
        follower.poll(session)
    assert reader.awaiting() == 0
    assert reader.search("甘蔗渣 可降解餐盒", "achievement", 1, mode="dense")[0].id == item_id


def _an_owner(session: Session) -> int:
    return int(session.execute(text("SELECT owner_id FROM achievements LIMIT 1")).scalar_one())


def _delete(engine: Engine, item_id: int) -> None:
    with Session(engine) as session:
        session.delete(session.get(Achievement, item_id))
        session.commit()
