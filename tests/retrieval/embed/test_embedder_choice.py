"""Choosing embedders by name: one instance per process, settings change the fingerprint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from matchmaker.retrieval.embed import get_embedder
from matchmaker.retrieval.embed.st_backend import parse_settings


def test_default_embedder_is_e5_small_and_loaded_once() -> None:
    first = get_embedder("e5-small")
    assert first.name == "e5-small" and first.dim == 384
    assert get_embedder("e5-small") is first


def test_unknown_name_explains_the_choices() -> None:
    with pytest.raises(ValueError, match="e5-small"):
        get_embedder("word2vec")


def test_missing_local_model_fails_without_downloading(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ValueError, match="models/README.md"):
        get_embedder(f"sentence-transformers:{tmp_path}/no-such-model")


def test_fingerprint_differs_between_models_and_prompt_settings(
    minilm_name: Callable[[str], str],
) -> None:
    e5 = get_embedder("e5-small")
    plain = get_embedder(minilm_name(""))
    prompted = get_embedder(minilm_name("#query_prompt=query: ;document_prompt=passage: "))
    shorter = get_embedder(minilm_name("#max_tokens=64"))
    fingerprints = {e5.fingerprint, plain.fingerprint, prompted.fingerprint, shorter.fingerprint}
    assert len(fingerprints) == 4
    assert get_embedder(minilm_name("")).fingerprint == plain.fingerprint
    # the prompt really reaches the model
    text = ["battery recycling for electric vehicles"]
    assert float(plain.encode_queries(text)[0] @ prompted.encode_queries(text)[0]) < 0.999


def test_settings_come_from_the_name_then_the_environment() -> None:
    env = {
        "MATCHMAKER_ST_QUERY_PROMPT": "为这个句子生成表示以用于检索相关文章：",
        "MATCHMAKER_ST_BATCH_SIZE": "8",
    }
    settings = parse_settings("sentence-transformers:/models/bge-small-zh-v1.5#batch_size=4", env)
    assert settings.model == "/models/bge-small-zh-v1.5"
    assert settings.query_prompt == "为这个句子生成表示以用于检索相关文章："
    assert settings.document_prompt is None
    assert settings.batch_size == 4
    with pytest.raises(ValueError, match="unknown embedder option"):
        parse_settings("sentence-transformers:m#colour=red", {})


def test_e5_truncation_keeps_the_longest_head_that_fits() -> None:
    from matchmaker.retrieval.embed.e5 import MAX_TOKENS, E5Embedder

    e5 = get_embedder("e5-small")
    assert isinstance(e5, E5Embedder)
    text = "科技成果转化" * 400
    head = e5.truncate(text, is_query=False)
    assert 0 < len(head) < len(text)
    assert e5.count_tokens(head) <= MAX_TOKENS < e5.count_tokens(text[: len(head) + 1])
    short = "短文本"
    assert e5.truncate(short, is_query=True) == short
    np.testing.assert_allclose(e5.encode_documents([text]), e5.encode_documents([head]), atol=1e-6)
