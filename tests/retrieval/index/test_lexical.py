"""BM25 keyword search over Chinese text: finds, filters, forgets and persists documents."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from matchmaker.retrieval.index.lexical import LexicalIndex
from matchmaker.retrieval.index.tokenize import tokenize

DOCS = {
    1: "基于北斗卫星导航的甘蔗收割机自动驾驶系统",
    2: "新型锂离子电池正极材料的制备工艺",
    3: "广西特色水果芒果的保鲜与深加工技术",
    4: "铝合金汽车轻量化零部件的压铸成型工艺",
    5: "中药材八角茴香精油提取与质量检测",
}


@pytest.fixture()
def index() -> LexicalIndex:
    built = LexicalIndex()
    built.add(list(DOCS), list(DOCS.values()))
    return built


def test_tokens_are_words_without_punctuation_or_stopwords() -> None:
    tokens = tokenize("基于深度学习的PM2.5浓度预测，采用LSTM网络！")
    assert "深度" in tokens and "lstm" in tokens and "pm2.5" in tokens
    assert "的" not in tokens and "，" not in tokens and "！" not in tokens


def test_chinese_query_finds_the_right_document(index: LexicalIndex) -> None:
    assert index.search("电池正极材料", k=3)[0][0] == 2
    assert index.search("芒果保鲜", k=3)[0][0] == 3
    assert index.search("汽车 铝合金 压铸", k=1)[0][0] == 4


def test_results_are_sorted_and_only_matching_documents(index: LexicalIndex) -> None:
    results = index.search("工艺", k=10)
    assert {doc for doc, _ in results} == {2, 4}
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert index.search("量子计算", k=10) == []
    assert index.search("，。！", k=10) == []


def test_allowed_ids_restricts_results(index: LexicalIndex) -> None:
    assert [doc for doc, _ in index.search("工艺", k=10, allowed_ids={4, 5})] == [4]
    assert index.search("工艺", k=10, allowed_ids=set()) == []


def test_delete_removes_and_upsert_replaces(index: LexicalIndex) -> None:
    index.delete([2, 999])
    assert all(doc != 2 for doc, _ in index.search("电池正极材料", k=5))
    index.upsert([3], ["钠离子电池负极材料"])
    assert index.search("电池", k=5)[0][0] == 3
    assert index.search("芒果", k=5) == []
    assert len(index) == 4


def test_save_and_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    before = index.search("工艺 材料", k=5)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == len(index)
    assert loaded.search("工艺 材料", k=5) == before
    with pytest.raises(FileNotFoundError):
        LexicalIndex.load(tmp_path / "elsewhere")


def test_scores_equal_the_bm25s_reference_implementation() -> None:
    import bm25s

    texts = [f"{DOCS[1 + i % 5]} 编号{i % 7} 广西 {'工艺' * (i % 3)}" for i in range(60)]
    index = LexicalIndex()
    index.add(list(range(60)), texts)
    reference = bm25s.BM25(k1=index.k1, b=index.b)
    reference.index([tokenize(t) for t in texts], show_progress=False)
    for query in ("锂离子电池 工艺", "广西 芒果 编号3", "北斗 导航"):
        expected = reference.get_scores([t for t in tokenize(query) if t in reference.vocab_dict])
        got = np.zeros(60, dtype=np.float32)
        for doc, score in index.search(query, k=60):
            got[doc] = score
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_rebuild_after_a_change_is_fast_at_ten_thousand_documents() -> None:
    index = LexicalIndex()
    words = [tokenize(text) for text in DOCS.values()]
    # bypass jieba (tested above) to time only the index rebuild
    index._put(range(10_000), [words[i % 5] + [f"编号{i}"] for i in range(10_000)])  # noqa: SLF001
    index.search("电池", k=10)
    index.upsert([10_000], ["钠离子电池新材料"])
    started = time.perf_counter()
    assert index.search("钠离子", k=1)[0][0] == 10_000
    assert time.perf_counter() - started < 1.0


def test_coverage_is_the_weighted_share_of_query_words_a_document_holds(
    index: LexicalIndex,
) -> None:
    cover = index.coverage("芒果 保鲜 研究", [3, 2, 99], ignore=frozenset({"研究"}))
    assert cover[3] == pytest.approx(1.0)  # both content words, the ignored word counts for nothing
    assert cover[2] == 0.0 and cover[99] == 0.0  # unrelated and unknown documents
    partial = index.coverage("芒果 电池", [3])[3]
    assert 0.3 < partial < 0.7
    # a word no document has weighs as the rarest word, so it lowers every document's share
    assert index.coverage("芒果 量子计算机", [3])[3] < partial
    assert index.coverage("研究", [3], ignore=frozenset({"研究"})) == {3: 0.0}
