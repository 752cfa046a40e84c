"""Any sentence-transformers model from a local folder or the local HF cache (never downloads)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from matchmaker.retrieval.embed.base import (
    clean_texts,
    empty_matrix,
    make_fingerprint,
    normalise_rows,
)

PREFIX = "sentence-transformers:"
ENV_PREFIX = "MATCHMAKER_ST_"
_FIELDS = ("query_prompt", "document_prompt", "batch_size", "device", "max_tokens")


@dataclass(frozen=True)
class STSettings:
    """How a sentence-transformers model is run; prompts of None mean 'the model's own'."""

    model: str
    query_prompt: str | None = None
    document_prompt: str | None = None
    batch_size: int = 16
    device: str = "cpu"
    max_tokens: int | None = None  # None keeps the model's max_seq_length


def parse_settings(name: str, environ: dict[str, str] | None = None) -> STSettings:
    """Read `sentence-transformers:<model>[#key=value;key=value]`, env vars filling the gaps.

    Keys: query_prompt, document_prompt, batch_size, device, max_tokens; the env vars are the
    same keys upper-cased with the prefix MATCHMAKER_ST_ (e.g. MATCHMAKER_ST_QUERY_PROMPT).
    """
    env = dict(os.environ if environ is None else environ)
    body = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    model, _, options_text = body.partition("#")
    model = model.strip()
    if not model:
        raise ValueError(
            "sentence-transformers 需要模型名或本地目录 / sentence-transformers needs a model id "
            "or a local folder, e.g. sentence-transformers:/models/bge-small-zh-v1.5"
        )
    values: dict[str, str] = {}
    for field in _FIELDS:
        env_value = env.get(ENV_PREFIX + field.upper())
        if env_value is not None:
            values[field] = env_value
    for item in filter(None, options_text.split(";")):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in _FIELDS:
            raise ValueError(
                f"未知的嵌入模型选项 / unknown embedder option {item!r}; known: {', '.join(_FIELDS)}"
            )
        values[key] = value
    settings = STSettings(model=model)
    try:
        if "batch_size" in values:
            settings = replace(settings, batch_size=max(1, int(values["batch_size"])))
        if values.get("max_tokens"):
            settings = replace(settings, max_tokens=max(8, int(values["max_tokens"])))
    except ValueError as exc:
        raise ValueError(f"选项须为整数 / option must be an integer: {exc}") from exc
    if values.get("device"):
        settings = replace(settings, device=values["device"].strip())
    if "query_prompt" in values:
        settings = replace(settings, query_prompt=values["query_prompt"])
    if "document_prompt" in values:
        settings = replace(settings, document_prompt=values["document_prompt"])
    return settings


class SentenceTransformerEmbedder:
    """Wraps a SentenceTransformer: prompts per side, truncation at max_seq_length, no downloads."""

    def __init__(self, settings: STSettings) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ValueError(
                "未安装 sentence-transformers：pip install 'matchmaker[sentence-transformers]' / "
                "sentence-transformers is not installed"
            ) from exc
        _quiet_transformers()
        try:
            model = SentenceTransformer(
                settings.model, device=settings.device, local_files_only=True
            )
        except Exception as exc:  # the library raises many kinds (OSError, HF errors, ValueError)
            raise ValueError(
                f"无法在本地加载模型 {settings.model!r}（不会联网下载），请把模型目录放到磁盘上，"
                f"见 models/README.md / cannot load model {settings.model!r} from local files "
                f"(no download at run time); place the folder on disk, see models/README.md: {exc}"
            ) from exc
        if settings.max_tokens is not None:
            model.max_seq_length = settings.max_tokens
        own_prompts: dict[str, str] = {
            str(k): str(v) for k, v in (getattr(model, "prompts", None) or {}).items()
        }
        self._model = model
        self._settings = settings
        self._lock = threading.Lock()
        self.query_prompt: str = (
            settings.query_prompt
            if settings.query_prompt is not None
            else own_prompts.get("query", "")
        )
        self.document_prompt: str = (
            settings.document_prompt
            if settings.document_prompt is not None
            else own_prompts.get("document", own_prompts.get("passage", ""))
        )
        self.name = PREFIX + settings.model
        dimension = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        self.dim: int = int(dimension() or 0)
        self.fingerprint: str = make_fingerprint(
            {
                "backend": "sentence-transformers",
                "model": settings.model,
                "weights": _weights_digest(model),
                "query_prompt": self.query_prompt,
                "document_prompt": self.document_prompt,
                "max_tokens": int(model.max_seq_length or 0),
            }
        )

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the query prompt."""
        return self._encode(texts, self.query_prompt)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents with the document prompt."""
        return self._encode(texts, self.document_prompt)

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        cleaned = clean_texts(texts)
        if not cleaned:
            return empty_matrix(self.dim)
        with self._lock:
            vectors = self._model.encode(
                cleaned,
                prompt=prompt or None,
                batch_size=self._settings.batch_size,
                show_progress_bar=False,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
        return normalise_rows(np.asarray(vectors))


def _weights_digest(model: object) -> str:
    """Cheap identity of the weights: every tensor's name and shape plus its first values."""
    digest = hashlib.sha256()
    state = model.state_dict()  # type: ignore[attr-defined]
    for key in sorted(state):
        tensor = state[key]
        digest.update(f"{key}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        sample = tensor.detach().reshape(-1)[:256].float().cpu().numpy()
        digest.update(sample.tobytes())
    return digest.hexdigest()[:24]


def _quiet_transformers() -> None:
    """Silence load-time progress bars and warnings that would clutter CLI output."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
