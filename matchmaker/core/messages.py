"""The one translation mechanism: keyed (Chinese, English) catalogues for everything a user reads.

Pages, emails, reasons, CLI output and error messages all come from here:

    t("search.title", "en")                 # one string in one language (Chinese is the fallback)
    Text("search.count", q="…").render("zh") # a message kept unrendered until the reader is known
    str(Text(...))                           # "中文 / English", for logs, the CLI and API errors
    label("industry", "ai-hardware", "en")   # a domain code's name

Catalogues are plain `{key: (zh, en)}` tables, one module per area: library areas are listed in
`CATALOGUE_MODULES` (each exposing `MESSAGES`, merged on first use); the web layer registers its
page strings with `register()` when it is imported. A duplicate key is a programming error. A
missing English text falls back to Chinese; an unknown key renders as the key itself, so a typo is
visible on the page, never a crash.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
HTML_LANG: dict[str, str] = {"zh": "zh-CN", "en": "en"}

# Each module defines MESSAGES: dict[str, tuple[str, str]]. Add a line here for a new area.
CATALOGUE_MODULES: tuple[str, ...] = (
    "matchmaker.accounts.messages",
    "matchmaker.core.catalogue_labels",
    "matchmaker.digest.messages",
    "matchmaker.ranking.messages",
)

Translator = Callable[..., str]

_catalogue: dict[str, tuple[str, str]] = {}
_loaded = False
_lock = threading.RLock()


def register(table: Mapping[str, tuple[str, str]], source: str = "") -> None:
    """Add a catalogue table; a key already defined elsewhere is a programming error."""
    with _lock:
        clash = {k for k in _catalogue.keys() & table.keys() if _catalogue[k] != table[k]}
        if clash:
            raise RuntimeError(f"duplicate message keys {source}: {sorted(clash)[:5]}")
        _catalogue.update(table)


def _load() -> dict[str, tuple[str, str]]:
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                for name in CATALOGUE_MODULES:
                    register(importlib.import_module(name).MESSAGES, name)
                _loaded = True
    return _catalogue


def normalise_lang(value: str | None) -> Lang | None:
    """'en', 'EN', 'en-US' → 'en'; 'zh', 'zh-CN' → 'zh'; anything else → None."""
    if not value:
        return None
    head = value.strip().lower()[:2]
    if head == "en":
        return "en"
    if head == "zh":
        return "zh"
    return None


def has(key: str) -> bool:
    """Whether a key is in the catalogue (for tests and label fallbacks)."""
    return key in _load()


def t(key: str, lang: str = DEFAULT_LANG, /, **values: Any) -> str:
    """The text for a key in one language, formatted with `values`."""
    pair = _load().get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" and pair[1] else pair[0]
    return text.format(**values) if values else text


def both(key: str, /, **values: Any) -> str:
    """ "中文 / English" for readers whose language is unknown (CLI, logs, API problem titles)."""
    zh, en = t(key, "zh", **values), t(key, "en", **values)
    return zh if zh == en else f"{zh} / {en}"


def translator(lang: str) -> Translator:
    """A `t` bound to one language (templates call `t("key", n=3)`)."""

    def bound(key: str, **values: Any) -> str:
        return t(key, lang, **values)

    return bound


def label(group: str, code: str, lang: str = DEFAULT_LANG) -> str:
    """The name of a domain code (industry, track, coop mode …) in one language; the code itself
    when unknown, so new codes show up rather than break a page."""
    key = f"label.{group}.{code}"
    return t(key, lang) if has(key) else code


@dataclass(frozen=True)
class LabelList:
    """Domain codes to be named in the reader's language and joined (、 in Chinese, commas in English)."""

    group: str
    codes: tuple[str, ...]

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The codes' names joined the way the language lists things."""
        return (", " if lang == "en" else "、").join(label(self.group, c, lang) for c in self.codes)


@dataclass(frozen=True)
class Text:
    """A message not yet rendered: rendered in the reader's language at the edge (page, email,
    API), or as "中文 / English" where the reader is unknown."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def __init__(self, key: str, /, **values: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", values)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The message in one language; nested Text values are rendered in the same language."""
        values = {
            k: v.render(lang) if isinstance(v, Text | LabelList) else v
            for k, v in self.values.items()
        }
        return t(self.key, lang, **values)

    def __str__(self) -> str:
        zh, en = self.render("zh"), self.render("en")
        return zh if zh == en else f"{zh} / {en}"


class UserFacingError(ValueError):
    """A mistake the user can fix, carrying its message unrendered so each adapter shows it in the
    reader's language; `str()` gives both languages."""

    def __init__(self, message: Text, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.text = message
        self.field = field

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The message in one language."""
        return self.text.render(lang)
