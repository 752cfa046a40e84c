"""Text at the boundary, defined once: what a text value may contain before it is stored, searched
or exported. The API schemas, the web forms, the importer and the search query all go through here.

Rules (docs/api.md "Text fields"):
- every value is normalised to Unicode NFC;
- refused everywhere: NUL and every other C0 control, DEL and the C1 controls, lone surrogates and
  the non-characters U+FFFE/U+FFFF (none of them can be shown, most break XML, XLSX or PostgreSQL);
- multi-line fields (descriptions, summaries, notes) keep tab and newline, and CR LF / CR become LF;
- single-line fields (names, titles, codes, keywords, queries) fold tab, CR and LF into one space
  and drop zero-width characters (U+200B–U+200D, U+2060, U+FEFF, U+180E);
- bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) and the
  marks U+200E, U+200F, U+061C are dropped from every field, so text cannot be shown reordered.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")
LINE_BREAKS = re.compile(r"[\t\r\n]+")
# Refused in every field: C0 controls but tab, CR, LF (folded or kept by the field's kind), DEL,
# C1 controls, lone surrogates, U+FFFE and U+FFFF.
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DROP_ALWAYS = {ord(c): None for c in BIDI_CONTROLS}
_DROP_IN_LINES = {ord(c): None for c in BIDI_CONTROLS | ZERO_WIDTH}


class TextError(ValueError):
    """A text value holds a character no field accepts; the message names it and where it is."""


def _describe(char: str) -> tuple[str, str]:
    code = ord(char)
    if code == 0:
        return "空字符", "a NUL character"
    if 0xD800 <= code <= 0xDFFF:
        return "无效的代理字符", "a lone surrogate"
    if code in (0xFFFE, 0xFFFF):
        return "非字符", "a non-character"
    return "控制字符", "a control character"


def clean_text(value: str, *, multiline: bool = False, label: str | None = None) -> str:
    """The value as it may be stored (NFC, invisible controls dropped, line breaks handled by the
    field's kind); TextError naming the first refused character, with the field's label if given."""
    found = REFUSED.search(value)
    if found is not None:
        char, position = found.group(), found.start() + 1
        where = f"{label}：" if label else ""
        zh, en = _describe(char)
        code = f"U+{ord(char):04X}"
        raise TextError(
            f"{where}第 {position} 个字符是{zh}（{code}），不允许出现，请删除后重试 / "
            f"character {position} is {en} ({code}), which is not allowed"
        )
    if multiline:
        text = value.replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = LINE_BREAKS.sub(" ", value)
    text = unicodedata.normalize("NFC", text)
    return text.translate(_DROP_ALWAYS if multiline else _DROP_IN_LINES)


def scrub_text(value: str, *, multiline: bool = False) -> str:
    """Like clean_text, but refused characters are removed instead of refused (lenient readers:
    page query strings and forms, where a stray control character should not cost the visitor)."""
    return clean_text(REFUSED.sub("", value), multiline=multiline)


def xml_safe(value: str) -> str:
    """The value with every character XML 1.0 cannot hold removed (an output guard for SVG/XML
    writers: stored text is clean, but a writer must never emit a document parsers reject)."""
    return XML_ILLEGAL.sub("", value)


def _line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _block(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


# Pydantic types for request bodies and query parameters: use them instead of `str`.
Line = Annotated[str, BeforeValidator(_line)]
Block = Annotated[str, BeforeValidator(_block)]
