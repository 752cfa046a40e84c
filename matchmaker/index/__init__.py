"""Search indexes: FAISS vectors, BM25 words, structured filters, and the service that owns them.

Import from the submodules (`matchmaker.index.service`, `.filters`, `.vector`, `.lexical`); the
names below are loaded lazily so `import matchmaker.index.tokenize` stays free of FAISS.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "SearchIndex": "matchmaker.index.service",
    "Hit": "matchmaker.index.service",
    "SyncReport": "matchmaker.index.service",
    "Filters": "matchmaker.index.filters",
    "VectorIndex": "matchmaker.index.vector",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Load the public classes on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'matchmaker.index' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
