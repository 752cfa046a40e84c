"""Structured filters: what each field admits, and that a filtered search still returns k hits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.index.filters import (
    ANY_STATUS,
    Filters,
    ItemMeta,
    MetadataTable,
    make_selector,
)
from matchmaker.retrieval.index.service import SearchIndex


def table() -> MetadataTable:
    meta = MetadataTable(capacity=2)  # small, so the columns have to grow
    meta.upsert(
        [
            ItemMeta(1, "active", ("icv", "ai-hardware"), 5, ("transfer",), 10, "广西壮族自治区"),
            ItemMeta(2, "closed", ("icv",), None, (), None, "北京市"),
            ItemMeta(3, "active", ("biomedicine",), 8, ("license", "equity"), 11, "上海"),
            ItemMeta(4, "draft", (), 3, ("license",), 10, "广西"),
        ]
    )
    return meta


def ids(meta: MetadataTable, filters: Filters) -> list[int]:
    selected = meta.select(filters)
    return meta.ids().tolist() if selected is None else sorted(selected.tolist())


def test_each_field_admits_what_a_user_would_expect() -> None:
    meta = table()
    assert ids(meta, Filters()) == [1, 3], "active only unless asked"
    assert ids(meta, ANY_STATUS) == [1, 2, 3, 4]
    assert ids(meta, Filters.build(statuses=["closed", "draft"])) == [2, 4]
    assert ids(meta, Filters.build(industries=["icv", "biomedicine"], statuses=None)) == [1, 2, 3]
    assert ids(meta, Filters.build(industries=["marine"])) == []
    assert ids(meta, Filters.build(park_ids=[10], statuses=None)) == [1, 4]
    assert ids(meta, Filters.build(provinces=["广西壮族自治区"], statuses=None)) == [1, 4]
    assert ids(meta, Filters.build(eastern=True, statuses=None)) == [2, 3]
    assert ids(meta, Filters.build(guangxi=True)) == [1]
    assert ids(meta, Filters.build(trl_min=4, trl_max=8, statuses=None)) == [1, 3], "no TRL fails"
    assert ids(meta, Filters.build(coop_modes=["license"], statuses=None)) == [3, 4]
    assert ids(meta, Filters.build(exclude_ids=[1])) == [3]
    with pytest.raises(ValueError, match="TRL"):
        Filters.build(trl_min=7, trl_max=3)


def test_updates_and_deletes_keep_rows_consistent() -> None:
    meta = table()
    meta.upsert([ItemMeta(2, "active", ("marine",), 6, (), None, "广西")])
    assert ids(meta, Filters.build(industries=["marine"])) == [2]
    assert meta.delete([1, 99]) == 1
    # the last row moved into the hole: its fields must have moved with it
    assert meta.get(4) == ItemMeta(4, "draft", (), 3, ("license",), 10, "广西")
    assert ids(meta, Filters.build(park_ids=[10], statuses=None)) == [4]
    assert 1 not in meta and len(meta) == 3


def test_many_tags_beyond_one_bit_word() -> None:
    meta = MetadataTable()
    meta.upsert([ItemMeta(i, industries=(f"code-{i}",)) for i in range(100)])
    assert ids(meta, Filters.build(industries=["code-3", "code-97"])) == [3, 97]


def test_selector_admits_exactly_the_allowed_ids() -> None:
    from matchmaker.retrieval.index.filters import (
        faiss,  # the untyped alias (FAISS's stubs lack `sel`)
    )

    for allowed in (np.array([2, 5, 9]), np.array([3, 1 << 40])):  # bitmap, then hash set
        selector = make_selector(allowed)
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(2))
        all_ids = np.array([1, 2, 3, 5, 9, 1 << 40], dtype=np.int64)
        index.add_with_ids(np.ones((6, 2), dtype=np.float32), all_ids)
        _, labels = index.search(
            np.ones((1, 2), np.float32), 6, params=faiss.SearchParameters(sel=selector.selector)
        )
        assert sorted(x for x in labels[0].tolist() if x >= 0) == sorted(allowed.tolist())


def test_filtered_search_returns_k_when_k_match(
    tmp_path: Path, embedder: Embedder, cache: EmbeddingCache, db_session: Session, world: Any
) -> None:
    index = SearchIndex(embedder, tmp_path / "index", cache=cache)
    index.sync(db_session)
    query = "锂电池热失控预警"
    # three achievements are owned in 北京/上海; the battery ones from Guangxi rank above them
    unfiltered = index.search(query, "achievement", k=3, mode="dense")
    eastern = {world.ids[x] for x in ("A3", "A5", "A7", "A8")}
    assert len({h.id for h in unfiltered} & eastern) < 3, "post-filtering the top 3 falls short"
    for mode in ("dense", "lexical", "hybrid"):
        hits = index.search(query, "achievement", k=3, filters=Filters(eastern=True), mode=mode)
        if mode == "lexical":  # only texts sharing a word can match lexically
            assert {h.id for h in hits} <= eastern and hits
        else:
            assert len(hits) == 3 and {h.id for h in hits} <= eastern
    hits = index.search(query, "achievement", k=10, filters=Filters.build(trl_min=7), mode="dense")
    assert {h.id for h in hits} == {world.ids[x] for x in ("A1", "A3", "A7")}
