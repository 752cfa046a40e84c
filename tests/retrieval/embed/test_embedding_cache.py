"""The on-disk cache embeds each text once per embedder, across runs and processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matchmaker.retrieval.embed import (
    Embedder,
    EmbeddingCache,
    embed_documents_cached,
    get_embedder,
)
from matchmaker.retrieval.embed.cache import embed_queries_cached, text_key


class CountingEmbedder:
    """A real embedder that also counts how many texts it was asked to embed."""

    def __init__(self, inner: Embedder, fingerprint: str | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.fingerprint = fingerprint or inner.fingerprint
        self.embedded = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.encode_documents(texts)


TEXTS = [
    "桂林电子科技大学 北斗导航定位成果",
    "柳州汽车零部件企业 轻量化需求",
    "南宁 智慧农业 应用场景",
]


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return get_embedder("e5-small")


def test_second_call_embeds_nothing_and_returns_the_same_vectors(
    e5: Embedder, tmp_path: Path
) -> None:
    counting = CountingEmbedder(e5)
    cache = EmbeddingCache(tmp_path)
    first = embed_documents_cached(counting, TEXTS, cache)
    assert counting.embedded == 3
    second = embed_documents_cached(counting, TEXTS, cache)
    assert counting.embedded == 3
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, e5.encode_documents(TEXTS), atol=1e-6)


def test_only_new_or_changed_texts_are_embedded_even_after_reopening(
    e5: Embedder, tmp_path: Path
) -> None:
    embed_documents_cached(CountingEmbedder(e5), TEXTS, EmbeddingCache(tmp_path))
    counting = CountingEmbedder(e5)
    changed = [*TEXTS[:2], "南宁 智慧农业 应用场景（已更新）", "新增：百色芒果深加工技术需求"]
    result = embed_documents_cached(
        counting, changed, EmbeddingCache(tmp_path)
    )  # a fresh "process"
    assert counting.embedded == 2
    assert result.shape == (4, e5.dim)


def test_duplicates_in_one_call_are_embedded_once(e5: Embedder, tmp_path: Path) -> None:
    counting = CountingEmbedder(e5)
    result = embed_documents_cached(
        counting, [TEXTS[0], TEXTS[0], TEXTS[1]], EmbeddingCache(tmp_path)
    )
    assert counting.embedded == 2
    np.testing.assert_array_equal(result[0], result[1])


def test_queries_documents_and_models_do_not_share_entries(e5: Embedder, tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    counting = CountingEmbedder(e5)
    embed_documents_cached(counting, TEXTS[:1], cache)
    embed_queries_cached(counting, TEXTS[:1], cache)  # e5 uses another prefix for queries
    assert counting.embedded == 2
    other_model = CountingEmbedder(e5, fingerprint="another-model-or-setting")
    embed_documents_cached(other_model, TEXTS[:1], cache)
    assert other_model.embedded == 1


def test_empty_text_error_comes_before_any_work(e5: Embedder, tmp_path: Path) -> None:
    counting = CountingEmbedder(e5)
    with pytest.raises(ValueError, match="position 2"):
        embed_documents_cached(counting, [*TEXTS[:2], "  "], EmbeddingCache(tmp_path))
    assert counting.embedded == 0


def _write_many(directory: str, worker: int) -> None:
    cache = EmbeddingCache(directory)
    rng = np.random.default_rng(worker)
    for batch in range(40):
        items = [(text_key(f"doc-{batch}-{i}"), rng.random(8, dtype=np.float32)) for i in range(25)]
        cache.put_many("fp", "document", items)
        cache.get_many("fp", "document", [key for key, _ in items], 8)


def test_two_processes_can_write_the_same_cache_at_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(tmp_path), n)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert EmbeddingCache(tmp_path).count("fp") == 40 * 25  # same keys from both: stored once
