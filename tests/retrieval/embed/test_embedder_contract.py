"""Every embedder backend keeps the same promises: shape, dtype, unit norm, errors, long texts."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.retrieval.embed import Embedder

DOCS = [
    "一种用于水稻病虫害识别的深度学习图像检测方法",
    "新型锂离子电池正极材料的制备工艺及其性能",
    "甘蔗制糖废水的生物处理与资源化利用技术",
]


def test_vectors_have_declared_shape_dtype_and_unit_norm(any_embedder: Embedder) -> None:
    docs = any_embedder.encode_documents(DOCS)
    queries = any_embedder.encode_queries(["电池材料", "sugar cane wastewater"])
    assert docs.shape == (3, any_embedder.dim)
    assert queries.shape == (2, any_embedder.dim)
    for matrix in (docs, queries):
        assert matrix.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)


def test_no_texts_gives_zero_rows(any_embedder: Embedder) -> None:
    assert any_embedder.encode_documents([]).shape == (0, any_embedder.dim)


@pytest.mark.parametrize("bad", ["", "   \n\t "])
def test_empty_text_is_rejected_with_its_position(any_embedder: Embedder, bad: str) -> None:
    with pytest.raises(ValueError, match="position 1"):
        any_embedder.encode_documents(["正常文本", bad, "另一条"])
    with pytest.raises(ValueError, match="position 0"):
        any_embedder.encode_queries([bad])


def test_single_string_is_not_split_into_characters(any_embedder: Embedder) -> None:
    with pytest.raises(TypeError):
        any_embedder.encode_queries("电池材料")


def test_text_beyond_the_window_is_truncated_not_an_error(any_embedder: Embedder) -> None:
    long_text = "广西高新区企业开展新能源汽车电池回收技术攻关，" * 200  # far over 512 tokens
    vectors = any_embedder.encode_documents(
        [long_text, long_text + "完全不同的结尾：水稻育种。" * 50]
    )
    assert np.isfinite(vectors).all()
    # the tail lies beyond the window, so it cannot change the vector
    assert float(vectors[0] @ vectors[1]) > 0.9999


def test_same_text_gives_same_vector(any_embedder: Embedder) -> None:
    first = any_embedder.encode_documents([DOCS[0]])
    again = any_embedder.encode_documents([DOCS[0], DOCS[1]])[:1]
    assert float(first[0] @ again[0]) > 0.9999


EXAMPLES = {
    "zh": (DOCS, [("锂电池正极材料", 1), ("水稻病虫害图像识别", 0), ("制糖废水处理", 2)]),
    "en": (
        [
            "Deep-learning image detection of rice pests and diseases",
            "Preparation of cathode materials for lithium-ion batteries",
            "Biological treatment of wastewater from cane sugar mills",
        ],
        [
            ("battery cathode", 1),
            ("crop disease recognition from photos", 0),
            ("sugar factory effluent", 2),
        ],
    ),
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_query_ranks_the_matching_document_first(
    backend: tuple[Embedder, tuple[str, ...]], language: str
) -> None:
    embedder, languages = backend
    if language not in languages:
        pytest.skip(f"{embedder.name} is not meant for {language} (see models/README.md)")
    docs, cases = EXAMPLES[language]
    matrix = embedder.encode_documents(docs)
    for query, expected in cases:
        scores = matrix @ embedder.encode_queries([query])[0]
        assert int(np.argmax(scores)) == expected, (query, scores)
