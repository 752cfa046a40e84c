"""Search indexes: FAISS vectors, BM25 words, structured filters, and the service that owns them.

Import from the submodules (`matchmaker.retrieval.index.service`, `.filters`, `.vector`, `.lexical`); the
names below are loaded lazily so `import matchmaker.retrieval.index.tokenize` stays free of FAISS.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "SearchIndex": "matchmaker.retrieval.index.service",
    "Hit": "matchmaker.retrieval.index.service",
    "SyncReport": "matchmaker.retrieval.index.service",
    "Filters": "matchmaker.retrieval.index.filters",
    "VectorIndex": "matchmaker.retrieval.index.vector",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Load the public classes on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'matchmaker.retrieval.index' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
