"""The one interface every embedder implements, plus the input checks they all share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (n, dim)."""

    name: str
    dim: int
    fingerprint: str  # changes whenever the model or any setting that alters vectors changes

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (short needs, keywords)."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents (achievements, needs, scenarios) to be searched."""
        ...


def clean_texts(texts: Sequence[str]) -> list[str]:
    """Validate and normalise input texts so every backend rejects the same mistakes the same way."""
    if isinstance(texts, str):
        raise TypeError("需要文本列表而不是单个字符串 / expected a sequence of texts, not one str")
    cleaned: list[str] = []
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"第 {position} 条不是字符串 / text at position {position} is not a str: "
                f"{type(text).__name__}"
            )
        # NUL would cut the text short in C engines; lone surrogates cannot be encoded as UTF-8.
        safe = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
        collapsed = " ".join(safe.split())
        if not collapsed:
            raise ValueError(
                f"第 {position} 条文本为空或只有空白 / text at position {position} is empty "
                "or whitespace-only"
            )
        cleaned.append(collapsed)
    return cleaned


def empty_matrix(dim: int) -> np.ndarray:
    """The result for an empty input list: zero rows, right width, right dtype."""
    return np.zeros((0, dim), dtype=np.float32)


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Return float32 rows with unit L2 norm, so cosine similarity is a plain dot product."""
    out = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms < 1e-12] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


def make_fingerprint(parts: dict[str, object]) -> str:
    """Stable short hash of everything that determines the vectors, used as a cache key."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]
