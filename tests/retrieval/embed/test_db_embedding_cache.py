"""The database embedding cache: what one process stores, another reads; a second write of the
same text keeps one vector."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine

from matchmaker.retrieval.embed.cache import text_key
from matchmaker.retrieval.embed.db_cache import DbEmbeddingCache


def test_vectors_written_once_are_read_back_by_another_cache(engine: Engine) -> None:
    writer, reader = DbEmbeddingCache(engine), DbEmbeddingCache(engine)
    first = np.arange(4, dtype=np.float32)
    keys = [text_key("甘蔗收割机"), text_key("罗汉果提取")]
    writer.put_many("fp", "document", [(keys[0], first), (keys[1], first * 2)])
    writer.put_many("fp", "document", [(keys[0], first * 9)])  # a redelivered chunk
    found = reader.get_many("fp", "document", [*keys, text_key("没有")], 4)
    assert set(found) == set(keys)
    np.testing.assert_array_equal(found[keys[0]], first)
    assert reader.get_many("fp", "query", keys, 4) == {}
    assert reader.get_many("fp", "document", keys, 8) == {}  # another width is not this model's
    assert reader.count("fp") == 2 and reader.count() == 2
