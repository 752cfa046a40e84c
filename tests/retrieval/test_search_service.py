"""The one search service: query cleaning, the query-vector cache, one call for every caller."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matchmaker.retrieval.embed import EmbeddingCache, get_embedder
from matchmaker.retrieval.query import MAX_QUERY_CHARS, BadQuery, QueryVectors, clean_query
from matchmaker.retrieval.search import SearchRequest


def test_queries_are_folded_and_bad_ones_name_the_problem() -> None:
    assert clean_query("  芒果\n保鲜　技术 ") == "芒果 保鲜 技术"
    with pytest.raises(BadQuery, match="query is empty"):
        clean_query(" \n\t")
    with pytest.raises(BadQuery, match=f"longer than {MAX_QUERY_CHARS}"):
        clean_query("检" * (MAX_QUERY_CHARS + 1))


def test_query_vectors_are_embedded_once_and_the_cache_stays_bounded(tmp_path: Path) -> None:
    embedder = get_embedder("e5-small")
    vectors = QueryVectors(embedder, size=2)
    first = vectors.get("芒果保鲜")
    assert vectors.get("芒果保鲜") is first, "a repeated query is not embedded again"
    np.testing.assert_allclose(first, embedder.encode_queries(["芒果保鲜"])[0], atol=1e-5)
    vectors.get("甘蔗渣利用")
    vectors.get("电池热失控预警")
    assert len(vectors) == 2
    assert vectors.get("芒果保鲜") is not first, "the least recently used query was dropped"
    cache = EmbeddingCache(tmp_path)
    vectors.warm(["锂电池回收", "芒果保鲜"], cache)
    assert cache.count(embedder.fingerprint) == 2, "a batch warm-up fills the on-disk cache"
    assert len(vectors) == 2


def test_the_container_holds_one_search_service_for_the_whole_process(app_env: Path) -> None:
    from matchmaker.core.container import Container
    from matchmaker.store.db import session_scope, upgrade
    from matchmaker.store.models import Achievement, Organisation

    upgrade()
    with session_scope() as session:
        uni = Organisation(external_id="U", name="测试大学", kind="university", province="上海")
        item = Achievement(
            external_id="A",
            title="芒果采后保鲜技术",
            summary="涂膜保鲜，货架期延长10天。",
            trl=6,
            owner=uni,
        )
        item.refresh_hash()
        session.add_all([uni, item])
    box = Container()
    assert box.search is box.search and box.search.index is box.index()
    with session_scope() as session:
        found = box.search.search(session, SearchRequest("芒果运到东盟容易坏"))
        assert [r.item.title for r in found.items] == ["芒果采后保鲜技术"] and found.total == 1
        with pytest.raises(BadQuery, match="kind"):
            box.search.search(session, SearchRequest("芒果", kind="park"))
