"""Chinese-aware tokens for lexical search: jieba words, lower-cased, punctuation and stopwords out."""

from __future__ import annotations

import logging
import threading
import unicodedata

_STOPWORDS_ZH = (
    "的 了 和 与 及 或 是 在 对 为 以 于 由 从 把 被 将 就 也 都 而 并 其 之 这 那 此 该 各 每 等 "
    "中 上 下 内 外 个 种 一 一个 一种 一些 有 无 不 可 能 会 要 让 使 得 着 过 还 又 再 "
    "我们 你们 他们 它们 本文 文中 通过 进行 采用 利用 使用 基于 对于 关于 以及 并且 "
    "如何 什么 哪些 需要 需求 希望 如果 因为 所以 但是 然后 其中 同时 已经 可以 能够 方面"
)
_STOPWORDS_EN = (
    "a an the of and or to in on for with by from at as is are was were be been this that "
    "these those it its we our you your they their using use based via into than"
)
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_ZH.split()) | frozenset(_STOPWORDS_EN.split())

TOKENIZER_VERSION = 2  # bump when tokens change, so saved lexical indexes are rebuilt

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> object:
    """Load jieba's dictionary once per process, without its chatty log lines."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def _is_content(token: str) -> bool:
    """True when a token has at least one letter or digit (drops punctuation and symbols)."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in token)


def tokenize(text: str, search_mode: bool = False) -> list[str]:
    """Words for BM25: jieba accurate mode, or search mode (long words also yield their
    sub-words, used for documents), lower-cased, full-width folded to half-width, punctuation
    and stopwords dropped, English words and numbers kept."""
    jieba = _jieba()
    normalised = unicodedata.normalize("NFKC", text).lower()
    cut = jieba.lcut_for_search(normalised) if search_mode else jieba.lcut(normalised)  # type: ignore[attr-defined]
    tokens: list[str] = []
    for raw in cut:
        token = raw.strip()
        if not token or token in STOPWORDS or not _is_content(token):
            continue
        tokens.append(token)
    return tokens
